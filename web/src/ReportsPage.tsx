/**
 * Reports: what happened to each user and group, and what is left to do by hand in the cloud (the
 * post-migration checklist), with the CSV files `usermig report` writes and three charts.
 */
import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { ReportGroupsResponse, ReportResponse, ReportUsersResponse } from '../../src/serve/api-types';
import { useApi, withQuery } from './api';
import { Badge, type Tone } from './Badges';
import { BarChart } from './BarChart';
import { Card } from './Card';
import { formatCount, formatDate } from './format';
import { ErrorNotice, InfoNotice, Loading } from './Notice';
import { Pager } from './Pager';

const OUTCOME_COLORS: Record<string, string> = {
  created: '#2f7d4a',
  linked: '#3b73c8',
  merged: '#7a5cc0',
  pending: '#c08a1e',
  'former user': '#7b8190',
  skipped: '#a9afbb',
  unresolved: '#b42318',
};

function outcomeTone(outcome: string): Tone {
  if (outcome === 'created' || outcome === 'linked' || outcome === 'merged into existing') return 'ok';
  if (outcome === 'pending') return 'warning';
  if (outcome === 'unresolved') return 'blocker';
  return 'neutral';
}

const STEP_TITLES: Record<number, string> = {
  1: 'Approve product and admin access, group by group',
  2: 'Re-add the admins of blocklisted groups',
  3: 'Invite the users',
};

