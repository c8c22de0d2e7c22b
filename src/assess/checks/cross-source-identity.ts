/**
 * S-04 across sources (Jira, Confluence, Bitbucket, Crowd, LDAP… at once): users whose cloud account has
 * the same email, in several sources, are one person and one cloud account (info); the same username
 * with different addresses in two sources makes two cloud accounts (warning, RULES.md SC-C07).
 *
 * Both follow the decisions, as the plan will: a `new-email` or `merge-into` that gives the entries of a
 * username one account settles the mismatch (reported as resolved, with the decisions), and the people
 * linked are those whose accounts end up with the same email. Without decisions the account's email is
 * the source's normalised valid address.
 */
import { resolveIdentities } from '../../decide/identities.js';
import type { Finding, Subject } from '../../model/finding.js';
import { describeUserDecision } from '../../workspace/decision-store.js';
import type { CheckContext } from '../context.js';
import type { EffectiveUser, Estate } from '../estate.js';
import { plural } from '../subjects.js';

export function checkCrossSourceIdentity(estate: Estate, context?: Pick<CheckContext, 'identities'>): Finding[] {
  if (estate.sources.length < 2) return [];
  const identities = context?.identities ?? resolveIdentities(estate, []);
  /** The email of the cloud account the user ends in (a merged user's: the survivor's); null for none. */
  const accountOf = (user: EffectiveUser): string | null => identities.byUser.get(user)?.email ?? null;
  const findings: Finding[] = [];
  const sourcesByAddress = new Map<string, Set<string>>();
  const byName = new Map<string, EffectiveUser[]>();
  for (const source of estate.sources) {
    for (const user of source.users) {
      const account = accountOf(user);
      if (account) {
        const set = sourcesByAddress.get(account) ?? new Set<string>();
        set.add(source.name);
        sourcesByAddress.set(account, set);
      }
      const list = byName.get(user.lowerName);
      if (list) list.push(user);
      else byName.set(user.lowerName, [user]);
    }
  }
  const linked: Subject[] = [];
  for (const [address, sources] of sourcesByAddress) {
    if (sources.size > 1) linked.push({ type: 'email', id: address, detail: [...sources].join(', ') });
  }
  if (linked.length > 0) {
    findings.push({
      code: 'identity-linked-across-sources',
      severity: 'info',
      message: `${plural(linked.length, 'person', 'people')} appear in several sources with the same email and will be one cloud account`,
      subjects: linked,
      fix: 'Nothing to do.',
    });
  }
  const mismatched: Subject[] = [];
  const settled: Subject[] = [];
  for (const users of byName.values()) {
    const bySource = new Map<string, EffectiveUser>();
    for (const user of users) if (!bySource.has(user.source)) bySource.set(user.source, user);
    if (bySource.size < 2) continue;
    const entries = [...bySource.values()];
    const addresses = new Set(entries.map((user) => user.email.normalised));
    if (addresses.size < 2) continue;
    // Settled when decisions leave at most one account among the entries, and every entry without one was decided.
    const decided = entries.filter((user) => identities.byUser.get(user)?.decision);
    const accounts = new Set(entries.map(accountOf).filter((email): email is string => email !== null));
    const undecidedWithout = entries.some((user) => accountOf(user) === null && !identities.byUser.get(user)?.decision);
    if (decided.length > 0 && accounts.size <= 1 && !undecidedWithout) {
      for (const user of entries) {
        const decision = identities.byUser.get(user)?.decision;
        settled.push({ type: 'user', id: user.userName, source: user.source, detail: `${user.rawEmail || '(no email)'} → ${decision ? describeUserDecision(decision) : 'keeps the address'}` });
      }
      continue;
    }
    for (const user of entries) {
      mismatched.push({ type: 'user', id: user.userName, source: user.source, detail: user.rawEmail || '(no email)' });
    }
  }
  const usernames = (subjects: Subject[]) => new Set(subjects.map((s) => s.id.toLowerCase())).size;
  if (mismatched.length > 0) {
    findings.push({
      code: 'identity-email-mismatch-across-sources',
      severity: 'warning',
      message: `${plural(usernames(mismatched), 'username')} ${usernames(mismatched) === 1 ? 'has' : 'have'} different emails in different sources and would become separate cloud accounts`,
      subjects: mismatched,
      fix: 'Make the addresses identical in the sources, or decide a new email (or a merge) so that both entries become the same account.',
    });
  }
  if (settled.length > 0) {
    findings.push({
      code: 'identity-email-mismatch-across-sources',
      severity: 'info',
      resolved: true,
      message: `${plural(usernames(settled), 'username')} with different emails in different sources ${usernames(settled) === 1 ? 'becomes' : 'become'} one cloud account each by decision`,
      subjects: settled,
      fix: 'Nothing to do.',
    });
  }
  return findings;
}
