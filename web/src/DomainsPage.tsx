/**
 * Domains: trust the email domains whose people may migrate, untrust the others (RULES.md: an untrusted
 * domain blocks the plan). Each domain says how many accounts it brings.
 */
import { useState } from 'preact/hooks';
import type { DomainDecisionRequest, DomainDecisionResponse, DomainRow, DomainsDecisionRequest, DomainsDecisionResponse, DomainsResponse } from '../../src/serve/api-types';
import { api, ApiError, useApi, withQuery } from './api';
import { Badge } from './Badges';
import { formatCount, plural } from './format';
import { ErrorNotice, Loading, SuccessNotice } from './Notice';
import { Pager } from './Pager';

const LIMIT = 100;

export function DomainsPage() {
  const [q, setQ] = useState('');
  const [trusted, setTrusted] = useState('');
  const [offset, setOffset] = useState(0);
  const { data, error, loading, reload } = useApi<DomainsResponse>(withQuery('/api/domains', { q, trusted, offset, limit: LIMIT }));
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ApiError | undefined>(undefined);
  const [message, setMessage] = useState('');
  // Trusting every domain at once is asked twice: a domain the organization does not own would let strangers in.
  const [confirming, setConfirming] = useState(false);

  async function run(action: () => Promise<{ message: string }>) {
    setBusy(true);
    setFailure(undefined);
    setMessage('');
    try {
      setMessage((await action()).message);
    } catch (caught) {
      setFailure(caught instanceof ApiError ? caught : new ApiError(0, 'internal', String(caught)));
    } finally {
      setBusy(false);
      reload();
    }
  }
  const decideOne = (row: DomainRow, trusted: boolean) =>
    run(() => api<DomainDecisionResponse>(`/api/domains/${encodeURIComponent(row.domain)}`, { method: 'PUT', body: { trusted } satisfies DomainDecisionRequest }));
  const trustEvery = () => {
    setConfirming(false);
    return run(() => api<DomainsDecisionResponse>('/api/domains', { method: 'PUT', body: { trusted: true, all: true } satisfies DomainsDecisionRequest }));
  };
  const untrusted = (data?.rows ?? []).filter((row) => !row.trusted);

  return (
    <>
      <h1>Domains</h1>
      <p class="lead">
        The cloud migrates people by their email address. Trust the domains your organization owns (verify them in Atlassian's admin too); people
        of an untrusted domain block the plan until you trust it or decide otherwise for them.
      </p>
      <div class="toolbar">
        <label class="field grow">
          Search domains
          <input type="search" value={q} onInput={(event) => { setQ((event.currentTarget as HTMLInputElement).value); setOffset(0); }} />
        </label>
        <label class="field">
          Show
          <select value={trusted} onChange={(event) => { setTrusted((event.currentTarget as HTMLSelectElement).value); setOffset(0); }}>
            <option value="">all domains</option>
            <option value="false">untrusted only</option>
            <option value="true">trusted only</option>
          </select>
        </label>
        <button type="button" class="primary" disabled={busy || confirming} onClick={() => setConfirming(true)}>
          Trust every domain
        </button>
      </div>
      {confirming && data ? (
        <div class="notice warning" role="alertdialog" aria-labelledby="trust-all-title">
          <strong id="trust-all-title">Trust all {plural(data.total, 'domain')}?</strong> Trust only the domains your organization owns: the people of a
          trusted domain get accounts in it.
          {untrusted.length > 0 ? ` Untrusted now: ${untrusted.slice(0, 8).map((row) => row.domain).join(', ')}${untrusted.length > 8 ? ', …' : ''}.` : ''}
          <div class="actions" style={{ marginTop: '0.5rem' }}>
            <button type="button" class="primary" disabled={busy} onClick={trustEvery}>
              Trust all {plural(data.total, 'domain')}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </div>
      ) : null}
      <ErrorNotice error={error ?? failure} />
      <SuccessNotice>{message}</SuccessNotice>
      {!data && loading ? <Loading what="domains" /> : null}
      {data ? (
        <>
          <div class="table-wrap">
            <table data-testid="domains-table">
              <caption>
                {plural(data.total, 'domain')} · {formatCount(data.rows.filter((row) => row.trusted).length)} trusted on this page
              </caption>
              <thead>
                <tr>
                  <th scope="col">Domain</th>
                  <th scope="col" class="num">Accounts</th>
                  <th scope="col">Status</th>
                  <th scope="col">Action</th>
                </tr>
              </thead>
              <tbody>
                {data.rows.length === 0 ? (
                  <tr>
                    <td colSpan={4} class="empty">
                      No domain.
                    </td>
                  </tr>
                ) : (
                  data.rows.map((row) => (
                    <tr key={row.domain} data-domain={row.domain}>
                      <th scope="row" class="mono">
                        {row.domain}
                      </th>
                      <td class="num">{formatCount(row.users)}</td>
                      <td>{row.trusted ? <Badge tone="ok">trusted</Badge> : <Badge tone="blocker">untrusted</Badge>}</td>
                      <td>
                        <button type="button" class="small" disabled={busy} onClick={() => decideOne(row, !row.trusted)} aria-label={`${row.trusted ? 'Untrust' : 'Trust'} ${row.domain}`}>
                          {row.trusted ? 'Untrust' : 'Trust'}
                        </button>
                      </td>
                    </tr>
                  ))
                )}
              </tbody>
            </table>
          </div>
          <Pager total={data.total} offset={data.offset} limit={data.limit} onChange={setOffset} noun="domains" />
        </>
      ) : null}
    </>
  );
}