export function ReportsPage() {
  // The summary, checklist and charts; the outcome tables are paged on the server (a large estate's rows
  // would be hundreds of megabytes).
  const { data, error, loading } = useApi<ReportResponse>('/api/report?rows=none');
  if (error) return <ErrorNotice error={error} prefix="The report could not be made" />;
  if (!data) return loading ? <Loading what="the report" /> : null;
  const { summary, charts } = data;
  return (
    <>
      <h1>Reports</h1>
      <p class="lead">
        {data.applied ? (
          <>
            Outcomes after the last apply{data.lastApply ? ` (plan ${data.lastApply.planId}, ${formatDate(data.lastApply.finishedAt ?? data.lastApply.startedAt)})` : ''} into{' '}
            <code>{data.target}</code>.
          </>
        ) : (
          'Nothing has been applied yet: every account is pending. The report shows what the migration will do.'
        )}{' '}
        Made {formatDate(data.generatedAt)}.
      </p>

      <section class="panel" aria-labelledby="downloads-title">
        <h2 id="downloads-title" style={{ marginTop: 0 }}>
          Downloads
        </h2>
        <p class="small muted">The same files as <code>usermig report</code> writes, for the records and the security review.</p>
        <div class="actions">
          <a class="button primary" href="/api/report/users.csv" download="users.csv" data-testid="download-users">
            Download users.csv
          </a>
          <a class="button" href="/api/report/groups.csv" download="groups.csv">
            Download groups.csv
          </a>
          <a class="button" href="/api/report/checklist.csv" download="checklist.csv">
            Download checklist.csv
          </a>
        </div>
      </section>

      {data.notices.map((notice, i) => (
        <InfoNotice key={i}>{notice}</InfoNotice>
      ))}

      <div class="cards">
        <Card label="Source users" value={summary.users} testId="report-users" />
        <Card label="Accounts created" value={summary.accounts.created} tone={summary.accounts.created > 0 ? 'ok' : undefined} testId="report-created" sub={`of ${formatCount(summary.accounts.desired)} accounts`} />
        <Card label="Accounts linked" value={summary.accounts.linked} testId="report-linked" sub="existed already" />
        <Card label="Accounts pending" value={summary.accounts.pending} tone={summary.accounts.pending > 0 ? 'warning' : 'ok'} testId="report-pending" />
        <Card label="Groups" value={summary.groups.desired} testId="report-groups" sub={`${formatCount(summary.groups.created)} created · ${formatCount(summary.groups.mergedIntoExisting)} merged · ${formatCount(summary.groups.pending)} pending`} />
        <Card label="Checklist items" value={data.checklist.length} testId="report-checklist-count" sub="to do by hand in the cloud" />
      </div>

      <div class="charts">
        <BarChart title="Users by outcome" testId="chart-outcomes" bars={charts.outcomeCounts.map((row) => ({ label: row.outcome, value: row.count, tone: OUTCOME_COLORS[row.outcome] }))} />
        <BarChart title="Users by email domain" testId="chart-domains" bars={charts.usersByDomain.map((row) => ({ label: row.domain, value: row.users }))} color="#3b73c8" />
        <BarChart title="Largest groups (members in the cloud)" testId="chart-groups" bars={charts.groupSizes.map((row) => ({ label: row.group, value: row.members }))} color="#5a7fa8" max={15} />
      </div>

      <h2 id="checklist-title">Post-migration checklist</h2>
      {data.checklist.length === 0 ? (
        <p class="muted">Nothing to do by hand.</p>
      ) : (
        <div class="table-wrap">
          <table aria-labelledby="checklist-title" data-testid="checklist">
            <thead>
              <tr>
                <th scope="col">Group</th>
                <th scope="col">To do</th>
                <th scope="col" class="num">People</th>
                <th scope="col" class="num">Billable</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {data.checklist.map((item, i) => (
                <Fragment key={i}>
                  {i === 0 || data.checklist[i - 1]!.step !== item.step ? (
                    <tr class="step-row">
                      <th scope="rowgroup" colSpan={5}>
                        Step {item.step}: {STEP_TITLES[item.step] ?? item.task}
                      </th>
                    </tr>
                  ) : null}
                  <tr>
                    <td>{item.group}</td>
                    <td>{item.item}</td>
                    <td class="num">{formatCount(item.people)}</td>
                    <td class="num">{item.billable === null ? '—' : formatCount(item.billable)}</td>
                    <td class="small">{item.detail}</td>
                  </tr>
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <UserOutcomes report={data} />
      <GroupOutcomes report={data} />
    </>
  );
}

function UserOutcomes({ report }: { report: ReportResponse }) {
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  const [outcome, setOutcome] = useState('');
  const [offset, setOffset] = useState(0);
  const limit = 50;
  // The search goes to the server once typing pauses.
  useEffect(() => {
    if (search === q) return;
    const timer = window.setTimeout(() => {
      setQ(search);
      setOffset(0);
    }, 250);
    return () => window.clearTimeout(timer);
  }, [search]);
  const { data, error } = useApi<ReportUsersResponse>(withQuery('/api/report/users', { q, outcome, offset, limit, at: report.generatedAt }));
  const outcomes = [...new Set(report.charts.outcomeCounts.map((row) => (row.outcome.startsWith('merged into') ? 'merged' : row.outcome)))].sort();
  return (
    <>
      <h2 id="user-outcomes-title">Users</h2>
      <div class="toolbar">
        <label class="field grow">
          Search username or email
          <input type="search" value={search} onInput={(event) => setSearch((event.currentTarget as HTMLInputElement).value)} />
        </label>
        <label class="field">
          Outcome
          <select value={outcome} onChange={(event) => { setOutcome((event.currentTarget as HTMLSelectElement).value); setOffset(0); }}>
            <option value="">any</option>
            {outcomes.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
      </div>
      {error ? <ErrorNotice error={error} prefix="The users' outcomes could not be read" /> : null}
      <div class="table-wrap">
        <table aria-labelledby="user-outcomes-title" data-testid="user-outcomes">
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Source email</th>
              <th scope="col">Cloud account</th>
              <th scope="col">Outcome</th>
              <th scope="col" class="num">Groups</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {(data?.rows ?? []).map((row) => (
              <tr key={`${row.source}:${row.userKey}`}>
                <th scope="row">
                  {row.source}:{row.userName}
                </th>
                <td class="mono small email">{row.email}</td>
                <td class="mono small email">{row.cloudEmail || <span class="muted">none</span>}</td>
                <td>
                  <Badge tone={outcomeTone(row.outcome)}>{row.outcome}</Badge>
                </td>
                <td class="num">{formatCount(row.groups.length)}</td>
                <td class="small muted">
                  <div class="clip" title={row.reasons.join('\n')}>
                    {row.reasons[0] ?? ''}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager total={data?.total ?? 0} offset={offset} limit={limit} onChange={setOffset} noun="users" />
    </>
  );
}

function GroupOutcomes({ report }: { report: ReportResponse }) {
  const [offset, setOffset] = useState(0);
  const limit = 100;
  const { data, error } = useApi<ReportGroupsResponse>(withQuery('/api/report/groups', { offset, limit, at: report.generatedAt }));
  return (
    <>
      <h2 id="group-outcomes-title">Groups</h2>
      {error ? <ErrorNotice error={error} prefix="The groups' outcomes could not be read" /> : null}
      <div class="table-wrap">
        <table aria-labelledby="group-outcomes-title" data-testid="group-outcomes">
          <thead>
            <tr>
              <th scope="col">Cloud group</th>
              <th scope="col">From</th>
              <th scope="col">Outcome</th>
              <th scope="col" class="num">Members</th>
              <th scope="col" class="num">Only via nesting</th>
              <th scope="col">Access awaiting approval</th>
            </tr>
          </thead>
          <tbody>
            {(data?.rows ?? []).map((row) => (
              <tr key={row.cloudName}>
                <th scope="row">{row.cloudName}</th>
                <td class="small">{row.sources.map((s) => `${s.source}:${s.name}${s.naming === 'own' ? '' : ` (${s.naming})`}`).join(', ')}</td>
                <td>
                  <Badge tone={outcomeTone(row.outcome)}>{row.outcome}</Badge>
                </td>
                <td class="num">{formatCount(row.members)}</td>
                <td class="num">{formatCount(row.membersViaNestedOnly)}</td>
                <td class="small">{[...row.productAccessAwaitingApproval, ...row.adminAccessAwaitingApproval.map((a) => `admin: ${a}`)].join(', ') || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager total={data?.total ?? 0} offset={offset} limit={limit} onChange={setOffset} noun="groups" />
    </>
  );
}
