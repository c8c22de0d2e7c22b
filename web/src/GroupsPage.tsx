/**
 * Groups: every group as the cloud will see it — sizes direct and flattened, the grants that make
 * people billable, and the flags that need a decision (case collisions, the same name in several
 * products, blocklisted names, groups that already exist in the cloud). Open a group to map, rename or skip it.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { GroupFlag, GroupsResponse } from '../../src/serve/api-types';
import { useApi, withQuery } from './api';
import { Badge, type Tone } from './Badges';
import { BulkRename } from './BulkRename';
import { formatCount } from './format';
import { ErrorNotice, Loading } from './Notice';
import { Pager } from './Pager';
import { href, replaceRoute } from './router';

const LIMIT = 100;

export const FLAG_LABELS: Record<GroupFlag, { label: string; tone: Tone; help: string }> = {
  blocklisted: { label: 'blocklisted', tone: 'warning', help: 'never created in the cloud; its admins are re-added by hand' },
  'case-collision': { label: 'case collision', tone: 'warning', help: 'differs from another group only by case: they become one cloud group' },
  'merged-across-products': { label: 'in several products', tone: 'warning', help: 'the same name in several products with different members: one cloud group gets them all' },
  'merge-consented': { label: 'merge consented', tone: 'ok', help: 'mapped onto an existing cloud group on purpose' },
  skipped: { label: 'skipped', tone: 'neutral', help: 'decided: not migrated' },
  'exists-in-cloud': { label: 'exists in the cloud', tone: 'blocker', help: 'a cloud group of this name exists that usermig did not create: map or rename' },
};

export function GroupsPage({ query }: { query: URLSearchParams }) {
  const q = query.get('q') ?? '';
  const flag = query.get('flag') ?? '';
  const offset = Number(query.get('offset') ?? '0') || 0;
  const { data, error, loading, reload } = useApi<GroupsResponse>(withQuery('/api/groups', { q, flag, offset, limit: LIMIT }));
  const [search, setSearch] = useState(q);
  // The address changes the box only when it did not come from the box (back button, a link, Clear).
  const pushed = useRef(q);
  useEffect(() => {
    if (q !== pushed.current) setSearch(q);
    pushed.current = q;
  }, [q]);
  useEffect(() => {
    if (search === q) return;
    const timer = window.setTimeout(() => {
      pushed.current = search;
      go(search, flag, 0);
    }, 250);
    return () => window.clearTimeout(timer);
  }, [search]);
  const go = (nextQ: string, nextFlag: string, nextOffset: number) => replaceRoute(href('groups', { q: nextQ, flag: nextFlag, offset: nextOffset ? String(nextOffset) : undefined }));

  return (
    <>
      <h1>Groups</h1>
      <p class="lead">Sizes, grants and collisions of every group. Open a group to map it onto a cloud group, rename it, skip it, or go back to the default.</p>
      <form class="toolbar" role="search" aria-label="Filter groups" onSubmit={(event) => { event.preventDefault(); go(search, flag, 0); }}>
        <label class="field grow">
          Search group names
          <input type="search" value={search} onInput={(event) => setSearch((event.currentTarget as HTMLInputElement).value)} />
        </label>
        <label class="field">
          Flag
          <select value={flag} onChange={(event) => go(q, (event.currentTarget as HTMLSelectElement).value, 0)}>
            <option value="">any</option>
            {(Object.keys(FLAG_LABELS) as GroupFlag[]).map((name) => (
              <option key={name} value={name}>
                {FLAG_LABELS[name].label}
              </option>
            ))}
          </select>
        </label>
      </form>
      <BulkRename onSaved={reload} />
      <ErrorNotice error={error} />
      {!data && loading ? <Loading what="groups" /> : null}
      {data ? (
        <>
          <div class="table-wrap" aria-busy={loading}>
            <table data-testid="groups-table">
              <caption>
                {formatCount(data.total)} {data.total === 1 ? 'group' : 'groups'}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Group</th>
                  <th scope="col">In sources</th>
                  <th scope="col">Becomes in the cloud</th>
                  <th scope="col" class="num">Direct members</th>
                  <th scope="col" class="num">Flattened</th>
                  <th scope="col">Grants</th>
                  <th scope="col">Flags</th>
                  <th scope="col">Decision</th>
                </tr>
              </thead>
              <tbody>
                {data.rows.length === 0 ? (
                  <tr>
                    <td colSpan={8} class="empty">
                      No group matches.
                    </td>
                  </tr>
                ) : (
                  data.rows.map((group) => (
                    <tr key={group.name} data-group={group.name}>
                      <th scope="row">
                        <a href={href('groups', group.name)}>{group.name}</a>
                      </th>
                      <td class="small">{group.sources.map((source) => `${source.source}:${source.name}`).join(', ')}</td>
                      <td>{group.cloudNames.length === 0 ? <span class="muted">not migrated</span> : group.cloudNames.join(', ')}</td>
                      <td class="num">{formatCount(group.direct)}</td>
                      <td class="num">{formatCount(group.flattened)}</td>
                      <td class="small">{group.grants.join('; ')}</td>
                      <td>
                        {group.flags.map((name) => (
                          <Badge key={name} tone={FLAG_LABELS[name]?.tone ?? 'info'} title={FLAG_LABELS[name]?.help}>
                            {FLAG_LABELS[name]?.label ?? name}
                          </Badge>
                        ))}
                      </td>
                      <td class="small">{group.decisions.length === 0 ? <span class="muted">default</span> : group.decisions.map(describeGroupDecision).join('; ')}</td>
                    </tr>
                  ))
                )}
              </tbody>
            </table>
          </div>
          <Pager total={data.total} offset={data.offset} limit={data.limit} onChange={(next) => go(q, flag, next)} noun="groups" />
        </>
      ) : null}
    </>
  );
}

export function describeGroupDecision(decision: { source: string; action: string; value: string | null }): string {
  const where = decision.source === '*' ? '' : ` (${decision.source})`;
  if (decision.action === 'map') return `map to ${decision.value}${where}`;
  if (decision.action === 'rename') return `rename to ${decision.value}${where}`;
  return `${decision.action}${where}`;
}
