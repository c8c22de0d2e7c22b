/** A summary card: a label, a big number, a line of context. */
import type { ComponentChildren } from 'preact';
import { formatCount } from './format';

export function Card({ label, value, sub, tone, children, testId }: { label: string; value?: number; sub?: ComponentChildren; tone?: 'blocker' | 'warning' | 'ok'; children?: ComponentChildren; testId?: string }) {
  return (
    <section class={`card ${tone ?? ''}`} aria-label={label} data-testid={testId}>
      <div class="label">{label}</div>
      {value !== undefined ? <div class="value">{formatCount(value)}</div> : null}
      {sub ? <div class="sub">{sub}</div> : null}
      {children}
    </section>
  );
}
