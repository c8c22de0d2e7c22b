/** "Rows 101–200 of 2,310" with Previous / Next, for every server-paged table. */
import { formatCount } from './format';

export function Pager({ total, offset, limit, onChange, noun = 'rows' }: { total: number; offset: number; limit: number; onChange: (offset: number) => void; noun?: string }) {
  const first = total === 0 ? 0 : offset + 1;
  const last = Math.min(offset + limit, total);
  return (
    <nav class="pager" aria-label={`Pages of ${noun}`}>
      <span aria-live="polite">
        {total === 0 ? `No ${noun}` : `${noun[0]!.toUpperCase()}${noun.slice(1)} ${formatCount(first)}–${formatCount(last)} of ${formatCount(total)}`}
      </span>
      <span class="actions">
        <button type="button" class="small" disabled={offset <= 0} onClick={() => onChange(Math.max(0, offset - limit))}>
          ← Previous page
        </button>
        <button type="button" class="small" disabled={last >= total} onClick={() => onChange(offset + limit)}>
          Next page →
        </button>
      </span>
    </nav>
  );
}
