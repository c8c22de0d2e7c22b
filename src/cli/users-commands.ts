/**
 * `usermig users show | decide | fix`: look at a user, decide for one user, decide for every user with an
 * invalid or duplicated email at once.
 */
import type { Command } from 'commander';
import type { EffectiveUser, Estate } from '../assess/estate.js';
import { findOneUser, findUsers } from '../decide/find-user.js';
import { describeRef, refKey, resolveIdentities } from '../decide/identities.js';
import { USER_ACTIONS, type Decisions } from '../model/decision.js';
import { decideUser } from '../decide/user-decision.js';
import { userFacts } from '../decide/user-facts.js';
import { fixUsers } from '../decide/user-fix.js';
import { usageError } from '../model/errors.js';
import { describeUserDecision, readDecisionLog } from '../workspace/decision-store.js';
import { withEstate } from './workspace-estate.js';

const out = (text: string) => void process.stdout.write(`${text}\n`);

export function registerUserCommands(users: Command): void {
  users
    .command('show')
    .description('everything usermig knows about a user: entries, groups, the cloud account it becomes, decisions')
    .argument('<user>', 'SOURCE:USERNAME, a username, a user key or an email')
    .option('--workspace <dir>', 'workspace folder')
    .action((text: string, options: { workspace?: string }) => {
      process.exitCode = withEstate(options.workspace, ({ workspace, estate, decisions }) => {
        const found = findUsers(estate, text);
        if (found.length === 0) throw usageError(`no user "${text}" in the workspace`);
        const identities = resolveIdentities(estate, decisions.users);
        for (const user of found) out(describeUser(estate, decisions, identities, user, readDecisionLog(workspace.db, describeRef(user))));
        return 0;
      });
    });

  users
    .command('decide')
    .description(`decide for one user: ${USER_ACTIONS.join(' | ')} (new-email ADDRESS, merge-into USER), or clear the decision`)
    .argument('<user>', 'SOURCE:USERNAME, a username, a user key or an email')
    .argument('<action>', `${USER_ACTIONS.join(' | ')} | clear`)
    .argument('[value]', 'the address for new-email, the surviving user for merge-into')
    .option('--reason <text>', 'why (kept in the decision log)')
    .option('--force', 'change a decision that an applied plan already used')
    .option('--workspace <dir>', 'workspace folder')
    .action((text: string, action: string, value: string | undefined, options: { reason?: string; force?: boolean; workspace?: string }) => {
      process.exitCode = withEstate(options.workspace, ({ workspace, estate, decisions }) => {
        const user = findOneUser(estate, text);
        out(decideUser(workspace.db, estate, decisions, user, action, value, { reason: options.reason, force: options.force }).message);
        return 0;
      });
    });

  users
    .command('fix')
    .description('decide for every undecided user with an invalid or duplicated email')
    .option('--invalid <fix>', 'former-user | new-email')
    .option('--duplicated <fix>', 'merge | new-email | former-user')
    .option('--email-template <template>', 'generated addresses: {username} {key} {source} {domain}', '{username}@{domain}')
    .option('--email-domain <domain>', 'the domain of generated addresses')
    .option('--dry-run', 'show the decisions without saving them')
    .option('--reason <text>', 'why (kept in the decision log)')
    .option('--workspace <dir>', 'workspace folder')
    .action(
      (options: { invalid?: string; duplicated?: string; emailTemplate?: string; emailDomain?: string; dryRun?: boolean; reason?: string; workspace?: string }) => {
        process.exitCode = withEstate(options.workspace, ({ workspace, estate, decisions }) => {
          for (const line of fixUsers(workspace.db, estate, decisions, options, { reason: options.reason }).lines) out(line);
          return 0;
        });
      },
    );
}

/** The directory's name as the dashboard shows it, with its id. */
function directoryOf(estate: Estate, user: EffectiveUser): string {
  const directory = estate.sources.find((source) => source.name === user.source)?.directories.find((d) => d.id === user.directoryId);
  return directory && directory.name ? `${directory.name} (${directory.id})` : user.directoryId;
}

function describeUser(
  estate: Estate,
  decisions: Decisions,
  identities: ReturnType<typeof resolveIdentities>,
  user: EffectiveUser,
  log: ReturnType<typeof readDecisionLog>,
): string {
  const facts = userFacts(estate, identities, user);
  const decision = decisions.users.find((d) => refKey(d) === refKey(user));
  const lines = [
    `${describeRef(user)}`,
    `  key            ${user.userKey}`,
    `  directory      ${directoryOf(estate, user)}`,
    `  active         ${user.active ? 'yes' : 'no (disabled: no product access, not billed)'}`,
    `  email          ${user.rawEmail || '(none)'}${user.email.valid ? '' : ' (invalid)'}`,
    `  groups         ${facts.direct.join(', ') || 'none'}${facts.nested.length ? `; through nested groups: ${facts.nested.map((g) => g.name).join(', ')}` : ''}`,
    `  references     ${facts.references.count}`,
    `  becomes        ${facts.becomes.text}`,
    `  decision       ${decision ? `${describeUserDecision(decision)} (by ${decision.decidedBy} on ${decision.decidedAt}${decision.reason ? `: ${decision.reason}` : ''}${decision.appliedAt ? `; applied ${decision.appliedAt}` : ''})` : 'none (migrate)'}`,
  ];
  for (const entry of log) lines.push(`  log            ${entry.at} ${entry.by}: ${entry.previous || '(none)'} → ${entry.decision}${entry.reason ? ` (${entry.reason})` : ''}`);
  return lines.join('\n');
}
