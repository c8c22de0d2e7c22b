/** S-11: every domain of a valid email of an effective user must be trusted before apply (blocker each). */
import { memoised } from '../memo.js';
import type { Finding } from '../../model/finding.js';
import type { Estate } from '../estate.js';
import { plural } from '../subjects.js';

/** Domain → number of effective users (over all sources) with a valid address there. */
export const domainInventory = memoised((estate: Estate): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const source of estate.sources) {
    for (const user of source.users) if (user.email.valid) counts.set(user.email.domain, (counts.get(user.email.domain) ?? 0) + 1);
  }
  return counts;
});

export function checkDomains(estate: Estate, trusted: ReadonlySet<string> = new Set()): Finding[] {
  const findings: Finding[] = [];
  const inventory = [...domainInventory(estate)].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  for (const [domain, users] of inventory) {
    if (trusted.has(domain)) continue;
    findings.push({
      code: 'domain-untrusted',
      severity: 'blocker',
      message: `email domain ${domain} (${plural(users, 'user')}) is not trusted yet; the cloud migrates people only from trusted domains`,
      subjects: [{ type: 'domain', id: domain, detail: `${users} users` }],
      fix: `Trust it (usermig domains trust ${domain}) if it belongs to your organization; otherwise change those users' emails.`,
    });
  }
  return findings;
}
