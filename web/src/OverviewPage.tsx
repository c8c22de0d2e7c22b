/** Overview: the estate in numbers, what blocks the migration, and the next step to take. */
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import type { FindingOverview, FindingResponse, SummaryResponse } from '../../src/serve/api-types';
import { useApi, withQuery } from './api';
import { SeverityBadge } from './Badges';
import { Card } from './Card';
import { formatCount, formatDate, plural } from './format';
import { Journey } from './Journey';
import { ErrorNotice, Loading } from './Notice';
import { Pager } from './Pager';
import { href } from './router';

const RANK: Record<string, number> = { blocker: 0, warning: 1, info: 2 };

type FindingFilter = 'open' | 'blocker' | 'warning' | 'info' | 'resolved' | 'all';
const FILTERS: Array<{ name: FindingFilter; label: string; test: (finding: FindingOverview) => boolean }> = [
  { name: 'open', label: 'Open', test: (f) => !f.resolved },
  { name: 'blocker', label: 'Blockers', test: (f) => !f.resolved && f.severity === 'blocker' },
  { name: 'warning', label: 'Warnings', test: (f) => !f.resolved && f.severity === 'warning' },
  { name: 'info', label: 'Information', test: (f) => !f.resolved && f.severity === 'info' },
  { name: 'resolved', label: 'Resolved', test: (f) => f.resolved },
  { name: 'all', label: 'All', test: () => true },
];

const PAGE_TITLES: Record<string, string> = {
  overview: 'Overview',
  users: 'Users',
  domains: 'Domains',
  groups: 'Groups',
  plan: 'Plan',
  apply: 'Apply',
  reports: 'Reports',
};

