/**
 * `usermig report [--format csv|json|html] [--out DIR]`: per-user and per-group outcomes and the
 * post-migration checklist, from the workspace, the apply ledger and what the target of the last apply
 * holds. Before any apply it reports the desired state, every account pending, and says so.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { UsermigError, usageError } from '../model/errors.js';
import { desiredState } from '../plan/desired-state.js';
import type { CurrentCloud, Operation } from '../plan/operations.js';
import { computeReport, redactTarget, type AppliedPlanRow, type LedgerRow, type Report } from '../report/outcomes.js';
import { reportHtml } from '../report/report-html.js';
import { checklistCsv, groupsCsv, usersCsv, writeFileAtomically } from '../report/report-csv.js';
import { parseVia } from '../targets/cloud-writer.js';
import { readCloud } from '../targets/cloud-view.js';
import { openTarget } from '../targets/target.js';
import type { Db } from '../workspace/workspace.js';
import { resolveWorkspaceDir } from '../workspace/workspace.js';
import { planScopeMembers, planScopes } from '../workspace/scope-store.js';
import { withEstateAsync, type WorkspaceEstate } from './workspace-estate.js';

const out = (text: string) => void process.stdout.write(`${text}\n`);
const FORMATS = ['csv', 'json', 'html'] as const;
type Format = (typeof FORMATS)[number];

function readLedger(db: Db): LedgerRow[] {
  const rows = db.prepare('SELECT plan_id, seq, operation, state, cloud_id, detail, updated_at FROM ledger ORDER BY plan_id, seq').all() as Array<{
    plan_id: string;
    seq: number;
    operation: string;
    state: string;
    cloud_id: string | null;
    detail: string | null;
    updated_at: string;
  }>;
  return rows.map((row) => {
    let operation: Operation;
    try {
      operation = JSON.parse(row.operation) as Operation;
    } catch {
      throw new UsermigError('workspace', `the ledger row ${row.plan_id}#${row.seq} does not hold an operation; the workspace is damaged`);
    }
    return { planId: row.plan_id, seq: row.seq, operation, state: row.state, cloudId: row.cloud_id, detail: row.detail ?? '', updatedAt: row.updated_at };
  });
}

function readApplies(db: Db): AppliedPlanRow[] {
  const rows = db.prepare('SELECT plan_id, started_at, finished_at, target, via, summary FROM applied_plans ORDER BY started_at, plan_id').all() as Array<{
    plan_id: string;
    started_at: string;
    finished_at: string | null;
    target: string;
    via: string;
    summary: string;
  }>;
  return rows.map((row) => {
    let summary: Record<string, number> = {};
    try {
      summary = JSON.parse(row.summary) as Record<string, number>;
    } catch {
      summary = {};
    }
    return { planId: row.plan_id, startedAt: row.started_at, finishedAt: row.finished_at, target: row.target, via: parseVia(row.via), summary };
  });
}

function parseFormats(format: string | undefined): Format[] {
  if (format === undefined) return [...FORMATS];
  if (!(FORMATS as readonly string[]).includes(format)) throw usageError(`"${format}" is not a report format; use csv, json or html`);
  return [format as Format];
}

/** Writes the report in the formats asked for; returns the files written. */
export function writeReport(report: Report, dir: string, formats: readonly Format[]): string[] {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new UsermigError('input', `cannot create the report folder ${dir}: ${(error as Error).message}`);
  }
  const files: string[] = [];
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    writeFileAtomically(file, text);
    files.push(file);
  };
  for (const format of formats) {
    if (format === 'csv') {
      write('users.csv', usersCsv(report));
      write('groups.csv', groupsCsv(report));
      write('checklist.csv', checklistCsv(report));
    } else if (format === 'json') {
      write('report.json', `${JSON.stringify(report, null, 2)}\n`);
    } else {
      write('report.html', reportHtml(report));
    }
  }
  return files;
}

