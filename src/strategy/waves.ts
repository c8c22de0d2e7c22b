/**
 * Waves (issue 9 point 1): when the estate is large, move the data in waves of projects and spaces that
 * share few people. Containers whose people overlap much (at least half of the smaller one's people) are
 * clustered; people found in many containers (hubs: admins, bots, leads of everything) are left out of
 * the overlap, since the users-first migration brings them anyway. Clusters are then packed into waves of
 * similar size, largest first, each into the smallest wave so far (ties: the earlier wave), so the same
 * estate always gets the same waves.
 */
import type { Estate } from '../assess/estate.js';
import type { EffectiveUser } from '../assess/estate.js';
import { count, n } from './numbers.js';
import { PRE_MIGRATION_THRESHOLD } from './timing.js';
import type { ContainerUsage, Section, Wave } from './types.js';

/** People per wave aimed at. */
export const WAVE_PEOPLE = 2_000;
/** Two containers belong together when they share at least this share of the smaller one's people. */
const OVERLAP = 0.5;
/** A person in more than this share of the containers (and more than 3) is a hub. */
const HUB_SHARE = 0.25;

export function wavesNeeded(people: number): boolean {
  return people > PRE_MIGRATION_THRESHOLD;
}

interface Container {
  name: string;
  people: number[];
}

export function suggestWaves(estate: Estate, usage: ContainerUsage, person: (user: EffectiveUser) => string): Wave[] {
  const ids = new Map<string, number>();
  const containers: Container[] = [];
  for (const source of estate.sources) {
    const byKey = usage.get(source.name);
    if (!byKey) continue;
    for (const key of [...byKey.keys()].sort()) {
      const people = new Set<number>();
      for (const userKey of byKey.get(key) ?? []) {
        const user = source.usersByLowerName.get(source.userKeys.get(userKey) ?? userKey.toLowerCase());
        if (!user) continue;
        const id = person(user);
        let number = ids.get(id);
        if (number === undefined) ids.set(id, (number = ids.size));
        people.add(number);
      }
      if (people.size > 0) containers.push({ name: `${source.name}:${key}`, people: [...people] });
    }
  }
  if (containers.length === 0) return [];
  // Where each person is.
  const where: number[][] = Array.from({ length: ids.size }, () => []);
  containers.forEach((container, at) => container.people.forEach((p) => where[p]!.push(at)));
  const hubLimit = Math.max(3, Math.floor(containers.length * HUB_SHARE));
  const hub = where.map((list) => list.length > hubLimit);
  const size = containers.map((c) => c.people.filter((p) => !hub[p]).length);
  const shared = new Map<number, number>();
  where.forEach((list, p) => {
    if (hub[p]) return;
    for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) {
      const key = list[i]! * containers.length + list[j]!;
      shared.set(key, (shared.get(key) ?? 0) + 1);
    }
  });
  const parent = containers.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  for (const [key, together] of [...shared].sort((a, b) => a[0] - b[0])) {
    const a = Math.floor(key / containers.length);
    const b = key % containers.length;
    if (together >= OVERLAP * Math.min(size[a]!, size[b]!)) {
      const [ra, rb] = [find(a), find(b)];
      if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
    }
  }
  const clusters = new Map<number, number[]>();
  containers.forEach((_, i) => {
    const root = find(i);
    const list = clusters.get(root) ?? [];
    list.push(i);
    clusters.set(root, list);
  });
  const clusterPeople = (members: number[]) => new Set(members.flatMap((i) => containers[i]!.people));
  const ordered = [...clusters.values()]
    .map((members) => ({ members, people: clusterPeople(members).size }))
    .sort((a, b) => b.people - a.people || a.members[0]! - b.members[0]!);
  const waveCount = Math.min(ordered.length, Math.max(2, Math.ceil(ids.size / WAVE_PEOPLE)));
  const bins = Array.from({ length: waveCount }, () => ({ members: [] as number[], load: 0 }));
  for (const cluster of ordered) {
    let best = 0;
    for (let i = 1; i < bins.length; i++) if (bins[i]!.load < bins[best]!.load) best = i;
    bins[best]!.members.push(...cluster.members);
    bins[best]!.load += cluster.people;
  }
  const waveOf = bins.map((bin) => clusterPeople(bin.members));
  const waves = new Map<number, number>();
  for (const set of waveOf) for (const p of set) waves.set(p, (waves.get(p) ?? 0) + 1);
  return bins
    .filter((bin) => bin.members.length > 0)
    .map((bin, at) => ({
      wave: at + 1,
      containers: bin.members.map((i) => containers[i]!.name).sort(),
      people: waveOf[at]!.size,
      sharedWithOtherWaves: [...waveOf[at]!].filter((p) => (waves.get(p) ?? 0) > 1).length,
    }));
}

export function wavesSection(people: number, containers: number, waves: Wave[]): Section {
  if (!wavesNeeded(people)) {
    return {
      id: 'waves',
      title: 'Waves',
      points: [
        {
          level: 'info',
          text: 'One wave is enough: move the users and groups, then the data of every project and space together.',
          because: `${count(people, 'person', 'people')} (not above ${n(PRE_MIGRATION_THRESHOLD)}) over ${count(containers, 'project or space', 'projects and spaces')}`,
          rules: ['DIFF-01'],
        },
      ],
    };
  }
  if (waves.length < 2) {
    return {
      id: 'waves',
      title: 'Waves',
      points: [
        {
          level: 'info',
          text: 'No split into waves suggests itself: the projects and spaces share most of their people (or their data names nobody). Move the data in one wave after the users.',
          because: `${count(people, 'person', 'people')} over ${count(containers, 'project or space', 'projects and spaces')}`,
          rules: ['DIFF-01'],
        },
      ],
    };
  }
  const sizes = waves.map((w) => `wave ${w.wave}: ${count(w.containers.length, 'project or space', 'projects and spaces')}, ${count(w.people, 'person', 'people')}`);
  const spanning = waves.reduce((sum, w) => sum + w.sharedWithOtherWaves, 0);
  return {
    id: 'waves',
    title: 'Waves',
    points: [
      {
        level: 'advise',
        text: `After the users-first migration, move the data in ${n(waves.length)} waves of projects and spaces that share few people (usermig plan --scope jira:projects=… --scope confluence:spaces=… per wave); each wave moves only the differences.`,
        because: `${count(people, 'person', 'people')}, above ${n(PRE_MIGRATION_THRESHOLD)}; ${sizes.join('; ')}; ${n(spanning)} person-wave${spanning === 1 ? '' : 's'} overlap across waves (those people already have their accounts from the first run)`,
        rules: ['DIFF-01', 'GR-11'],
      },
    ],
  };
}
