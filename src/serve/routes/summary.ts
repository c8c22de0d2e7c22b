/** GET /api/summary (the overview's cards and the next step) and GET /api/findings/:code (one finding's subjects). */
import fs from 'node:fs';
import path from 'node:path';
import type { Hono } from 'hono';
import type { Assessment } from '../../assess/index.js';
import type { Finding } from '../../model/finding.js';
import { listSources } from '../../workspace/snapshot-store.js';
import type { FindingResponse, FindingSubject, NextStep, SummaryResponse } from '../api-types.js';
import { notFound } from '../api-error.js';
import type { ServeContext } from '../context.js';
import type { Loaded } from '../live-workspace.js';
import { userId } from '../user-index.js';
import { page, paging } from '../paging.js';

const open = (findings: readonly Finding[], severity: Finding['severity']) => findings.filter((f) => f.severity === severity && !f.resolved).length;

/** The next step of the journey, as the CLI command and the dashboard page that do it. */
export function nextStep(assessment: Assessment, ctx: ServeContext): NextStep {
  const blocking = assessment.findings.filter((f) => f.severity === 'blocker' && !f.resolved);
  if (blocking.some((f) => f.code === 'domain-untrusted')) {
    return { command: 'usermig domains trust --all', why: 'accounts in untrusted domains block the plan: trust the domains you own (DOM-01)', page: 'domains' };
  }
  if (blocking.some((f) => f.code.startsWith('email-') || f.code.startsWith('decision-'))) {
    return {
      command: 'usermig users fix --invalid former-user --duplicated merge',
      why: `${blocking.length} blocker${blocking.length === 1 ? '' : 's'} remain: decide for the users with invalid or duplicated emails`,
      page: 'users',
    };
  }
  if (blocking.length > 0) return { command: 'usermig assess', why: `${blocking.length} blockers remain: ${blocking.map((f) => f.code).join(', ')}`, page: 'overview' };
  const db = ctx.live.db;
  const applies = db.prepare('SELECT count(*) FROM applied_plans WHERE finished_at IS NOT NULL').pluck().get() as number;
  const planFile = path.join(ctx.workspaceDir, 'plan.json');
  if (!fs.existsSync(planFile)) return { command: 'usermig plan', why: 'no blockers remain: make a plan and review its diff', page: 'plan' };
  const planId = planIdOf(planFile);
  const applied = planId !== undefined && (db.prepare('SELECT count(*) FROM applied_plans WHERE plan_id = ? AND finished_at IS NOT NULL').pluck().get(planId) as number) > 0;
  if (!applied) return { command: 'usermig apply --yes', why: `the plan ${planId ?? ''} is saved and not applied yet`, page: 'apply' };
  return { command: 'usermig report', why: `${applies} plan${applies === 1 ? '' : 's'} applied: read the outcomes and the post-migration checklist`, page: 'reports' };
}

function planIdOf(file: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { id?: string }).id;
  } catch {
    return undefined;
  }
}

export function summary(loaded: Loaded, ctx: ServeContext): SummaryResponse {
  const { assessment } = loaded;
  return {
    workspace: ctx.workspaceDir,
    sources: listSources(ctx.live.db).map((s) => ({ name: s.name, kind: s.kind, location: s.location, scannedAt: s.scannedAt, counts: s.stats })),
    summary: assessment.summary,
    findings: assessment.findings.map((f) => ({ code: f.code, severity: f.severity, title: f.message, count: f.subjects.length, fix: f.fix, resolved: f.resolved ?? false })),
    blockers: open(assessment.findings, 'blocker'),
    warnings: open(assessment.findings, 'warning'),
    nextStep: nextStep(assessment, ctx),
    target: ctx.target,
  };
}

/** The overview of a workspace nothing was scanned into yet: empty figures, and the scan as the next step. */
function emptySummary(ctx: ServeContext): SummaryResponse {
  return {
    workspace: ctx.workspaceDir,
    sources: [],
    summary: { sources: 0, users: 0, activeUsers: 0, groups: 0, directMemberships: 0, invalidEmails: 0, duplicatedEmails: 0, domains: 0, blocklistedGroups: 0, nestedGroups: 0, billableUsers: {} },
    findings: [],
    blockers: 0,
    warnings: 0,
    nextStep: {
      command: `usermig scan jira-backup:BACKUP.zip confluence-backup:EXPORT.zip --workspace ${ctx.workspaceDir}`,
      why: 'the workspace has no sources yet: scan the backups (or the live products and directories) first',
      page: 'overview',
    },
    target: ctx.target,
  };
}

export function summaryRoutes(app: Hono, ctx: ServeContext): void {
  app.get('/api/summary', (c) => c.json(ctx.live.hasSources() ? summary(ctx.live.current(), ctx) : emptySummary(ctx)));

  app.get('/api/findings/:code', (c) => {
    const loaded = ctx.live.current();
    const code = c.req.param('code');
    const found = loaded.assessment.findings.filter((f) => f.code === code);
    if (found.length === 0) throw notFound(`no finding ${code} in the assessment`);
    const first = found[0]!;
    const subjects: FindingSubject[] = found.flatMap((finding) =>
      finding.subjects.map((subject) => {
        const row: FindingSubject = { ...subject };
        if (subject.type === 'user' && subject.source) {
          const user = loaded.estate.sources.find((s) => s.name === subject.source)?.usersByLowerName.get(subject.id.toLowerCase());
          if (user) row.userId = userId(user);
        }
        return row;
      }),
    );
    const answer: FindingResponse = {
      ...page(subjects, paging(c)),
      code,
      severity: first.severity,
      title: found.map((f) => f.message).join(' '),
      fix: first.fix,
      resolved: found.every((f) => f.resolved ?? false),
    };
    return c.json(answer);
  });
}
