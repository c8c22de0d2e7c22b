/** S-04: one valid address shared by several effective users of one source (blocker). */
import { memoised } from '../memo.js';
import type { Finding } from '../../model/finding.js';
import type { EffectiveUser, Estate, SourceEstate } from '../estate.js';
import { plural, userSubject } from '../subjects.js';

/** Addresses shared by two or more effective users of the source, each with its users. */
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

export function checkDuplicatedEmails(estate: Estate): Finding[] {
  const findings: Finding[] = [];
  for (const source of estate.sources) {
    const duplicates = duplicatedAddresses(source);
    if (duplicates.size === 0) continue;
    const subjects = [...duplicates.entries()].flatMap(([address, users]) =>
      users.map((user) => userSubject(user, `${address} (shared by ${users.length})`)),
    );
    findings.push({
      code: 'email-duplicated',
      severity: 'blocker',
      message: `${plural(duplicates.size, 'email address', 'email addresses')} of ${source.name} ${duplicates.size === 1 ? 'is' : 'are'} shared by several users (${plural(subjects.length, 'user')}); each address becomes one cloud account`,
      subjects,
      fix: 'Give each person their own address in the source, or decide: merge the users into one account (usermig users fix --duplicated merge), new emails, or Former users.',
    });
  }
  return findings;
}
