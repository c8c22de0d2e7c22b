/**
 * Users: every user of every source, filtered, searched and paged by the server (the page holds one page
 * of rows). The filters live in the address (`#/users?finding=…&decision=none`), so a view can be shared
 * and the back button works; typing in the search box waits for a pause before asking.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { UsersResponse } from '../../src/serve/api-types';
import { useApi, withQuery } from './api';
import { BulkFix } from './BulkFix';
import { Badge } from './Badges';
import { formatCount } from './format';
import { ErrorNotice, Loading } from './Notice';
import { Pager } from './Pager';
import { href, replaceRoute } from './router';

const LIMIT = 100;
const FILTERS = ['q', 'finding', 'source', 'directory', 'active', 'decision', 'sort'] as const;
type Filter = (typeof FILTERS)[number];

export function UsersPage({ query }: { query: URLSearchParams }) {
  const filters = Object.fromEntries(FILTERS.map((name) => [name, query.get(name) ?? ''])) as Record<Filter, string>;
  const offset = Number(query.get('offset') ?? '0') || 0;
  const { data, error, loading, reload } = useApi<UsersResponse>(withQuery('/api/users', { ...filters, offset, limit: LIMIT }));

  const [search, setSearch] = useState(filters.q);
  // The address changes the box only when it did not come from the box (back button, a link, Clear).
  const pushed = useRef(filters.q);
  useEffect(() => {
    if (filters.q !== pushed.current) setSearch(filters.q);
    pushed.current = filters.q;
  }, [filters.q]);
  useEffect(() => {
    if (search === filters.q) return;
    const timer = window.setTimeout(() => {
      pushed.current = search;
      go({ ...filters, q: search }, 0);
    }, 250);
    return () => window.clearTimeout(timer);
  }, [search]);

  function go(next: Record<string, string>, nextOffset: number) {
    replaceRoute(href('users', { ...next, offset: nextOffset ? String(nextOffset) : undefined }));
  }
  const set = (name: Filter) => (event: Event) => go({ ...filters, [name]: (event.currentTarget as HTMLSelectElement).value }, 0);
  const facets = data?.facets;
  const anyFilter = FILTERS.some((name) => name !== 'sort' && filters[name] !== '');

  return (
    <>
      <h1>Users</h1>
      <p class="lead">Every user of every source, as the cloud will see them. Filter by a finding to fix users one by one; open a user to decide what becomes of them.</p>
      <BulkFix onSaved={reload} />
      <form class="toolbar" role="search" aria-label="Filter users" onSubmit={(event) => { event.preventDefault(); go({ ...filters, q: search }, 0); }}>
        <label class="field grow">
          Search username, name or email
          <input type="search" name="q" value={search} placeholder="e.g. alice or @acme.com" onInput={(event) => setSearch((event.currentTarget as HTMLInputElement).value)} />
        </label>
        <FacetSelect label="Finding" name="finding" value={filters.finding} facet={facets?.findings.map((f) => ({ name: f.code, count: f.count }))} onChange={set('finding')} />
        <FacetSelect label="Source" name="source" value={filters.source} facet={facets?.sources} onChange={set('source')} />
        <FacetSelect label="Directory" name="directory" value={filters.directory} facet={facets?.directories} onChange={set('directory')} />
        <label class="field">
          Active
          <select name="active" value={filters.active} onChange={set('active')}>
            <option value="">any</option>
            <option value="true">active</option>
            <option value="false">disabled</option>
          </select>
        </label>
        <FacetSelect label="Decision" name="decision" value={filters.decision} facet={facets?.decisions} onChange={set('decision')} describe={(name) => (name === 'none' ? 'none (migrate)' : name)} />
        <label class="field">
          Sort by
          <select name="sort" value={filters.sort} onChange={set('sort')}>
            <option value="">username</option>
            <option value="email">email</option>
            <option value="displayName">display name</option>
          </select>
        </label>
        {anyFilter ? (
          <button type="button" onClick={() => { setSearch(''); go({}, 0); }}>
            Clear the filters
          </button>
        ) : null}
      </form>

      <ErrorNotice error={error} />
      {!data && loading ? <Loading what="users" /> : null}
      {data ? (
        <>
          <div class="table-wrap" aria-busy={loading}>
            <table data-testid="users-table">
              <caption aria-live="polite">
                {loading ? (
                  'Looking up users…'
                ) : (
                  <>
                    {formatCount(data.total)} {data.total === 1 ? 'user matches' : 'users match'}
                    {anyFilter ? ' the filters' : ''}
                  </>
                )}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Username</th>
                  <th scope="col">Display name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Source</th>
                  <th scope="col">Directory</th>
                  <th scope="col">Active</th>
                  <th scope="col">Findings</th>
                  <th scope="col">Decision</th>
                </tr>
              </thead>
              <tbody>
                {data.rows.length === 0 ? (
                  <tr>
                    <td colSpan={8} class="empty">
                      No user matches these filters.
                    </td>
                  </tr>
                ) : (
                  data.rows.map((user) => (
                    <tr key={user.id} data-user-id={user.id}>
                      <th scope="row">
                        <a href={href('users', user.id)}>{user.username}</a>
                      </th>
                      <td>{user.displayName}</td>
                      <td class="mono small email">{user.email || <span class="muted">(none)</span>}</td>
                      <td>{user.source}</td>
                      <td class="small">{user.directory}</td>
                      <td>{user.active ? 'yes' : <Badge tone="neutral">disabled</Badge>}</td>
                      <td>
                        {user.findings.map((code) => (
                          <a key={code} href={href('users', { finding: code })} title={`Users with ${code}`}>
                            <Badge tone="info">{code}</Badge>
                          </a>
                        ))}
                      </td>
                      <td>{user.decision ? <Badge tone="ok">{user.decision}</Badge> : <span class="muted small">default</span>}</td>
                    </tr>
                  ))
                )}
              </tbody>
            </table>
          </div>
          <Pager total={data.total} offset={data.offset} limit={data.limit} onChange={(next) => go(filters, next)} noun="users" />
        </>
      ) : null}
    </>
  );
}

/** The facet's choices, plus the current value when the facet no longer lists it (so the select shows it). */
function withCurrent(facet: Array<{ name: string; count: number }> | undefined, current: string) {
  const list = facet ?? [];
  return current && !list.some((f) => f.name === current) ? [...list, { name: current, count: 0 }] : list;
}

/** A filter over one facet: each value with its count (the chosen one kept even when no user has it now). */
function FacetSelect(props: {
  label: string;
  name: string;
  value: string;
  facet: Array<{ name: string; count: number }> | undefined;
  onChange: (event: Event) => void;
  describe?: (name: string) => string;
}) {
  const describe = props.describe ?? ((name: string) => name);
  return (
    <label class="field">
      {props.label}
      <select name={props.name} value={props.value} onChange={props.onChange}>
        <option value="">any</option>
        {withCurrent(props.facet, props.value).map((f) => (
          <option key={f.name} value={f.name}>
            {describe(f.name)} ({formatCount(f.count)})
          </option>
        ))}
      </select>
    </label>
  );
}
