/**
 * Blockers that stop a scoped plan (RULES.md AS-06): a wave is blocked only by what concerns it. A blocker
 * counts when one of its subjects is a user or group in the scope, the email or the domain of a user in the
 * scope, or something not tied to a user or group (a grant, a product, the estate). Blockers about users
 * and groups the wave does not move are left for the wave that moves them; the assessment still lists them.
 */
import type { Finding } from '../model/finding.js';
import type { ResolvedScope } from './resolve.js';

export function scopedBlockers(blockers: readonly Finding[], scope: ResolvedScope): { blocking: Finding[]; elsewhere: number } {
  const users = new Set<string>();
  const emails = new Set<string>();
  const domains = new Set<string>();
  for (const user of scope.users.keys()) {
    users.add(`${user.source}\u0000${user.lowerName}`);
    if (user.email.normalised) emails.add(user.email.normalised);
    if (user.email.domain) domains.add(user.email.domain);
  }
  const groups = new Set([...scope.groups.keys()].map((group) => group.lowerName));
  const concerns = (finding: Finding): boolean =>
    finding.subjects.length === 0 ||
    finding.subjects.some((subject) => {
      const id = subject.id.toLowerCase();
      switch (subject.type) {
        case 'user':
          return subject.source === undefined ? [...users].some((key) => key.endsWith(`\u0000${id}`)) : users.has(`${subject.source}\u0000${id}`);
        case 'group':
          return groups.has(id);
        case 'email':
          return emails.has(id);
        case 'domain':
          return domains.has(id);
        default:
          return true;
      }
    });
  const blocking = blockers.filter(concerns);
  return { blocking, elsewhere: blockers.length - blocking.length };
}
