/**
 * Apply: run a saved plan into the cloud and watch it live (server-sent events): a progress bar, the
 * rate, the time left, each failed operation as it happens, pause and resume, and the final outcome —
 * the same figures `usermig apply` prints.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ApplyControlResponse, ApplyErrorEvent, ApplyEvents, ApplyRequest, ApplyStarted, ApplyState, ApplyStatus, ApplyStatusResponse, PlansResponse } from '../../src/serve/api-types';
import { api, useAction, useApi, withQuery } from './api';
import { Badge, type Tone } from './Badges';
import { formatCount, formatDate, formatDecimal, formatDuration } from './format';
import { ErrorNotice, Loading } from './Notice';
import { ProgressBar } from './ProgressBar';
import { href } from './router';

const STATE_TONE: Record<ApplyState, Tone> = { running: 'info', paused: 'warning', done: 'ok', failed: 'blocker' };

export function ApplyPage({ query }: { query: URLSearchParams }) {
  const status = useApi<ApplyStatusResponse>('/api/apply');
  const plans = useApi<PlansResponse>(withQuery('/api/plans', { limit: 50 }));
  const [live, setLive] = useState<ApplyStatus | null>(null);
  const [connection, setConnection] = useState<'closed' | 'open' | 'retrying' | 'lost'>('closed');

  // The run as the server last described it, then kept current by the event stream, which stays open
  // from the moment a run is seen going until its `done` event.
  const [listening, setListening] = useState(false);
  useEffect(() => {
    const data = status.data;
    if (data && data.run !== null) {
      setLive(data);
      if ((data.state === 'running' || data.state === 'paused') && !data.elsewhere) setListening(true);
    }
  }, [status.data]);

  const runId = live?.run ?? null;
  const elsewhere = live?.elsewhere;
  const active = (live?.state === 'running' || live?.state === 'paused') && !elsewhere;
  useEffect(() => {
    if (!runId || !listening) return;
    const events = new EventSource('/api/apply/events', { withCredentials: true });
    setConnection('open');
    const on = <K extends keyof ApplyEvents>(name: K, handle: (data: ApplyEvents[K]) => void) =>
      events.addEventListener(name, (event) => {
        if (!(event instanceof MessageEvent) || typeof event.data !== 'string' || event.data === '') return;
        handle(JSON.parse(event.data) as ApplyEvents[K]);
      });
    on('progress', (data) => setLive((current) => (current ? { ...current, ...data } : current)));
    on('error', (data) => setLive((current) => (current ? { ...current, errors: current.errors + 1, recentErrors: [...current.recentErrors, data].slice(-200) } : current)));
    on('state', (data) => setLive((current) => (current ? { ...current, state: data.state } : current)));
    on('done', (data) => {
      setLive((current) => (current ? { ...current, state: data.state, outcome: data.outcome, message: data.message, etaSeconds: null } : current));
      events.close();
      setConnection('closed');
      setListening(false);
      status.reload();
      plans.reload();
    });
    events.addEventListener('open', () => setConnection('open'));
    events.addEventListener('error', (event) => {
      if (event instanceof MessageEvent && event.data) return;
      // The stream dropped: the browser retries by itself (CONNECTING) unless the server refused it (CLOSED).
      setConnection(events.readyState === EventSource.CLOSED ? 'lost' : events.readyState === EventSource.CONNECTING ? 'retrying' : 'open');
    });
    return () => {
      events.close();
    };
  }, [runId, listening]);

  const start = useAction((body: ApplyRequest) => api<ApplyStarted>('/api/apply', { method: 'POST', body }));
  const control = useAction((what: 'pause' | 'resume') => api<ApplyControlResponse>(`/api/apply/${what}`, { method: 'POST', body: {} }));

  async function begin(plan: string, prune: boolean) {
    const started = await start.run({ plan, prune: prune || undefined });
    if (started) status.reload();
  }
  async function pauseOrResume(what: 'pause' | 'resume') {
    const answer = await control.run(what);
    if (answer) setLive((current) => (current ? { ...current, state: answer.state } : current));
  }

  if (status.error) return <ErrorNotice error={status.error} prefix="The apply status could not be loaded" />;
  if (!status.data) return <Loading what="the apply status" />;
  const pending = (plans.data?.rows ?? []).filter((plan) => !plan.applied);

  return (
    <>
      <h1>Apply</h1>
      <p class="lead">
        Runs a saved plan into the cloud, exactly as <code>usermig apply</code> does: paced, checkpointed, resumable. Nothing else is changed.
      </p>
      {!active && !elsewhere ? (
        <StartForm
          key={query.get('plan') ?? ''}
          plans={pending}
          preferred={query.get('plan')}
          busy={start.busy}
          loading={!plans.data}
          onStart={begin}
        />
      ) : null}
      <ErrorNotice error={start.error ?? plans.error} />

      {live ? (
        <section class="panel" aria-labelledby="run-title" data-testid="apply-run" data-state={live.state}>
          <h2 id="run-title" style={{ marginTop: 0 }}>
            Run <span class="mono">{live.run}</span> <Badge tone={STATE_TONE[live.state]}>{live.state}</Badge>
          </h2>
          <p class="muted small">
            Plan <a href={href('plan', { plan: live.plan })} class="mono">{live.plan}</a> into <code>{live.target}</code> · started {formatDate(live.startedAt)}
            {live.finishedAt ? ` · finished ${formatDate(live.finishedAt)}` : ''}
            {connection === 'open' ? ' · live' : ''}
          </p>
          {active && (connection === 'retrying' || connection === 'lost') ? (
            <div class="notice warning" role="alert" data-testid="apply-connection">
              <strong>{connection === 'retrying' ? 'The dashboard does not answer; trying again…' : 'Live updates stopped.'}</strong> The figures below are the last received. If{' '}
              <code>usermig serve</code> was stopped, the apply stopped with it before its next operation: start the dashboard again (open the new URL it
              prints) or run <code>usermig apply</code>, and apply the plan again to resume it.
            </div>
          ) : null}
          {elsewhere ? (
            <div class="notice info" role="status" data-testid="apply-elsewhere">
              <strong>Applied by another process.</strong> <code>usermig apply</code> (process {elsewhere.pid}) has been applying this plan since{' '}
              {formatDate(elsewhere.since)}; this page cannot pause it or follow it live.{' '}
              <button type="button" class="small" onClick={() => status.reload()}>
                See how far it got
              </button>
            </div>
          ) : null}
          <ProgressBar done={live.done} total={live.total} state={live.state} label="Operations processed" />
          <div class="stats" aria-live="polite">
            <div>
              <span>Processed</span>
              <strong data-testid="apply-done">
                {formatCount(live.done)} / {formatCount(live.total)}
              </strong>
            </div>
            <div>
              <span>Rate</span>
              <strong>{formatDecimal(live.rate)} /s</strong>
            </div>
            <div>
              <span>Time left</span>
              <strong>{live.state === 'paused' ? 'paused' : live.state === 'running' ? formatDuration(live.etaSeconds) : '—'}</strong>
            </div>
            <div>
              <span>Errors</span>
              <strong style={{ color: live.errors > 0 ? 'var(--blocker)' : undefined }}>{formatCount(live.errors)}</strong>
            </div>
          </div>
          {active ? (
            <div class="actions">
              {live.state === 'running' ? (
                <button type="button" onClick={() => pauseOrResume('pause')} disabled={control.busy}>
                  Pause the apply
                </button>
              ) : (
                <button type="button" class="primary" onClick={() => pauseOrResume('resume')} disabled={control.busy}>
                  Resume the apply
                </button>
              )}
              <span class="small muted">Pausing lets the operations in flight finish; resuming continues where it stopped.</span>
            </div>
          ) : null}
          <ErrorNotice error={control.error} />
          {live.outcome ? (
            <div class="notice success" role="status" data-testid="apply-outcome">
              <strong>Done.</strong> {live.outcome.text}
              <div style={{ marginTop: '0.4rem' }}>
                <a href={href('reports')}>Open the report →</a>
              </div>
            </div>
          ) : null}
          {live.state === 'failed' && live.message ? (
            <div class="notice error" role="alert">
              <strong>The apply stopped.</strong> {live.message}
            </div>
          ) : null}
          <ErrorLog errors={live.recentErrors} total={live.errors} />
        </section>
      ) : (
        <p class="muted">Nothing has been applied since the dashboard started.</p>
      )}
    </>
  );
}

function StartForm({
  plans,
  preferred,
  busy,
  loading,
  onStart,
}: {
  plans: PlansResponse['rows'];
  preferred: string | null;
  busy: boolean;
  loading: boolean;
  onStart: (plan: string, prune: boolean) => void;
}) {
  const initial = (preferred && plans.some((row) => row.id === preferred) ? preferred : null) ?? plans.find((plan) => plan.current)?.id ?? plans[0]?.id ?? '';
  const [plan, setPlan] = useState(initial);
  const [prune, setPrune] = useState(false);
  useEffect(() => {
    if (!plans.some((row) => row.id === plan)) setPlan(initial);
  }, [plans]);
  if (loading) return <Loading what="saved plans" />;
  if (plans.length === 0) {
    return (
      <div class="notice info">
        No plan waits to be applied. <a href={href('plan')}>Make a plan first.</a>
      </div>
    );
  }
  const chosen = plans.find((row) => row.id === plan);
  return (
    <form
      class="panel"
      aria-labelledby="start-title"
      onSubmit={(event) => {
        event.preventDefault();
        if (plan) onStart(plan, prune);
      }}
    >
      <h2 id="start-title" style={{ marginTop: 0 }}>
        Start
      </h2>
      <div class="toolbar">
        <label class="field grow">
          Plan
          <select name="plan" value={plan} onChange={(event) => setPlan((event.currentTarget as HTMLSelectElement).value)}>
            {plans.map((row) => (
              <option key={row.id} value={row.id}>
                {row.id} · {row.scope.join(' ')} · {formatCount(row.summary.writes)} writes to {row.target}
                {row.current ? ' (current)' : ''}
              </option>
            ))}
          </select>
        </label>
        <label class="field inline">
          <input type="checkbox" checked={prune} onChange={(event) => setPrune((event.currentTarget as HTMLInputElement).checked)} />
          Also remove the memberships the plan proposes to remove (prune)
        </label>
      </div>
      {chosen ? (
        <p class="small muted">
          {formatCount(chosen.summary.creates)} accounts and groups to create, {formatCount(chosen.summary.links)} accounts to link, {formatCount(chosen.summary.memberAdds)} memberships to add
          {chosen.summary.memberRemovals > 0 ? `, ${formatCount(chosen.summary.memberRemovals)} removals proposed` : ''}.
        </p>
      ) : null}
      <button type="submit" class="primary" disabled={busy || !plan}>
        {busy ? 'Starting…' : 'Apply the plan'}
      </button>
    </form>
  );
}

function ErrorLog({ errors, total }: { errors: ApplyErrorEvent[]; total: number }) {
  if (total === 0 && errors.length === 0) return null;
  return (
    <>
      <h3 id="errors-title">Failed operations</h3>
      <p class="small muted">
        {total > errors.length ? `The last ${formatCount(errors.length)} of ${formatCount(total)}, as they happened.` : `${formatCount(total)}, as they happened.`}
        {errors.length > 6 ? ' Scroll the list for more.' : ''}
      </p>
      <div class="table-wrap error-log">
        <table aria-labelledby="errors-title" data-testid="apply-errors">
          <thead>
            <tr>
              <th scope="col">Operation</th>
              <th scope="col">Error</th>
            </tr>
          </thead>
          <tbody>
            {errors.map((error, i) => (
              <tr key={i}>
                <td class="mono small">{error.operation}</td>
                <td>{error.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
