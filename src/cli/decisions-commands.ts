/** `usermig decisions log`: every change of a decision, oldest first. */
import type { Command } from 'commander';
import { openWorkspace, resolveWorkspaceDir } from '../workspace/workspace.js';
import { readDecisionLog } from '../workspace/decision-store.js';

export function registerDecisionCommands(decisions: Command): void {
  decisions
    .command('log')
    .description('the history of decisions: who changed what, when, from what, and why')
    .option('--subject <subject>', 'only this user (SOURCE:USERNAME), domain or group')
    .option('--json', 'print JSON')
    .option('--workspace <dir>', 'workspace folder')
    .action((options: { subject?: string; json?: boolean; workspace?: string }) => {
      const workspace = openWorkspace(resolveWorkspaceDir(options.workspace));
      try {
        const entries = readDecisionLog(workspace.db, options.subject);
        if (options.json) process.stdout.write(`${JSON.stringify(entries)}\n`);
        else if (entries.length === 0) process.stdout.write('no decisions yet\n');
        else {
          for (const entry of entries) {
            process.stdout.write(
              `${entry.at}  ${entry.by}  ${entry.subjectType} ${entry.subject}: ${entry.previous || '(none)'} → ${entry.decision}${entry.reason ? `  (${entry.reason})` : ''}\n`,
            );
          }
        }
      } finally {
        workspace.close();
      }
    });
}
