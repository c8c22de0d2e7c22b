/** Small coloured labels: severities, states, flags. */
import type { ComponentChildren } from 'preact';

export type Tone = 'blocker' | 'warning' | 'info' | 'ok' | 'neutral';

export function Badge({ tone, children, title }: { tone: Tone; children: ComponentChildren; title?: string }) {
  return (
    <span class={`badge ${tone}`} title={title}>
      {children}
    </span>
  );
}

export function SeverityBadge({ severity, resolved }: { severity: string; resolved?: boolean }) {
  if (resolved) return <Badge tone="ok">resolved</Badge>;
  const tone: Tone = severity === 'blocker' ? 'blocker' : severity === 'warning' ? 'warning' : 'info';
  return <Badge tone={tone}>{severity}</Badge>;
}
