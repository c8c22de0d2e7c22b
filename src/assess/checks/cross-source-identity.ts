/**
 * S-04 across sources: the same address in several sources is one person (info); the same username with
 * different addresses in two sources makes two cloud accounts (warning, RULES.md SC-C07).
 */
import type { Finding, Subject } from '../../model/finding.js';
import type { EffectiveUser, Estate } from '../estate.js';
import { plural } from '../subjects.js';

export function checkCrossSourceIdentity(estate: Estate): Finding[] {
  if (estate.sources.length < 2) return [];
  const findings: Finding[] = [];
  const sourcesByAddress = new Map<string, Set<string>>();
  const byName = new Map<string, EffectiveUser[]>();
  for (const source of estate.sources) {
    for (const user of source.users) {
      if (user.email.valid) {
        const set = sourcesByAddress.get(user.email.normalised) ?? new Set<string>();
        set.add(source.name);
        sourcesByAddress.set(user.email.normalised, set);
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
  for (const users of byName.values()) {
    const bySource = new Map<string, EffectiveUser>();
    for (const user of users) if (!bySource.has(user.source)) bySource.set(user.source, user);
    if (bySource.size < 2) continue;
    const addresses = new Set([...bySource.values()].map((user) => user.email.normalised));
    if (addresses.size < 2) continue;
    for (const user of bySource.values()) {
      mismatched.push({ type: 'user', id: user.userName, source: user.source, detail: user.rawEmail || '(no email)' });
    }
  }
  if (mismatched.length > 0) {
    findings.push({
      code: 'identity-email-mismatch-across-sources',
      severity: 'warning',
      message: `${plural(new Set(mismatched.map((s) => s.id.toLowerCase())).size, 'username')} have different emails in different sources and would become separate cloud accounts`,
      subjects: mismatched,
      fix: 'Make the addresses identical in the sources, or decide a new email (or a merge) so that both entries become the same account.',
    });
  }
  return findings;
}
