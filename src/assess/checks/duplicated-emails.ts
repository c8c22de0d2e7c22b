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
  const byAddress = new Map<string, EffectiveUser[]>();
  for (const user of source.users) {
    if (!user.email.valid) continue;
    const list = byAddress.get(user.email.normalised);
    if (list) list.push(user);
    else byAddress.set(user.email.normalised, [user]);
  }
  for (const [address, users] of byAddress) if (users.length < 2) byAddress.delete(address);
  return byAddress;
});

/** Addresses that two or more users of the source would still own accounts with, once decisions apply. */
export function accountConflicts(source: SourceEstate, context: CheckContext): Map<string, EffectiveUser[]> {
  const byEmail = new Map<string, EffectiveUser[]>();
  for (const user of source.users) {
    const identity = context.identities.byUser.get(user);
    if (!identity || identity.outcome !== 'account' || !identity.email) continue;
    const list = byEmail.get(identity.email);
    if (list) list.push(user);
    else byEmail.set(identity.email, [user]);
  }
  for (const [email, users] of byEmail) if (users.length < 2) byEmail.delete(email);
  return byEmail;
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
