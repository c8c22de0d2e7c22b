/** Numbers, durations and dates as people read them. */
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

export const formatCount = (value: number | null | undefined): string => (value === null || value === undefined || Number.isNaN(value) ? '—' : integer.format(value));

export const formatDecimal = (value: number | null | undefined): string => (value === null || value === undefined || Number.isNaN(value) ? '—' : decimal.format(value));

/** "1 user", "2,310 users". */
export const plural = (value: number, one: string, many = `${one}s`): string => `${formatCount(value)} ${value === 1 ? one : many}`;

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

export const percent = (part: number, whole: number): string => (whole > 0 ? `${decimal.format((100 * part) / whole)} %` : '—');
