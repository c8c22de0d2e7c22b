/** The migration journey (`usermig strategy`, POST-02): each step and its items with a status from the workspace. */
import type { StepStatus, StrategyResponse } from '../../src/serve/api-types';
import { useApi } from './api';
import { Badge, type Tone } from './Badges';

const STATUS: Record<StepStatus, { label: string; tone: Tone; mark: string }> = {
  done: { label: 'done', tone: 'ok', mark: '✓' },
  'in-progress': { label: 'in progress', tone: 'info', mark: '◐' },
  todo: { label: 'to do', tone: 'warning', mark: '○' },
  manual: { label: 'by hand in the cloud', tone: 'neutral', mark: '?' },
  'not-needed': { label: 'not needed', tone: 'neutral', mark: '–' },
};

export function Journey() {
  const { data, error } = useApi<StrategyResponse>('/api/strategy');
  if (error) return <p class="muted small">The journey is not available: {error.message}</p>;
  if (!data) return null;
  return (
    <section aria-labelledby="journey-title">
      <h2 id="journey-title">The journey</h2>
      <ol class="journey">
        {data.journey.map((step) => (
          <li key={step.step} class={`journey-step ${step.status}`}>
            <div class="journey-head">
              <span class="journey-number" aria-hidden="true">
                {step.step}
              </span>
              <strong>{step.title}</strong>
              <Badge tone={STATUS[step.status]?.tone ?? 'neutral'}>{STATUS[step.status]?.label ?? step.status}</Badge>
            </div>
            <ul class="plain small">
              {step.items.map((item) => (
                <li key={item.label} title={item.detail}>
                  <span class={`journey-mark ${item.status}`} aria-label={STATUS[item.status]?.label ?? item.status}>
                    {STATUS[item.status]?.mark ?? '·'}
                  </span>{' '}
                  {item.label}
                  <div class="muted">{item.detail}</div>
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ol>
    </section>
  );
}
