/**
 * `usermig report [--format csv|json|html] [--out DIR]`: per-user and per-group outcomes and the
 * post-migration checklist, from the workspace, the apply ledger and what the target of the last apply
 * holds. Before any apply it reports the desired state, every account pending, and says so.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { buildReport } from '../report/build-report.js';
import { describeReport, parseFormats, writeReport } from '../report/write-report.js';
import { resolveWorkspaceDir } from '../workspace/workspace.js';
import { withEstateAsync } from './workspace-estate.js';

const out = (text: string) => void process.stdout.write(`${text}\n`);

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