/** Reads the ledger, the applies and the cloud of the last apply, and computes the report. */
export async function buildReport({ workspace, estate, decisions }: WorkspaceEstate, workspaceDir: string): Promise<Report> {
  const ledger = readLedger(workspace.db);
  const applies = readApplies(workspace.db);
  const last = applies[applies.length - 1];
  let cloud: CurrentCloud | null = null;
  let targetLabel: string | undefined;
  if (last) {
    // The cloud as the last apply wrote it (SCIM, or the organization API), from the workspace's record
    // when the cloud's totals still match it.
    const target = await openTarget(last.target, workspaceDir, undefined, last.via);
    try {
      cloud = (await readCloud(workspace.db, target)).state;
      targetLabel = last.target === 'local' ? target.label : redactTarget(target.label);
    } finally {
      await target.close();
    }
  }
  return computeReport({
    estate,
    decisions,
    desired: desiredState(estate, decisions),
    ledger,
    applies,
    cloud,
    ...(targetLabel ? { targetLabel } : {}),
    waves: {
      scopes: new Map(planScopes(workspace.db).map((scope) => [scope.planId, scope])),
      members: planScopeMembers(
        workspace.db,
        applies.map((apply) => apply.planId),
      ),
    },
    generatedAt: new Date().toISOString(),
  });
}

/** The lines `usermig report` prints: the summary, the checklist in brief, and the files. */
export function describeReport(report: Report, dir: string, files: readonly string[]): string[] {
  const s = report.summary;
  const approvals = new Set(report.checklist.filter((item) => item.step === 1).map((item) => item.group)).size;
  const readds = report.checklist.filter((item) => item.step === 2 && item.item !== '').length;
  return [
    ...report.notices,
    `${s.users} source users: ${Object.entries(s.byOutcome)
      .map(([outcome, count]) => `${count} ${outcome}`)
      .join(', ')}; ${s.accounts.desired} accounts (${s.accounts.created} created, ${s.accounts.linked} linked, ${s.accounts.pending} pending); ` +
      `${s.groups.desired} groups (${s.groups.created} created, ${s.groups.mergedIntoExisting} merged into existing, ${s.groups.pending} pending), ` +
      `${s.groups.blocklisted} blocklisted, ${s.groups.skipped} skipped.`,
    `Checklist: 1) approve access for ${approvals} group${approvals === 1 ? '' : 's'}; ` +
      `2) re-add ${readds} member${readds === 1 ? '' : 's'} to ${s.groups.blocklisted} blocklisted group${s.groups.blocklisted === 1 ? '' : 's'}; ` +
      `3) invite the users of ${s.accountsCreatedByLedger} created account${s.accountsCreatedByLedger === 1 ? '' : 's'}.`,
    `Report written to ${dir}:`,
    ...files.map((file) => `  ${file}`),
  ];
}

export function registerReportCommands(cli: Command): void {
  cli
    .command('report')
    .description('per-user and per-group outcomes and the post-migration checklist, as CSV, JSON and HTML')
    .option('--format <format>', 'csv (users.csv, groups.csv, checklist.csv), json (report.json) or html (report.html); default: all three')
    .option('--out <dir>', 'the folder to write to (default WORKSPACE/report)')
    .option('--workspace <dir>', 'workspace folder (default ./.usermig or USERMIG_WORKSPACE)')
    .action(async (options: { format?: string; out?: string; workspace?: string }) => {
      const formats = parseFormats(options.format);
      const workspaceDir = resolveWorkspaceDir(options.workspace);
      const dir = path.resolve(options.out ?? path.join(workspaceDir, 'report'));
      const report = await withEstateAsync(options.workspace, (context) => buildReport(context, workspaceDir));
      const files = writeReport(report, dir, formats);
      if (formats.length === 1 && formats[0] === 'json') {
        // Only the path on stdout, so that scripts can read it; the notices go to stderr.
        for (const notice of report.notices) process.stderr.write(`${notice}\n`);
        out(files[0] as string);
      } else {
        for (const line of describeReport(report, dir, files)) out(line);
      }
      process.exitCode = 0;
    });
}
