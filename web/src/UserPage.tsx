/**
 * One user: who they are in each source, what the assessment says about them, what references them,
 * their groups (direct and through nesting), what they become in the cloud, and the decision with its
 * history — and the form that changes it (the same rules as `usermig users decide`).
 */
import { useEffect, useState } from 'preact/hooks';
import type { UserDecisionAction, UserDecisionRequest, UserDecisionResponse, UserDetailResponse } from '../../src/serve/api-types';
import { api, useAction, useApi } from './api';
import { Badge, SeverityBadge } from './Badges';
import { HistoryTable } from './HistoryTable';
import { formatCount, formatDate } from './format';
import { ErrorNotice, Loading, SuccessNotice } from './Notice';
import { href } from './router';

export function UserPage({ id }: { id: string }) {
  const { data, error, loading, reload } = useApi<UserDetailResponse>(`/api/users/${encodeURIComponent(id)}`);
  if (error) {
    return (
      <>
        <p class="crumbs">
          <a href={href('users')}>← Users</a>
        </p>
        <ErrorNotice error={error} prefix="This user could not be loaded" />
      </>
    );
  }
  if (!data) return loading ? <Loading what="the user" /> : null;
  const { user } = data;
  return (
    <>
      <p class="crumbs">
        <a href={href('users')}>← Users</a>
      </p>
      <h1>
        {user.source}:{user.username}
      </h1>
      <p class="lead">
        {user.displayName || <span class="muted">no display name</span>} · <span class="mono">{user.email || '(no email)'}</span>
        {user.active ? '' : ' · disabled'}
      </p>
      <div class="next-step" data-testid="becomes">
        <strong>In the cloud: {user.becomes.text}</strong>
        {user.becomes.mergedInto ? (
          <span>
            Merged into <a href={href('users', user.becomes.mergedInto.id)}>{user.becomes.mergedInto.source}:{user.becomes.mergedInto.username}</a>
          </span>
        ) : null}
      </div>

      <div class="detail-grid">
        <section class="panel" aria-labelledby="decision-title">
          <h2 id="decision-title" style={{ marginTop: 0 }}>
            Decision
          </h2>
          {data.decision ? (
            <dl class="facts" data-testid="decision">
              <dt>Decision</dt>
              <dd>
                <strong>{data.decision.text}</strong>
              </dd>
              <dt>By</dt>
              <dd>
                {data.decision.decidedBy}, {formatDate(data.decision.decidedAt)}
              </dd>
              <dt>Reason</dt>
              <dd>{data.decision.reason || <span class="muted">none given</span>}</dd>
              {data.decision.appliedAt ? (
                <>
                  <dt>Applied</dt>
                  <dd>{formatDate(data.decision.appliedAt)} (changing it needs “force”)</dd>
                </>
              ) : null}
            </dl>
          ) : (
            <p data-testid="decision">No decision stored: the user migrates as they are (the default).</p>
          )}
          <DecisionForm id={user.id} applied={Boolean(data.decision?.appliedAt)} onSaved={reload} />
        </section>

        <section class="panel" aria-labelledby="identity-title">
          <h2 id="identity-title" style={{ marginTop: 0 }}>
            Identity
          </h2>
          <dl class="facts">
            <dt>Source</dt>
            <dd>{user.source}</dd>
            <dt>Directory</dt>
            <dd>{user.directory}</dd>
            <dt>User key</dt>
            <dd class="mono">{user.key}</dd>
            <dt>Email</dt>
            <dd class="mono">
              {user.email || '(none)'} {user.emailValid ? null : <Badge tone="blocker">invalid</Badge>}
            </dd>
            <dt>Active</dt>
            <dd>{user.active ? 'yes' : 'no (disabled)'}</dd>
            <dt>Updated</dt>
            <dd>{user.updated || '—'}</dd>
          </dl>
          {user.identities.length > 1 ? (
            <>
              <h3>The same person in other sources</h3>
              <table>
                <thead>
                  <tr>
                    <th scope="col">User</th>
                    <th scope="col">Email</th>
                    <th scope="col">Directory</th>
                    <th scope="col">Active</th>
                  </tr>
                </thead>
                <tbody>
                  {user.identities.map((identity) => (
                    <tr key={identity.id}>
                      <td>{identity.id === user.id ? `${identity.source}:${identity.username} (this user)` : <a href={href('users', identity.id)}>{identity.source}:{identity.username}</a>}</td>
                      <td class="mono small">{identity.email}</td>
                      <td class="small">{identity.directory}</td>
                      <td>{identity.active ? 'yes' : 'no'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          ) : null}
        </section>
      </div>

      <h2 id="user-findings-title">Findings</h2>
      <div class="table-wrap">
        <table aria-labelledby="user-findings-title" data-testid="user-findings">
          <thead>
            <tr>
              <th scope="col">Severity</th>
              <th scope="col">Code</th>
              <th scope="col">What the assessment says</th>
            </tr>
          </thead>
          <tbody>
            {data.findings.length === 0 ? (
              <tr>
                <td colSpan={3} class="empty">
                  No finding concerns this user.
                </td>
              </tr>
            ) : (
              data.findings.map((finding, i) => (
                <tr key={`${finding.code}-${i}`}>
                  <td>
                    <SeverityBadge severity={finding.severity} resolved={finding.resolved} />
                  </td>
                  <td class="mono small">{finding.code}</td>
                  <td>
                    {finding.message}
                    {finding.detail ? <div class="small muted">{finding.detail}</div> : null}
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>

      <div class="detail-grid" style={{ marginTop: '1rem' }}>
        <section class="panel" aria-labelledby="groups-title">
          <h2 id="groups-title" style={{ marginTop: 0 }}>
            Groups
          </h2>
          <h3>Direct ({formatCount(data.groups.direct.length)})</h3>
          {data.groups.direct.length === 0 ? (
            <p class="muted">None.</p>
          ) : (
            <ul class="plain" data-testid="direct-groups">
              {data.groups.direct.map((name) => (
                <li key={name}>
                  <a href={href('groups', name)}>{name}</a>
                </li>
              ))}
            </ul>
          )}
          <h3>Through nesting ({formatCount(data.groups.nested.length)})</h3>
          {data.groups.nested.length === 0 ? (
            <p class="muted">None.</p>
          ) : (
            <ul class="plain">
              {data.groups.nested.map((group) => (
                <li key={group.name}>
                  <a href={href('groups', group.name)}>{group.name}</a> <span class="path">via {group.path.join(' → ')}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section class="panel" aria-labelledby="references-title">
          <h2 id="references-title" style={{ marginTop: 0 }}>
            References in the data
          </h2>
          {data.references.length === 0 ? (
            <p class="muted">Nothing in the data names this user.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">As</th>
                  <th scope="col" class="num">Count</th>
                  <th scope="col">For example</th>
                </tr>
              </thead>
              <tbody>
                {data.references.map((reference) => (
                  <tr key={reference.kind}>
                    <td>{reference.kind}</td>
                    <td class="num">{formatCount(reference.count)}</td>
                    <td class="small">{reference.examples.join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>

      <h2 id="history-title">Decision history</h2>
      <HistoryTable labelledBy="history-title" history={data.history} empty="No decision was ever stored for this user." />
    </>
  );
}

const ACTIONS: Array<{ value: UserDecisionAction | 'clear'; label: string }> = [
  { value: 'migrate', label: 'migrate as is' },
  { value: 'new-email', label: 'new email address' },
  { value: 'merge-into', label: 'merge into another user' },
  { value: 'former-user', label: 'Former user (no account)' },
  { value: 'skip', label: 'skip (leave out)' },
  { value: 'clear', label: 'back to the default' },
];

function DecisionForm({ id, applied, onSaved }: { id: string; applied: boolean; onSaved: () => void }) {
  const [action, setAction] = useState<UserDecisionRequest['action']>('new-email');
  const [value, setValue] = useState('');
  const [reason, setReason] = useState('');
  const [force, setForce] = useState(false);
  const [saved, setSaved] = useState('');
  useEffect(() => setSaved(''), [id]);
  const save = useAction((body: UserDecisionRequest) => api<UserDecisionResponse>(`/api/users/${encodeURIComponent(id)}/decision`, { method: 'PUT', body }));
  const needsValue = action === 'new-email' || action === 'merge-into';

  async function submit(event: Event) {
    event.preventDefault();
    setSaved('');
    const body: UserDecisionRequest = { action, reason: reason || undefined, force: force || undefined, value: needsValue ? value.trim() : undefined };
    const answer = await save.run(body);
    if (answer) {
      setSaved(answer.message);
      setValue('');
      setReason('');
      onSaved();
    }
  }

  return (
    <form class="stack" onSubmit={submit} aria-labelledby="decide-title" style={{ marginTop: '1rem' }}>
      <h3 id="decide-title" style={{ margin: 0 }}>
        Change the decision
      </h3>
      <label class="field">
        Decision
        <select name="action" value={action} onChange={(event) => setAction((event.currentTarget as HTMLSelectElement).value as UserDecisionRequest['action'])}>
          {ACTIONS.map((entry) => (
            <option key={entry.value} value={entry.value}>
              {entry.label}
            </option>
          ))}
        </select>
      </label>
      {needsValue ? (
        <label class="field">
          {action === 'new-email' ? 'New email address' : 'Surviving user (SOURCE:USERNAME, username or email)'}
          <input type="text" name="value" autoComplete="off" required value={value} onInput={(event) => setValue((event.currentTarget as HTMLInputElement).value)} />
        </label>
      ) : null}
      <label class="field">
        Reason (kept in the history)
        <input type="text" name="reason" value={reason} placeholder="e.g. HR record" onInput={(event) => setReason((event.currentTarget as HTMLInputElement).value)} />
      </label>
      {applied ? (
        <label class="field inline">
          <input type="checkbox" name="force" checked={force} onChange={(event) => setForce((event.currentTarget as HTMLInputElement).checked)} />
          Force: an applied plan already used this decision
        </label>
      ) : null}
      <div class="actions">
        <button type="submit" class="primary" disabled={save.busy}>
          Save the decision
        </button>
      </div>
      <ErrorNotice error={save.error} />
      <SuccessNotice>{saved}</SuccessNotice>
    </form>
  );
}
