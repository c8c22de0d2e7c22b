/**
 * `usermig explain USER [--scope SPEC]... [--group-members scoped|all] [--json]`: every reason a user is
 * in, or out of, a scope. Without --scope, the scope of the last saved plan (WORKSPACE/plan.json), else all.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { resolveIdentities } from '../decide/identities.js';
import { findOneUser } from '../decide/find-user.js';
import { readPlanFile } from '../plan/plan-file.js';
import { explainUser, explanationLines } from '../scope/explain.js';
import { parseScope, workspaceScope } from '../scope/index.js';
import { loadUserReferences } from '../workspace/scope-store.js';
import { resolveWorkspaceDir } from '../workspace/workspace.js';
import { withEstate } from './workspace-estate.js';

const out = (text: string) => void process.stdout.write(`${text}\n`);

/** The specs of the last saved plan: its scope, or all. */
function lastPlanSpecs(workspaceDir: string): { specs: string[]; groupMembers: string | undefined; from: string } {
  const file = path.join(workspaceDir, 'plan.json');
  if (!fs.existsSync(file)) return { specs: [], groupMembers: undefined, from: 'no plan yet: all' };
  const plan = readPlanFile(file);
  if (!plan.scope) return { specs: [], groupMembers: undefined, from: `the last plan (${plan.id}): all` };
  return {
    specs: plan.scope.specs.filter((spec) => !spec.startsWith('--')),
    groupMembers: plan.scope.groupMembers,
    from: `the last plan (${plan.id})`,
  };
}

export function registerExplainCommand(cli: Command): void {
  cli
    .command('explain')
    .description('every reason a user is in, or out of, the scope (default: the scope of the last plan)')
    .argument('<user>', 'SOURCE:USERNAME (e.g. jira:alice), a username, a user key or an email')
    .option('--scope <spec>', 'as for plan; repeatable (default: the scope of the last saved plan, else all)', (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option('--group-members <mode>', 'as for plan: scoped (default) or all')
    .option('--json', 'print the explanation as JSON')
    .option('--workspace <dir>', 'workspace folder')
    .action((who: string, options: { scope: string[]; groupMembers?: string; json?: boolean; workspace?: string }) => {
      const workspaceDir = resolveWorkspaceDir(options.workspace);
      const given = options.scope.length > 0 || options.groupMembers !== undefined;
      const last = given ? undefined : lastPlanSpecs(workspaceDir);
      const spec = parseScope(given ? options.scope : last?.specs, given ? options.groupMembers : last?.groupMembers);
      process.exitCode = withEstate(options.workspace, ({ workspace, estate, decisions }) => {
        const user = findOneUser(estate, who);
        const scope = workspaceScope(workspace.db, estate, decisions, spec);
        const source = estate.sources.find((s) => s.name === user.source);
        const keys = source ? [user.userKey, ...[...source.userKeys].filter(([, name]) => name === user.lowerName).map(([key]) => key)] : [user.userKey];
        const explanation = explainUser(estate, resolveIdentities(estate, decisions.users), scope, user, loadUserReferences(workspace.db, user.source, keys));
        if (options.json) out(JSON.stringify({ scope: spec.specs, from: last?.from ?? 'the --scope options', ...explanation }));
        else {
          out(`Scope: ${spec.specs.join(', ')}${last ? ` (${last.from})` : ''}`);
          for (const line of explanationLines(explanation)) out(line);
        }
        return 0;
      });
    });
}
