/**
 * A horizontal bar chart in hand-written SVG: one bar per row, the label on the left, the value at the end
 * of the bar. Long lists are cut to `max` rows and say how many more there are. The figure carries a text
 * alternative (each label and value), so a screen reader gets the numbers, not a picture.
 */
import { formatCount } from './format';

export interface Bar {
  label: string;
  value: number;
  tone?: string;
}

const ROW = 22;
const LABEL = 150;
const VALUE = 56;
const WIDTH = 420;

export function BarChart({ title, bars, max = 12, color = '#3b73c8', testId }: { title: string; bars: Bar[]; max?: number; color?: string; testId?: string }) {
  const shown = bars.slice(0, max);
  const rest = bars.length - shown.length;
  const top = Math.max(1, ...shown.map((bar) => bar.value));
  const height = Math.max(1, shown.length) * ROW + 8;
  const span = WIDTH - LABEL - VALUE;
  const summary = shown.map((bar) => `${bar.label}: ${formatCount(bar.value)}`).join('; ');
  return (
    <figure class="chart" data-testid={testId}>
      <figcaption>{title}</figcaption>
      {shown.length === 0 ? (
        <p class="muted">Nothing to show yet.</p>
      ) : (
        <svg viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={`${title}. ${summary}`}>
          {shown.map((bar, i) => {
            const y = i * ROW + 4;
            const w = Math.max(bar.value > 0 ? 2 : 0, (bar.value / top) * span);
            const name = bar.label === '' ? '(empty)' : bar.label;
            const label = name.length > 20 ? `${name.slice(0, 19)}…` : name;
            return (
              <g key={`${i}-${bar.label}`}>
                <title>{`${name}: ${formatCount(bar.value)}`}</title>
                <text x={LABEL - 8} y={y + ROW / 2 + 1} text-anchor="end" dominant-baseline="middle">
                  {label}
                </text>
                <rect x={LABEL} y={y + 3} width={w} height={ROW - 8} rx={3} fill={bar.tone ?? color} />
                <text class="value" x={LABEL + w + 6} y={y + ROW / 2 + 1} dominant-baseline="middle">
                  {formatCount(bar.value)}
                </text>
              </g>
            );
          })}
        </svg>
      )}
      {rest > 0 ? <p class="muted small">and {formatCount(rest)} more not drawn</p> : null}
    </figure>
  );
}
