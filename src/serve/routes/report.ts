/**
 * The Reports page: GET /api/report (what `usermig report` computes, with chart data and its printed
 * lines) and the CSV downloads, made by the same functions as the files `usermig report` writes.
 */
import type { Hono } from 'hono';
import { buildReport } from '../../report/build-report.js';
import type { Report } from '../../report/outcomes.js';
import { checklistCsv, groupsCsv, usersCsv } from '../../report/report-csv.js';
import { describeReport } from '../../report/write-report.js';
import type { ReportCharts, ReportResponse } from '../api-types.js';
import type { ServeContext } from '../context.js';

const GROUP_SIZES = 50;

export function reportCharts(report: Report): ReportCharts {
  const domains = new Map<string, number>();
  const outcomes = new Map<string, number>();
  for (const user of report.users) {
    const email = user.cloudEmail || user.email;
    const at = email.lastIndexOf('@');
    const domain = at > 0 ? email.slice(at + 1).toLowerCase() : '(none)';
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

export function reportRoutes(app: Hono, ctx: ServeContext): void {
  const report = () => buildReport(ctx.live.current(), ctx.workspaceDir);

  app.get('/api/report', async (c) => {
    const data = await report();
    // The lines `usermig report` prints, but those naming the files it writes.
    const lines = describeReport(data, '', []).filter((line) => !line.startsWith('Report written to'));
    const answer: ReportResponse = { ...data, charts: reportCharts(data), lines };
    return c.json(answer);
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
