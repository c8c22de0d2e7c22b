/** One group: what it is in each source, its members and nesting, and the decision that names it in the cloud. */
import { useState } from 'preact/hooks';
import type { GroupDecisionRequest, GroupDecisionResponse, GroupDetailResponse } from '../../src/serve/api-types';
import { api, useAction, useApi } from './api';
import { Badge } from './Badges';
import { formatCount } from './format';
import { describeGroupDecision, FLAG_LABELS } from './GroupsPage';
import { HistoryTable } from './HistoryTable';
import { ErrorNotice, Loading, SuccessNotice } from './Notice';
import { href } from './router';

export function GroupPage({ name }: { name: string }) {
  const { data, error, loading, reload } = useApi<GroupDetailResponse>(`/api/groups/${encodeURIComponent(name)}`);
  const [showAll, setShowAll] = useState(false);
  const back = (
    <p class="crumbs">
      <a href={href('groups')}>← Groups</a>
    </p>
  );
  if (error) {
    return (
      <>
        {back}
        <ErrorNotice error={error} prefix="This group could not be loaded" />
      </>
    );
  }
  if (!data) return loading ? <Loading what="the group" /> : null;
  const { group } = data;
  return (
    <>
      {back}
      <h1>{group.name}</h1>
      <p class="lead">
        {group.cloudNames.length === 0 ? 'Not migrated.' : `Becomes ${group.cloudNames.join(', ')} in the cloud.`} {formatCount(group.direct)} direct members,{' '}
        {formatCount(group.flattened)} once nested groups are flattened.{' '}
        {group.flags.map((flag) => (
          <Badge key={flag} tone={FLAG_LABELS[flag]?.tone ?? 'info'} title={FLAG_LABELS[flag]?.help}>
            {FLAG_LABELS[flag]?.label ?? flag}
          </Badge>
        ))}
      </p>
      {group.flags.length > 0 ? (
        <ul class="small">
          {group.flags.map((flag) => (
            <li key={flag}>{FLAG_LABELS[flag]?.help ?? flag}</li>
          ))}
        </ul>
      ) : null}

      <h2 id="per-source-title">In each source</h2>
      <div class="table-wrap">
        <table aria-labelledby="per-source-title">
          <thead>
            <tr>
              <th scope="col">Source</th>
              <th scope="col">Name there</th>
              <th scope="col" class="num">Direct</th>
              <th scope="col" class="num">Flattened</th>
              <th scope="col">Product access</th>
              <th scope="col">Admin</th>
              <th scope="col" class="num">Other grants</th>
              <th scope="col">Cloud group</th>
              <th scope="col">Decision</th>
            </tr>
          </thead>
          <tbody>
            {group.sources.map((source) => (
              <tr key={source.source}>
                <th scope="row">{source.source}</th>
                <td>
                  {source.name}
                  {source.spellings.length > 1 ? <div class="small muted">also spelled {source.spellings.filter((s) => s !== source.name).join(', ')}</div> : null}
                </td>
                <td class="num">{formatCount(source.direct)}</td>
                <td class="num">{formatCount(source.flattened)}</td>
                <td class="small">{source.productAccess.join(', ') || '—'}</td>
                <td class="small">{source.admin.join(', ') || '—'}</td>
                <td class="num">{formatCount(source.otherGrants)}</td>
                <td>
                  {source.cloudName ?? <span class="muted">none</span>} <span class="small muted">({source.via})</span>
                </td>
                <td class="small">{source.decision ? describeGroupDecision(source.decision) : <span class="muted">default</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <div class="detail-grid" style={{ marginTop: '1rem' }}>
        <section class="panel" aria-labelledby="group-decide-title">
          <GroupDecisionForm group={group.name} sources={group.sources.map((s) => s.source)} onSaved={reload} />
        </section>
        <section class="panel" aria-labelledby="nesting-title">
          <h2 id="nesting-title" style={{ marginTop: 0 }}>
            Nesting
          </h2>
          {data.nesting.every((n) => n.children.length === 0 && n.parents.length === 0) ? (
            <p class="muted">Neither contains nor is contained in another group.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Source</th>
                  <th scope="col">Contains</th>
                  <th scope="col">Is contained in</th>
                </tr>
              </thead>
              <tbody>
                {data.nesting.map((entry) => (
                  <tr key={entry.source}>
                    <th scope="row">{entry.source}</th>
                    <td>{entry.children.map((child) => <a key={child} href={href('groups', child)} style={{ marginRight: '0.5rem' }}>{child}</a>)}</td>
                    <td>{entry.parents.map((parent) => <a key={parent} href={href('groups', parent)} style={{ marginRight: '0.5rem' }}>{parent}</a>)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>

      <h2 id="members-title">Members</h2>
      <div class="table-wrap">
        <table aria-labelledby="members-title">
          <caption>
            {formatCount(Math.min(showAll ? data.members.sample.length : 20, data.members.sample.length))} of {formatCount(data.members.total)} members, direct members first
          </caption>
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Email</th>
              <th scope="col">Active</th>
              <th scope="col">Membership</th>
            </tr>
          </thead>
          <tbody>
            {(showAll ? data.members.sample : data.members.sample.slice(0, 20)).map((member) => (
              <tr key={`${member.id}`}>
                <td>
                  <a href={href('users', member.id)}>
                    {member.source}:{member.username}
                  </a>
                </td>
                <td class="mono small">{member.email}</td>
                <td>{member.active ? 'yes' : 'no'}</td>
                <td>{member.via === 'direct' ? 'direct' : 'through a nested group'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      {data.members.sample.length > 20 ? (
        <p>
          <button type="button" class="small" onClick={() => setShowAll(!showAll)}>
            {showAll ? 'Show the first 20 members' : `Show all ${formatCount(data.members.sample.length)} sampled members`}
          </button>
        </p>
      ) : null}

      <h2 id="group-history-title">Decision history</h2>
      <HistoryTable labelledBy="group-history-title" history={data.history} empty="No decision was ever stored for this group." />
    </>
  );
}

function GroupDecisionForm({ group, sources, onSaved }: { group: string; sources: string[]; onSaved: () => void }) {
  const [source, setSource] = useState('');
  const [action, setAction] = useState<GroupDecisionRequest['action']>('rename');
  const [value, setValue] = useState('');
  const [reason, setReason] = useState('');
  const [message, setMessage] = useState('');
  const save = useAction((body: GroupDecisionRequest) => api<GroupDecisionResponse>('/api/groups/decision', { method: 'PUT', body }));
  const needsValue = action === 'map' || action === 'rename';

  async function submit(event: Event) {
    event.preventDefault();
    setMessage('');
    const answer = await save.run({ group, source: source || undefined, action, value: needsValue ? value.trim() : undefined, reason: reason || undefined });
    if (answer) {
      setMessage([answer.message, ...answer.notes].join('\n'));
      setValue('');
      onSaved();
    }
  }

  return (
    <form class="stack" onSubmit={submit}>
      <h2 id="group-decide-title" style={{ marginTop: 0 }}>
        Decide
      </h2>
      <label class="field">
        For
        <select value={source} onChange={(event) => setSource((event.currentTarget as HTMLSelectElement).value)}>
          <option value="">the group in every source</option>
          {sources.map((name) => (
            <option key={name} value={name}>
              the group in {name} only
            </option>
          ))}
        </select>
      </label>
      <label class="field">
        Action
        <select value={action} onChange={(event) => setAction((event.currentTarget as HTMLSelectElement).value as GroupDecisionRequest['action'])}>
          <option value="rename">rename it in the cloud</option>
          <option value="map">map it onto an existing cloud group (merge)</option>
          <option value="skip">skip it (not migrated)</option>
          <option value="create">back to the default (its own name)</option>
        </select>
      </label>
      {needsValue ? (
        <label class="field">
          {action === 'rename' ? 'New cloud name' : 'Cloud group to merge into'}
          <input type="text" required value={value} onInput={(event) => setValue((event.currentTarget as HTMLInputElement).value)} />
        </label>
      ) : null}
      <label class="field">
        Reason (kept in the history)
        <input type="text" value={reason} onInput={(event) => setReason((event.currentTarget as HTMLInputElement).value)} />
      </label>
      <div class="actions">
        <button type="submit" class="primary" disabled={save.busy}>
          Save the group decision
        </button>
      </div>
      <ErrorNotice error={save.error} />
      <SuccessNotice>{message}</SuccessNotice>
    </form>
  );
}