export function OverviewPage() {
  const { data, error, loading } = useApi<SummaryResponse>('/api/summary');
  const [show, setShow] = useState<FindingFilter>('open');
  if (error) return <ErrorNotice error={error} prefix="The summary could not be loaded" />;
  if (!data) return loading ? <Loading what="the assessment" /> : null;
  const { summary } = data;
  const findings = [...data.findings].sort((a, b) => Number(a.resolved) - Number(b.resolved) || (RANK[a.severity] ?? 3) - (RANK[b.severity] ?? 3));
  const shown = findings.filter(FILTERS.find((filter) => filter.name === show)!.test);
  const billable = Object.entries(summary.billableUsers);
  const emailsOpen = data.findings.some((finding) => (finding.code === 'email-invalid' || finding.code === 'email-duplicated') && !finding.resolved);
  return (
    <>
      <h1>Overview</h1>
      <p class="lead">
        Workspace <code>{data.workspace}</code> · {plural(data.sources.length, 'source')} · plans and applies go to <code>{data.target}</code>
      </p>

      <section class="next-step" aria-labelledby="next-step-title" data-testid="next-step">
        <strong id="next-step-title">Next step: {data.nextStep.why}</strong>
        {data.nextStep.page !== 'overview' ? (
          <a class="button primary" href={href(data.nextStep.page)} style={{ margin: '0.35rem 0.75rem 0.2rem 0' }}>
            Go to {PAGE_TITLES[data.nextStep.page] ?? data.nextStep.page}
          </a>
        ) : null}
        <span class="small muted">
          or on the command line: <code>{data.nextStep.command}</code>
        </span>
      </section>

      <div class="cards">
        <Card label="Blockers" value={data.blockers} tone={data.blockers > 0 ? 'blocker' : 'ok'} testId="card-blockers" sub={data.blockers > 0 ? 'must be resolved before a plan' : 'nothing blocks a plan'} />
        <Card label="Warnings" value={data.warnings} tone={data.warnings > 0 ? 'warning' : 'ok'} testId="card-warnings" sub="worth a look, do not block" />
        <Card label="Users" value={summary.users} testId="card-users" sub={`${formatCount(summary.activeUsers)} active · ${plural(summary.sources, 'source')}`} />
        <Card label="Groups" value={summary.groups} testId="card-groups" sub={`${formatCount(summary.nestedGroups)} nested · ${formatCount(summary.blocklistedGroups)} blocklisted`} />
        <Card label="Email domains" value={summary.domains} testId="card-domains" sub={<a href={href('domains')}>trust or untrust them</a>} />
        <Card
          label="Invalid or shared emails"
          value={summary.invalidEmails + summary.duplicatedEmails}
          testId="card-emails"
          tone={emailsOpen ? 'warning' : undefined}
          sub={`${formatCount(summary.invalidEmails)} invalid · ${formatCount(summary.duplicatedEmails)} shared${summary.invalidEmails + summary.duplicatedEmails > 0 ? (emailsOpen ? ' · to decide' : ' · all decided') : ''}`}
        />
        <Card label="Billable users per product" testId="card-billable">
          {billable.length === 0 ? (
            <div class="sub">no product access granted</div>
          ) : (
            <dl>
              {billable.map(([product, count]) => (
                <Fragment key={product}>
                  <dt>{product}</dt>
                  <dd>{formatCount(count)}</dd>
                </Fragment>
              ))}
            </dl>
          )}
          {billable.length > 0 ? <div class="sub">now, as usermig assess counts them; after the decisions: see the journey</div> : null}
        </Card>
      </div>

      <Journey />

      <h2 id="findings-title">Findings</h2>
      <p class="muted small">
        Blockers stop a plan until a decision resolves them; warnings and information do not. Resolved findings stay listed with their decision.
      </p>
      <div class="actions" role="group" aria-label="Show findings" style={{ marginBottom: '0.6rem' }}>
        {FILTERS.map((filter) => (
          <button key={filter.name} type="button" class="small" aria-pressed={show === filter.name} onClick={() => setShow(filter.name)}>
            {filter.label} ({formatCount(findings.filter(filter.test).length)})
          </button>
        ))}
      </div>
      <div class="table-wrap">
        <table aria-labelledby="findings-title" data-testid="findings">
          <thead>
            <tr>
              <th scope="col">Severity</th>
              <th scope="col">Finding</th>
              <th scope="col" class="num">Subjects</th>
              <th scope="col">How to fix</th>
              <th scope="col">
                <span class="visually-hidden">Subjects list</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.length === 0 ? (
              <tr>
                <td colSpan={5} class="empty">
                  No finding of this kind.
                </td>
              </tr>
            ) : (
              shown.map((finding, i) => <FindingRow key={`${finding.code}-${finding.title}-${i}`} finding={finding} />)
            )}
          </tbody>
        </table>
      </div>

      <h2 id="sources-title">Sources</h2>
      <div class="table-wrap">
        <table aria-labelledby="sources-title">
          <thead>
            <tr>
              <th scope="col">Source</th>
              <th scope="col">Kind</th>
              <th scope="col">Location</th>
              <th scope="col">Scanned</th>
              <th scope="col" class="num">Users</th>
              <th scope="col" class="num">Groups</th>
              <th scope="col" class="num">Memberships</th>
            </tr>
          </thead>
          <tbody>
            {data.sources.map((source) => (
              <tr key={source.name}>
                <th scope="row">
                  <a href={href('users', { source: source.name })}>{source.name}</a>
                </th>
                <td>{source.kind}</td>
                <td class="small mono">{source.location}</td>
                <td class="nowrap">{formatDate(source.scannedAt)}</td>
                <td class="num">{formatCount(source.counts.users)}</td>
                <td class="num">{formatCount(source.counts.groups)}</td>
                <td class="num">{formatCount(source.counts.memberships)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function FindingRow({ finding }: { finding: FindingOverview }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <tr data-code={finding.code} data-severity={finding.severity}>
        <td>
          <SeverityBadge severity={finding.severity} resolved={finding.resolved} />
        </td>
        <td>
          <div>{finding.title}</div>
          <div class="small muted mono">{finding.code}</div>
        </td>
        <td class="num">{formatCount(finding.count)}</td>
        <td class="small">{finding.fix}</td>
        <td>
          <button type="button" class="small" aria-expanded={open} onClick={() => setOpen(!open)} aria-label={`${open ? 'Hide' : 'List'} the subjects of ${finding.code}`}>
            {open ? 'Hide' : 'List'}
          </button>
        </td>
      </tr>
      {open ? (
        <tr>
          <td colSpan={5} style={{ background: '#fafbfd' }}>
            <FindingSubjects code={finding.code} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

function FindingSubjects({ code }: { code: string }) {
  const [offset, setOffset] = useState(0);
  const limit = 25;
  const { data, error } = useApi<FindingResponse>(withQuery(`/api/findings/${encodeURIComponent(code)}`, { offset, limit }));
  if (error) return <ErrorNotice error={error} />;
  if (!data) return <Loading what="the subjects" />;
  return (
    <>
      <table>
        <caption>
          Subjects of {code} · <a href={href('users', { finding: code })}>open the users with this finding</a>
        </caption>
        <thead>
          <tr>
            <th scope="col">Type</th>
            <th scope="col">Subject</th>
            <th scope="col">Source</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {data.rows.map((subject, i) => (
            <tr key={`${subject.id}-${i}`}>
              <td>{subject.type}</td>
              <td>{subject.userId ? <a href={href('users', subject.userId)}>{subject.id}</a> : subject.type === 'group' ? <a href={href('groups', subject.id)}>{subject.id}</a> : subject.id}</td>
              <td>{subject.source ?? ''}</td>
              <td class="small">{subject.detail ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager total={data.total} offset={data.offset} limit={limit} onChange={setOffset} noun="subjects" />
    </>
  );
}
