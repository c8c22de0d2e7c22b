/**
 * All users or a subset, per product (RULES.md SC-J03, SC-C01, SC-C04): a users-only migration must take
 * every user; a subset travels only with its projects or spaces, and pulls in whole groups (the cascade of
 * a scoped plan, known once such a plan was made).
 */
import type { Estate } from '../assess/estate.js';
import { count, n } from './numbers.js';
import type { JourneyState, Point, Section, SourceInfo } from './types.js';

/** Per product: the container kind, and its noun in the singular and the plural. */
const CONTAINER_WORDS: Record<string, [string, string, string]> = {
  jira: ['jira-project', 'project', 'projects'],
  confluence: ['confluence-space', 'space', 'spaces'],
  bitbucket: ['bitbucket-repository', 'repository', 'repositories'],
};

export function subset(estate: Estate, sources: SourceInfo[], journey: JourneyState): Section {
  const points: Point[] = [];
  for (const source of estate.sources) {
    const words = CONTAINER_WORDS[source.product];
    if (!words) continue;
    const info = sources.find((s) => s.name === source.name);
    const containers = info?.containers[words[0]] ?? 0;
    const active = source.users.filter((u) => u.active).length;
    const rule = source.product === 'confluence' ? 'SC-C01' : source.product === 'bitbucket' ? 'SC-B01' : 'SC-J03';
    const scopeSpec = source.product === 'confluence' ? 'confluence:spaces' : source.product === 'bitbucket' ? 'bitbucket:repos' : 'jira:projects';
    points.push({
      level: 'advise',
      text: `${source.name}: migrate all users (usermig plan with no --scope) in the users-first run; a users-only migration must take them all.`,
      because: `${count(source.users.length, 'user')} (${n(active)} active) in ${source.name}; ${count(containers, words[1], words[2])} whose data would otherwise decide who moves`,
      rules: [rule, 'DIFF-01'],
    });
    points.push({
      level: 'info',
      text: `${source.name}: a subset (usermig plan --scope ${scopeSpec}=…) moves only with its ${words[2]}, and its groups migrate with their in-scope members only unless --group-members all pulls the whole group in.`,
      because: `subset migration is tied to the ${words[1]} data; ${count(source.groups.length, 'group')} in ${source.name} could cascade`,
      rules: [rule, 'SC-C04'],
    });
  }
  for (const scope of journey.scopes) {
    const s = scope.summary as Record<string, number | undefined>;
    points.push({
      level: (s.wholeGroups ?? 0) > 0 ? 'warn' : 'info',
      text: `The scoped plan ${scope.planId} (${scope.specs.join(', ')}) brings in ${count(s.users ?? 0, 'user')}: ${n(s.direct ?? 0)} directly, ${n(s.throughGroups ?? 0)} through groups.`,
      because: `${count(s.groups ?? 0, 'group')} migrate with it, ${n(s.wholeGroups ?? 0)} of them whole (the group cascade)`,
      rules: ['SC-C04'],
    });
  }
  if (points.length === 0) {
    points.push({ level: 'info', text: 'No Jira, Confluence or Bitbucket source: every user of the directories moves.', because: `${count(estate.sources.length, 'source')} scanned`, rules: ['SC-J03'] });
  }
  return { id: 'subset', title: 'All users or a subset', points };
}
