/**
 * `usermig explain USER`: every reason a user is in, or out of, a scope — the references in the scoped
 * projects and spaces with counts and an example, the groups that bring them in (and through which nested
 * group), the same account, the decision — and, for contrast, the references outside the scope and the
 * groups that stay out. Pure: the estate, identities, the resolved scope (none for `all`) and the user's
 * summarised references in.
 */
import type { EffectiveUser, Estate, SourceGroup } from '../assess/estate.js';
import type { Identities } from '../decide/identities.js';
import { describeReference } from './reasons.js';
import type { ResolvedScope } from './resolve.js';
import { viaText } from './resolve.js';
import type { ReferenceRow } from './scope-data.js';

export interface Explanation {
  user: string;
  inScope: boolean;
  /** One line: in scope directly / through groups / as a customer / Former user / out of scope. */
  status: string;
  /** Why the user is in (the plan's reasons). */
  reasons: string[];
  /** References outside the scope (why they are not enough). */
  outside: string[];
  /** The user's groups and whether each is in the scope. */
  groups: string[];
  decision: string | null;
}

const SHOWN = 25;

export function explainUser(estate: Estate, identities: Identities, scope: ResolvedScope | undefined, user: EffectiveUser, references: readonly ReferenceRow[]): Explanation {
  const identity = identities.byUser.get(user);
  const decision = identity?.decision ? `decision: ${identity.decision.action}${identity.decision.newEmail ? ` ${identity.decision.newEmail}` : ''}${identity.decision.reason ? ` (${identity.decision.reason})` : ''}` : null;
  const name = `${user.source}:${user.userName}`;
  const source = estate.sources.find((s) => s.name === user.source);
  const outcome = identity?.outcome;
  const fate = outcome === 'former-user' ? ' as a Former user (decided)' : outcome === 'skip' ? ', but skipped by decision (no account)' : '';

  const refs = [...references].sort((a, b) => b.count - a.count || (a.container < b.container ? -1 : 1));
  if (!scope) {
    return {
      user: name,
      inScope: true,
      status: `in scope${fate}: the scope is all (every user and group)`,
      reasons: ['--scope all migrates every user', ...refs.slice(0, SHOWN).map(describeReference)],
      outside: [],
      groups: source ? groupsOf(source, user).map(({ group, via }) => `member of ${group.name}${via}: in scope`) : [],
      decision,
    };
  }

  const scoped = scope.users.get(user);
  const scopedContainers = scope.containers.get(user.source) ?? new Set<string>();
  const outside = refs.filter((row) => !scopedContainers.has(row.container)).map((row) => `${describeReference(row)} — ${row.container ? `${row.container} is not in scope` : 'not tied to a project or space'}`);
  const groups: string[] = [];
  if (source) {
    for (const { group, via } of groupsOf(source, user)) {
      const inScope = scope.groups.get(group);
      if (!inScope) groups.push(`member of ${group.name}${via}: the group is not in scope`);
      else {
        const how = inScope.whole ? 'migrates whole (every member)' : 'migrates with its in-scope members only';
        groups.push(`member of ${group.name}${via}: in scope (${inScope.why.slice(0, 2).join('; ')}), ${how}${!scoped && !inScope.whole ? ' — --group-members all would bring this user in' : ''}`);
      }
    }
  }
  let status: string;
  if (!scoped) status = `out of scope (${scope.spec.specs.join(', ')}): nothing in the scoped data names ${name}, and no group that migrates whole holds them`;
  else if (scoped.customer) status = `in scope as a JSM customer${fate}`;
  else if (scoped.direct) status = `in scope directly${fate}`;
  else if (scoped.reasons.every((r) => r.kind === 'same-account')) status = `in scope through the same cloud account${fate}`;
  else status = `in scope only through groups${fate}`;
  const counted = (scoped?.reasons ?? []).map((r) => r.text);
  return { user: name, inScope: scoped !== undefined, status, reasons: counted, outside: outside.slice(0, SHOWN).concat(outside.length > SHOWN ? [`… and ${outside.length - SHOWN} more`] : []), groups, decision };
}

/** The groups a user is a member of, directly or through nesting, with the nested path. */
function groupsOf(source: Estate['sources'][number], user: EffectiveUser): Array<{ group: SourceGroup; via: string }> {
  const result: Array<{ group: SourceGroup; via: string }> = [];
  for (const group of source.groups) {
    if (!source.flattened(group).has(user.index)) continue;
    result.push({ group, via: viaText(source, group, user.index) });
  }
  return result;
}

/** The lines `usermig explain` prints. */
export function explanationLines(explanation: Explanation): string[] {
  const lines = [`${explanation.user}: ${explanation.status}`];
  if (explanation.reasons.length > 0) lines.push('  in because:', ...explanation.reasons.map((r) => `    ${r}`));
  if (explanation.groups.length > 0) lines.push('  groups:', ...explanation.groups.map((g) => `    ${g}`));
  if (explanation.outside.length > 0) lines.push('  outside the scope:', ...explanation.outside.map((o) => `    ${o}`));
  if (explanation.decision) lines.push(`  ${explanation.decision}`);
  return lines;
}
