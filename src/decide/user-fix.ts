/**
 * `users fix` as `usermig users fix` and the dashboard's Users page both run it: the options checked, the
 * decisions for every undecided user with an invalid or duplicated email planned (src/decide/bulk-fix.ts),
 * described in the CLI's words, and saved unless it is a dry run.
 */
import { checkContext } from '../assess/context.js';
import type { Estate } from '../assess/estate.js';
import type { Decisions } from '../model/decision.js';
import { usageError } from '../model/errors.js';
import { describeUserDecision, saveUserDecisions, type DecisionContext, type UserDecisionInput } from '../workspace/decision-store.js';
import type { Db } from '../workspace/workspace.js';
import { planBulkFix, type DuplicatedFix, type InvalidFix } from './bulk-fix.js';
import { describeRef } from './identities.js';

export interface UserFixOptions {
  invalid?: string | undefined;
  duplicated?: string | undefined;
  emailTemplate?: string | undefined;
  emailDomain?: string | undefined;
  dryRun?: boolean | undefined;
}

export interface UserFix {
  inputs: UserDecisionInput[];
  /** `merge a, b into c (c@x): groups …` per merge. */
  merges: string[];
  /** `3 former-user, 2 merge-into`, or `nothing to decide`. */
  summary: string;
  saved: number;
  /** What `usermig users fix` prints. */
  lines: string[];
}

export function fixUsers(db: Db, estate: Estate, decisions: Decisions, options: UserFixOptions, context: DecisionContext): UserFix {
  if (options.invalid && !['former-user', 'new-email'].includes(options.invalid)) throw usageError(`--invalid takes former-user or new-email, not "${options.invalid}"`);
  if (options.duplicated && !['merge', 'new-email', 'former-user'].includes(options.duplicated)) {
    throw usageError(`--duplicated takes merge, new-email or former-user, not "${options.duplicated}"`);
  }
  const fix = planBulkFix(estate, checkContext(estate, decisions), {
    invalid: options.invalid as InvalidFix | undefined,
    duplicated: options.duplicated as DuplicatedFix | undefined,
    emailTemplate: options.emailTemplate,
    emailDomain: options.emailDomain,
  });
  const merges = fix.merges.map(
    (merge) =>
      `merge ${merge.merged.map(describeRef).join(', ')} into ${describeRef(merge.survivor)} (${merge.survivor.email.normalised}): ` +
      `groups ${merge.groups.join(', ') || 'none'}` +
      (merge.droppedAdminGroups.length ? `; admin groups of disabled duplicates not carried over: ${merge.droppedAdminGroups.join(', ')}` : ''),
  );
  const counts = new Map<string, number>();
  for (const input of fix.inputs) counts.set(input.action, (counts.get(input.action) ?? 0) + 1);
  const summary = [...counts].map(([action, count]) => `${count} ${action}`).join(', ') || 'nothing to decide';
  if (options.dryRun) {
    const lines = [...merges, ...fix.inputs.map((input) => `${input.user.source}:${input.user.userName}: ${describeUserDecision(input)}`), `dry run: ${summary}; nothing saved`];
    return { inputs: fix.inputs, merges, summary, saved: 0, lines };
  }
  const saved = saveUserDecisions(db, fix.inputs, { ...context, reason: context.reason ?? 'users fix' });
  return { inputs: fix.inputs, merges, summary, saved, lines: [...merges, `${saved} decisions saved (${summary})`] };
}
