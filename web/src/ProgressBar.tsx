/** A progress bar that says its figures to assistive technology. */
import { formatCount } from './format';

export function ProgressBar({ done, total, state, label }: { done: number; total: number; state: string; label: string }) {
  const ratio = total > 0 ? Math.min(1, done / total) : state === 'done' ? 1 : 0;
  return (
    <div
      class={`progress ${state === 'done' ? 'done' : state === 'failed' ? 'failed' : ''}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={total}
      aria-valuenow={done}
      aria-valuetext={`${formatCount(done)} of ${formatCount(total)} operations`}
    >
      <div style={{ width: `${(ratio * 100).toFixed(1)}%` }} />
    </div>
  );
}
