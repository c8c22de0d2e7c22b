/**
 * `users fix`: decisions for every undecided user with an invalid or duplicated email, in one go. Pure:
 * estate and current identities in, decision inputs and a description of the merges out. Users who already
 * have a decision are left as they are (decisions are explicit and sticky).
 */
import { accountConflicts } from '../assess/checks/duplicated-emails.js';
import type { CheckContext } from '../assess/context.js';
import type { EffectiveUser, Estate } from '../assess/estate.js';
import { usageError } from '../model/errors.js';
import type { UserDecisionInput } from '../workspace/decision-store.js';
import { DEFAULT_EMAIL_TEMPLATE, checkTemplate, generateEmail } from './generated-email.js';
import { chooseSurvivor, describeMerges, type MergeOutcome } from './merge.js';

export type InvalidFix = 'former-user' | 'new-email';
export type DuplicatedFix = 'merge' | 'new-email' | 'former-user';

export interface BulkFixOptions {
  invalid?: InvalidFix;
  duplicated?: DuplicatedFix;
  emailTemplate?: string;
  emailDomain?: string;
}

export interface BulkFix {
  inputs: UserDecisionInput[];
  merges: MergeOutcome[];
}

const ref = (user: EffectiveUser) => ({ source: user.source, userKey: user.userKey, userName: user.userName });

export function planBulkFix(estate: Estate, context: CheckContext, options: BulkFixOptions): BulkFix {
  if (!options.invalid && !options.duplicated) throw usageError('users fix needs --invalid former-user|new-email and/or --duplicated merge|new-email|former-user');
  const template = options.emailTemplate ?? DEFAULT_EMAIL_TEMPLATE;
  const generating = options.invalid === 'new-email' || options.duplicated === 'new-email';
  if (generating) checkTemplate(template, options.emailDomain);

  // Who keeps which address once the current decisions apply: a generated address must not be someone else's.
  const owners = new Map<string, string>();
  for (const identity of context.identities.byUser.values()) {
    if (identity.outcome === 'account' && identity.email) owners.set(identity.email, identity.user.lowerName);
  }
  const newEmail = (user: EffectiveUser): string => {
    const address = generateEmail(user, template, options.emailDomain ?? '', (candidate) => {
      const owner = owners.get(candidate);
      return owner !== undefined && owner !== user.lowerName;
    });
    owners.set(address, user.lowerName);
    return address;
  };
  const undecided = (user: EffectiveUser) => !context.identities.byUser.get(user)?.decision;

  const inputs: UserDecisionInput[] = [];
  const merges: MergeOutcome[] = [];
  for (const source of estate.sources) {
    if (options.invalid) {
      for (const user of source.users) {
        if (user.email.valid || !undecided(user)) continue;
        inputs.push(
          options.invalid === 'former-user'
            ? { user: ref(user), action: 'former-user' }
            : { user: ref(user), action: 'new-email', newEmail: newEmail(user) },
        );
      }
    }
    if (options.duplicated) {
      const sourceMerges: Array<{ survivor: EffectiveUser; merged: EffectiveUser[] }> = [];
      for (const users of accountConflicts(source, context).values()) {
        const survivor = chooseSurvivor(users);
        const others = users.filter((user) => user !== survivor && undecided(user));
        if (others.length === 0) continue;
        if (options.duplicated === 'merge') {
          for (const user of others) inputs.push({ user: ref(user), action: 'merge-into', target: ref(survivor) });
          sourceMerges.push({ survivor, merged: others });
        } else if (options.duplicated === 'former-user') {
          for (const user of others) inputs.push({ user: ref(user), action: 'former-user' });
        } else {
          for (const user of others) inputs.push({ user: ref(user), action: 'new-email', newEmail: newEmail(user) });
        }
      }
      merges.push(...describeMerges(source, sourceMerges));
    }
  }
  return { inputs, merges };
}
