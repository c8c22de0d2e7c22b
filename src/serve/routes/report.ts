/**
 * The Reports page: GET /api/report (what `usermig report` computes, with chart data and its printed
 * lines) and the CSV downloads, made by the same functions as the files `usermig report` writes.
 */
import type { Hono } from 'hono';
import { buildReport } from '../../report/build-report.js';
import type { Report } from '../../report/outcomes.js';
import { checklistCsv, groupsCsv, usersCsv } from '../../report/report-csv.js';
import { describeReport } from '../../report/write-report.js';
import type { ReportCharts, ReportGroupRow, ReportResponse, ReportUserRow } from '../api-types.js';
import type { ServeContext } from '../context.js';
import { choiceQuery, page, paging } from '../paging.js';

const GROUP_SIZES = 50;

export function reportCharts(report: Report): ReportCharts {
  const domains = new Map<string, number>();
  const outcomes = new Map<string, number>();
  for (const user of report.users) {
    const email = user.cloudEmail || user.email;
    const at = email.lastIndexOf('@');
    // No address, or none after its @ ("alice@"): one bar for both, not "(none)" and an empty label.
    const domain = at > 0 && at < email.length - 1 ? email.slice(at + 1).toLowerCase() : '(no domain)';
    domains.set(domain, (domains.get(domain) ?? 0) + 1);
    const outcome = user.outcome.startsWith('merged into') ? 'merged' : user.outcome;
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }
  return {
    usersByDomain: [...domains].map(([domain, users]) => ({ domain, users })).sort((a, b) => b.users - a.users || (a.domain < b.domain ? -1 : 1)),
    groupSizes: report.groups
      .filter((g) => g.cloudName !== '')
      .map((g) => ({ group: g.cloudName, members: g.members }))
      .sort((a, b) => b.members - a.members || (a.group < b.group ? -1 : 1))
      .slice(0, GROUP_SIZES),
    outcomeCounts: [...outcomes].map(([outcome, count]) => ({ outcome, count })).sort((a, b) => b.count - a.count),
  };
}

const CSV = {
  'users.csv': usersCsv,
  'groups.csv': groupsCsv,
  'checklist.csv': checklistCsv,
} as const;

/** A computed report is reused while nothing it reads has changed, for at most this long (the cloud may change by hand). */
const REUSE_MS = 30_000;

/** What the report depends on in the workspace: sources, decisions, the ledger and the applies. */
function reportKey(ctx: ServeContext): string {
  const loaded = ctx.live.current();
  const db = ctx.live.db;
  const ledger = db.prepare('SELECT count(*), max(updated_at) FROM ledger').raw().get();
  const applies = db.prepare('SELECT count(*), max(started_at), max(finished_at) FROM applied_plans').raw().get();
  return JSON.stringify([loaded.sourcesKey, loaded.decisionsKey, ledger, applies]);
}

export function reportRoutes(app: Hono, ctx: ServeContext): void {
  let cached: { key: string; at: number; report: Promise<Report> } | undefined;
  const report = (): Promise<Report> => {
    const key = reportKey(ctx);
    if (cached && cached.key === key && Date.now() - cached.at < REUSE_MS) return cached.report;
    const fresh = buildReport(ctx.live.current(), ctx.workspaceDir);
    cached = { key, at: Date.now(), report: fresh };
    fresh.catch(() => {
      if (cached?.report === fresh) cached = undefined;
    });
    return fresh;
  };

  app.get('/api/report', async (c) => {
    const rows = choiceQuery(c, 'rows', ['all', 'none'] as const) ?? 'all';
    const data = await report();
    // The lines `usermig report` prints, but those naming the files it writes.
    const lines = describeReport(data, '', []).filter((line) => !line.startsWith('Report written to'));
    const answer: ReportResponse = { ...data, ...(rows === 'none' ? { users: [], groups: [] } : {}), charts: reportCharts(data), lines };
    return c.json(answer);
  });

  // The outcomes paged and filtered on the server (a large estate's report is too big to send whole).
  app.get('/api/report/users', async (c) => {
    const q = (c.req.query('q') ?? '').trim().toLowerCase();
    const outcome = c.req.query('outcome') || undefined;
    const rows: ReportUserRow[] = (await report()).users.filter(
      (row) =>
        (q === '' || `${row.source}:${row.userName}\u0000${row.email}\u0000${row.cloudEmail}`.toLowerCase().includes(q)) &&
        (outcome === undefined || row.outcome === outcome || (outcome === 'merged' && row.outcome.startsWith('merged into'))),
    );
    return c.json(page(rows, paging(c)));
  });

  app.get('/api/report/groups', async (c) => {
    const q = (c.req.query('q') ?? '').trim().toLowerCase();
    const outcome = c.req.query('outcome') || undefined;
    const rows: ReportGroupRow[] = (await report()).groups.filter(
      (row) =>
        (q === '' || row.cloudName.toLowerCase().includes(q) || row.sources.some((s) => s.name.toLowerCase().includes(q))) &&
        (outcome === undefined || row.outcome === outcome),
    );
    return c.json(page(rows, paging(c)));
  });

  for (const [name, render] of Object.entries(CSV)) {
    app.get(`/api/report/${name}`, async (c) => {
      const text = render(await report());
      c.header('Content-Type', 'text/csv; charset=utf-8');
      c.header('Content-Disposition', `attachment; filename="${name}"`);
      c.header('Cache-Control', 'no-store');
      return c.body(text);
    });
  }
}
