/**
 * Plan: choose the scope, make the plan (as `usermig plan`, saved in the workspace), and read its diff —
 * accounts to create and link, merges, email changes, membership changes, the cascade per group, and
 * every operation, paged. A refused plan lists what refuses it.
 */
import { useState } from 'preact/hooks';
import type { OperationKind, PlanDetailResponse, PlanMade, PlanOperationsResponse, PlanRequest, PlanResponse, PlansResponse } from '../../src/serve/api-types';
import { api, useAction, useApi, withQuery } from './api';
import { Badge } from './Badges';
import { Card } from './Card';
import { formatCount, formatDate } from './format';
import { ErrorNotice, InfoNotice, Loading } from './Notice';
import { Pager } from './Pager';
import { href, replaceRoute } from './router';

export function PlanPage({ query }: { query: URLSearchParams }) {
  const shown = query.get('plan');
  const [scope, setScope] = useState('');
  const [groupMembers, setGroupMembers] = useState<'scoped' | 'all'>('scoped');
  const [refresh, setRefresh] = useState(false);
  const [target, setTarget] = useState('');
  const [refused, setRefused] = useState<{ refused: string[]; notes: string[] } | null>(null);
  const plans = useApi<PlansResponse>(withQuery('/api/plans', { limit: 20 }));
  const make = useAction((body: PlanRequest) => api<PlanResponse>('/api/plans', { method: 'POST', body }));

  async function submit(event: Event) {
    event.preventDefault();
    setRefused(null);
    const specs = scope.split(/[\s]+/).filter(Boolean);
    const answer = await make.run({ scope: specs.length > 0 ? specs : undefined, groupMembers, refresh: refresh || undefined, target: target.trim() || undefined });
    if (!answer) return;
    plans.reload();
    if ('refused' in answer) setRefused({ refused: answer.refused, notes: answer.notes });
    else replaceRoute(href('plan', { plan: answer.id }));
  }

  return (
    <>
      <h1>Plan</h1>
      <p class="lead">
        A plan says exactly what will change in the cloud, and nothing changes until you apply it. It is saved in the workspace, where{' '}
        <code>usermig apply</code> finds it too.
      </p>
      <form class="panel" onSubmit={submit} aria-labelledby="make-plan-title">
        <h2 id="make-plan-title" style={{ marginTop: 0 }}>
          Make a plan
        </h2>
        <div class="toolbar" style={{ marginBottom: '0.5rem' }}>
          <label class="field grow">
            Scope (one spec or several, separated by spaces; empty for everyone)
            <input type="text" name="scope" value={scope} placeholder="all · jira:projects=APO,BET · confluence:spaces=ENG · jsm:customers=related" onInput={(event) => setScope((event.currentTarget as HTMLInputElement).value)} />
          </label>
          <label class="field">
            Group members
            <select value={groupMembers} onChange={(event) => setGroupMembers((event.currentTarget as HTMLSelectElement).value as 'scoped' | 'all')}>
              <option value="scoped">in-scope members only</option>
              <option value="all">whole groups</option>
            </select>
          </label>
          <label class="field">
            Target
            <input type="text" name="target" value={target} placeholder="the server's default" onInput={(event) => setTarget((event.currentTarget as HTMLInputElement).value)} />
          </label>
          <label class="field inline">
            <input type="checkbox" checked={refresh} onChange={(event) => setRefresh((event.currentTarget as HTMLInputElement).checked)} />
            Read the whole cloud again
          </label>
        </div>
        <button type="submit" class="primary" disabled={make.busy}>
          {make.busy ? 'Making the plan…' : 'Make the plan'}
        </button>
        <ErrorNotice error={make.error} />
        {refused ? (
          <div class="notice error" role="alert" data-testid="plan-refused">
            <strong>The plan was refused; nothing was saved.</strong>
            <ul>
              {refused.refused.map((line, i) => (
                <li key={i}>{line}</li>
              ))}
            </ul>
            {refused.notes.length > 0 ? <p class="small">{refused.notes.join(' ')}</p> : null}
          </div>
        ) : null}
      </form>

      {shown ? <PlanView id={shown} /> : null}

      <h2 id="saved-plans-title">Saved plans</h2>
      <ErrorNotice error={plans.error} />
      {plans.data ? (
        <div class="table-wrap">
          <table aria-labelledby="saved-plans-title" data-testid="saved-plans">
            <thead>
              <tr>
                <th scope="col">Plan</th>
                <th scope="col">Made</th>
                <th scope="col">Target</th>
                <th scope="col">Scope</th>
                <th scope="col" class="num">Writes</th>
                <th scope="col">State</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {plans.data.rows.length === 0 ? (
                <tr>
                  <td colSpan={7} class="empty">
                    No plan saved yet.
                  </td>
                </tr>
              ) : (
                plans.data.rows.map((plan) => (
                  <tr key={plan.id}>
                    <th scope="row" class="mono small">
                      {plan.id}
                    </th>
                    <td class="nowrap">{formatDate(plan.createdAt)}</td>
                    <td>{plan.target}</td>
                    <td class="small">{plan.scope.join(' ')}</td>
                    <td class="num">{formatCount(plan.summary.writes)}</td>
                    <td>
                      {plan.applied ? <Badge tone="ok">applied</Badge> : <Badge tone="info">not applied</Badge>} {plan.current ? <Badge tone="neutral">current</Badge> : null}
                    </td>
                    <td class="actions">
                      <a class="button small" href={href('plan', { plan: plan.id })}>
                        Show the diff
                      </a>
                      {!plan.applied ? (
                        <a class="button small" href={href('apply', { plan: plan.id })}>
                          Apply…
                        </a>
                      ) : null}
                    </td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </div>
      ) : (
        <Loading what="saved plans" />
      )}
    </>
  );
}

function PlanView({ id }: { id: string }) {
  const { data, error } = useApi<PlanDetailResponse>(`/api/plans/${encodeURIComponent(id)}`);
  if (error) return <ErrorNotice error={error} prefix={`Plan ${id}`} />;
  if (!data) return <Loading what="the plan" />;
  return <PlanDiffView plan={data} />;
}

function PlanDiffView({ plan }: { plan: PlanMade }) {
  const { diff, summary } = plan;
  const nothing = summary.writes === 0;
  return (
    <section aria-labelledby="plan-title" data-testid="plan-view" data-plan-id={plan.id}>
      <h2 id="plan-title">
        Plan <span class="mono">{plan.id}</span>
      </h2>
      <p class="muted">
        Made {formatDate(plan.createdAt)} for <code>{plan.target}</code>, scope <code>{plan.scope.join(' ')}</code> · saved in <code>{plan.file}</code>
      </p>
      {nothing ? (
        <InfoNotice>No changes: the cloud already matches the estate and the decisions.</InfoNotice>
      ) : (
        <div class="actions" style={{ margin: '0.5rem 0 1rem' }}>
          {plan.applied ? (
            <Badge tone="ok">applied</Badge>
          ) : (
            <a class="button primary" href={href('apply', { plan: plan.id })}>
              Apply this plan…
            </a>
          )}
          <span class="muted small">{formatCount(summary.writes)} writes to the cloud</span>
        </div>
      )}
      <div class="cards" data-testid="plan-diff">
        <Card label="Accounts to create" value={diff.creates.accounts} testId="diff-creates" />
        <Card label="Accounts to link" value={diff.links} sub="exist already" testId="diff-links" />
        <Card label="Merged accounts" value={diff.merges} sub="several source users in one" testId="diff-merges" />
        <Card label="Email changes" value={diff.emailChanges} testId="diff-email-changes" />
        <Card label="Groups to create" value={diff.creates.groups} testId="diff-groups" />
        <Card label="Memberships to add" value={diff.membershipChanges.adds} testId="diff-adds" />
        <Card label="Memberships to remove" value={diff.membershipChanges.removes} sub="only with prune" testId="diff-removes" />
      </div>
      {plan.notes.length > 0 ? (
        <InfoNotice>
          <ul>
            {plan.notes.map((note, i) => (
              <li key={i}>{note}</li>
            ))}
          </ul>
        </InfoNotice>
      ) : null}
      {plan.scopeSection ? (
        <div class="panel">
          <h3 style={{ marginTop: 0 }}>Scope</h3>
          <ScopeLines lines={plan.scopeSection.lines} />
        </div>
      ) : null}

      <h3 id="cascade-title">Changes per group</h3>
      <div class="table-wrap">
        <table aria-labelledby="cascade-title" data-testid="cascade">
          <thead>
            <tr>
              <th scope="col">Group</th>
              <th scope="col">Group change</th>
              <th scope="col" class="num">Members added</th>
              <th scope="col" class="num">Proposed removals</th>
              {plan.scopeSection ? (
                <>
                  <th scope="col" class="num">In scope directly</th>
                  <th scope="col" class="num">Only through it</th>
                  <th scope="col" class="num">Left out</th>
                  <th scope="col" class="num">Whole size</th>
                </>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {diff.cascade.length === 0 ? (
              <tr>
                <td colSpan={plan.scopeSection ? 8 : 4} class="empty">
                  No group changes.
                </td>
              </tr>
            ) : (
              diff.cascade.map((row) => (
                <tr key={row.group}>
                  <th scope="row">{row.group}</th>
                  <td>{row.created ? <Badge tone="info">created</Badge> : <span class="muted small">exists</span>}</td>
                  <td class="num">{formatCount(row.adds)}</td>
                  <td class="num">{formatCount(row.removes)}</td>
                  {plan.scopeSection ? (
                    <>
                      <td class="num">{formatCount(row.scope?.direct)}</td>
                      <td class="num">{formatCount(row.scope?.throughThisGroupOnly)}</td>
                      <td class="num">{formatCount(row.scope?.leftOut)}</td>
                      <td class="num">{formatCount(row.scope?.total)}</td>
                    </>
                  ) : null}
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      <Operations planId={plan.id} />
    </section>
  );
}

const KINDS: Array<{ kind: OperationKind | ''; label: string }> = [
  { kind: '', label: 'every kind' },
  { kind: 'create-account', label: 'create account' },
  { kind: 'change-email', label: 'change email' },
  { kind: 'create-group', label: 'create group' },
  { kind: 'add-members', label: 'add members' },
  { kind: 'remove-members', label: 'remove members' },
];

function Operations({ planId }: { planId: string }) {
  const [kind, setKind] = useState<OperationKind | ''>('');
  const [offset, setOffset] = useState(0);
  const limit = 50;
  const { data, error } = useApi<PlanOperationsResponse>(withQuery(`/api/plans/${encodeURIComponent(planId)}/operations`, { kind, offset, limit }));
  return (
    <>
      <h3 id="operations-title">Operations</h3>
      <div class="toolbar">
        <label class="field">
          Kind
          <select value={kind} onChange={(event) => { setKind((event.currentTarget as HTMLSelectElement).value as OperationKind | ''); setOffset(0); }}>
            {KINDS.map((entry) => (
              <option key={entry.kind} value={entry.kind}>
                {entry.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorNotice error={error} />
      {data ? (
        <>
          <div class="table-wrap">
            <table aria-labelledby="operations-title" data-testid="operations">
              <thead>
                <tr>
                  <th scope="col" class="num">#</th>
                  <th scope="col">Operation</th>
                  <th scope="col">What</th>
                  <th scope="col">Why</th>
                </tr>
              </thead>
              <tbody>
                {data.rows.length === 0 ? (
                  <tr>
                    <td colSpan={4} class="empty">
                      No operation of this kind.
                    </td>
                  </tr>
                ) : (
                  data.rows.map((operation) => (
                    <tr key={operation.index}>
                      <td class="num">{formatCount(operation.index + 1)}</td>
                      <td class="nowrap">{operation.kind}</td>
                      <td>{describeOperation(operation)}</td>
                      <td class="small muted">
                        <div class="clip" title={'reasons' in operation ? operation.reasons.join('\n') : ''}>
                          {'reasons' in operation ? operation.reasons.slice(0, 2).join('; ') : ''}
                        </div>
                      </td>
                    </tr>
                  ))
                )}
              </tbody>
            </table>
          </div>
          <Pager total={data.total} offset={data.offset} limit={limit} onChange={setOffset} noun="operations" />
        </>
      ) : null}
    </>
  );
}

function describeOperation(operation: PlanOperationsResponse['rows'][number]) {
  switch (operation.kind) {
    case 'create-account':
      return (
        <>
          <span class="mono">{operation.email}</span> {operation.displayName ? <span class="muted">({operation.displayName})</span> : null}
        </>
      );
    case 'change-email':
      return (
        <>
          <span class="mono">{operation.from}</span> → <span class="mono">{operation.email}</span> {operation.keepsGroups ? '' : <Badge tone="warning">groups re-added</Badge>}
        </>
      );
    case 'create-group':
      return <strong>{operation.name}</strong>;
    case 'add-members':
    case 'remove-members':
      return (
        <>
          <strong>{operation.group}</strong>: {formatCount(operation.emails.length)} {operation.emails.length === 1 ? 'member' : 'members'}{' '}
          <span class="small muted">
            ({operation.emails.slice(0, 3).join(', ')}
            {operation.emails.length > 3 ? ', …' : ''})
          </span>
        </>
      );
  }
}

/** What `usermig plan` prints about the scope: the summary lines, then the cascade lines folded (the table shows them). */
function ScopeLines({ lines }: { lines: string[] }) {
  const cut = lines.findIndex((line) => line.startsWith('Group cascade'));
  const head = cut < 0 ? lines : lines.slice(0, cut);
  const rest = cut < 0 ? [] : lines.slice(cut);
  return (
    <>
      <ul class="plain small">
        {head.map((line, i) => (
          <li key={i}>{line}</li>
        ))}
      </ul>
      {rest.length > 0 ? (
        <details class="small">
          <summary>The group cascade as usermig plan prints it</summary>
          <ul class="plain">
            {rest.map((line, i) => (
              <li key={i}>{line}</li>
            ))}
          </ul>
        </details>
      ) : null}
    </>
  );
}
