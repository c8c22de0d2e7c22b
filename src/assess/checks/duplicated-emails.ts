/**
 * S-04: one valid address shared by several effective users of one source (blocker until decided).
 * Decisions settle it when, once applied, no two users of the source would own accounts with the same
 * address: the others are merged into one, get new emails, or become Former users.
 */
import type { Finding } from '../../model/finding.js';
import { describeUserDecision } from '../../workspace/decision-store.js';
import type { CheckContext } from '../context.js';
import type { EffectiveUser, Estate, SourceEstate } from '../estate.js';
import { memoised } from '../memo.js';
import { plural, userSubject } from '../subjects.js';

/** Addresses shared by two or more effective users of the source, each with its users (raw emails). */
export const duplicatedAddresses = memoised((source: SourceEstate): Map<string, EffectiveUser[]> => {
  const shared = new SharedKeys();
  for (const user of source.users) if (user.email.valid) shared.add(user.email.normalised, user);
  return shared.result();
});

/** Addresses that two or more users of the source would still own accounts with, once decisions apply. */
export function accountConflicts(source: SourceEstate, context: CheckContext): Map<string, EffectiveUser[]> {
  const shared = new SharedKeys();
  for (const user of source.users) {
    const identity = context.identities.byUser.get(user);
    if (!identity || identity.outcome !== 'account' || !identity.email) continue;
    shared.add(identity.email, user);
  }
  return shared.result();
}

/**
 * Users by a key, keeping only keys that two or more share, in the order of each key's first user (users
 * are added in source order). Most keys have one user: those are kept as the user alone, not a list, and
 * the shared ones are listed as they become shared.
 */
class SharedKeys {
  private readonly byKey = new Map<string, EffectiveUser | EffectiveUser[]>();
  private readonly shared: Array<[string, EffectiveUser[]]> = [];

  add(key: string, user: EffectiveUser): void {
    const found = this.byKey.get(key);
    if (found === undefined) this.byKey.set(key, user);
    else if (Array.isArray(found)) found.push(user);
    else {
      const users = [found, user];
      this.byKey.set(key, users);
      this.shared.push([key, users]);
    }
  }

  result(): Map<string, EffectiveUser[]> {
    const firstIndex = (entry: [string, EffectiveUser[]]) => (entry[1][0] as EffectiveUser).index;
    return new Map(this.shared.sort((a, b) => firstIndex(a) - firstIndex(b)));
  }
}

export function checkDuplicatedEmails(estate: Estate, context: CheckContext): Finding[] {
  const findings: Finding[] = [];
  for (const source of estate.sources) {
    const conflicts = accountConflicts(source, context);
    const conflicted = new Set([...conflicts.values()].flat());
    if (conflicts.size > 0) {
      const subjects = [...conflicts.entries()].flatMap(([address, users]) =>
        users.map((user) => userSubject(user, `${address} (shared by ${users.length})`)),
      );
      findings.push({
        code: 'email-duplicated',
        severity: 'blocker',
        message: `${plural(conflicts.size, 'email address', 'email addresses')} of ${source.name} ${conflicts.size === 1 ? 'is' : 'are'} shared by several users (${plural(subjects.length, 'user')}); each address becomes one cloud account`,
        subjects,
        fix: 'Give each person their own address in the source, or decide: merge the users into one account (usermig users fix --duplicated merge), new emails, or Former users.',
      });
    }
    const settled = [...duplicatedAddresses(source).values()].flat().filter((user) => !conflicted.has(user));
    if (settled.length > 0) {
      findings.push({
        code: 'email-duplicated',
        severity: 'info',
        resolved: true,
        message: `${plural(settled.length, 'user')} of ${source.name} sharing an address ${settled.length === 1 ? 'is' : 'are'} settled by decisions`,
        subjects: settled.map((user) => {
          const decision = context.identities.byUser.get(user)?.decision;
          return userSubject(user, `${user.email.normalised} → ${decision ? describeUserDecision(decision) : 'keeps the address'}`);
        }),
        fix: 'Nothing to do.',
      });
    }
  }
  return findings;
}
