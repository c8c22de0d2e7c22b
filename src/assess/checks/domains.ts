/**
 * S-11: every email domain of the people who get cloud accounts must be trusted before apply (one
 * blocker per domain). The inventory counts the estate's own addresses and the new emails decided.
 */
import type { Finding } from '../../model/finding.js';
import type { CheckContext } from '../context.js';
import type { Estate } from '../estate.js';
import { memoised } from '../memo.js';
import { plural } from '../subjects.js';

/** Domain → number of effective users (over all sources) with a valid address there. */
export const domainInventory = memoised((estate: Estate): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const source of estate.sources) {
    for (const user of source.users) if (user.email.valid) counts.set(user.email.domain, (counts.get(user.email.domain) ?? 0) + 1);
  }
  return counts;
});

/** Domain → number of users whose cloud account (after decisions) has an address there. */
export function accountDomains(estate: Estate, context: CheckContext): Map<string, number> {
  const counts = new Map<string, number>();
  for (const source of estate.sources) {
    for (const user of source.users) {
      const identity = context.identities.byUser.get(user);
      if (!identity || identity.outcome !== 'account' || !identity.email) continue;
      // The user's own address has its domain worked out already.
      const own = user.email.valid && identity.email === user.email.normalised;
      const domain = own ? user.email.domain : identity.email.slice(identity.email.indexOf('@') + 1);
      counts.set(domain, (counts.get(domain) ?? 0) + 1);
    }
  }
  return counts;
}

export function checkDomains(estate: Estate, context: CheckContext): Finding[] {
  const findings: Finding[] = [];
  const inventory = [...accountDomains(estate, context)].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const trusted: string[] = [];
  for (const [domain, users] of inventory) {
    if (context.trustedDomains.has(domain)) {
      trusted.push(domain);
      continue;
    }
    findings.push({
      code: 'domain-untrusted',
      severity: 'blocker',
      message: `email domain ${domain} (${plural(users, 'user')}) is not trusted yet; the cloud migrates people only from trusted domains`,
      subjects: [{ type: 'domain', id: domain, detail: `${users} users` }],
      fix: `Trust it (usermig domains trust ${domain}) if it belongs to your organization; otherwise change those users' emails.`,
    });
  }
  if (trusted.length > 0) {
    findings.push({
      code: 'domain-untrusted',
      severity: 'info',
      resolved: true,
      message: `${plural(trusted.length, 'email domain')} ${trusted.length === 1 ? 'is' : 'are'} trusted`,
      subjects: trusted.map((domain) => ({ type: 'domain' as const, id: domain, detail: 'trusted' })),
      fix: 'Nothing to do.',
    });
  }
  return findings;
}
