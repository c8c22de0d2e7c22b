/**
 * Group-user memberships of one product: the memberships the estate needs (administrators, defects,
 * every user's "home" group), then the rest of the requested total spread over groups with a skewed
 * (Zipf-like) distribution so that a few groups are large. Each group draws members only from its own
 * directory and never gets the same member twice.
 */
import type { GroupEntry, UserMemberships } from './estate-types.js';
import type { Random } from './random.js';

export class MembershipPlan {
  private readonly members: Set<number>[];
  private readonly entryDirectory: readonly number[];
  private readonly groups: readonly GroupEntry[];
  private fixedCount = 0;

  constructor(groups: readonly GroupEntry[], entryDirectory: readonly number[]) {
    this.groups = groups;
    this.entryDirectory = entryDirectory;
    this.members = groups.map(() => new Set<number>());
  }

  /** Number of memberships planned so far. */
  get count(): number {
    return this.fixedCount;
  }

  /** Adds a membership; false when it already exists. */
  add(group: number, entry: number): boolean {
    const g = this.groups[group];
    if (!g) throw new Error(`generator bug: no group ${group}`);
    if (g.directoryId !== this.entryDirectory[entry]) {
      throw new Error(`generator bug: ${g.name} (directory ${g.directoryId}) cannot hold entry ${entry}`);
    }
    const set = this.members[group]!;
    if (set.has(entry)) return false;
    set.add(entry);
    this.fixedCount++;
    return true;
  }

  has(group: number, entry: number): boolean {
    return this.members[group]?.has(entry) ?? false;
  }

  /**
   * Adds `total` more memberships over the `eligible` groups. Group sizes follow 1/rank over a random
   * ranking, capped by how many users their directory has; users are sampled without repetition.
   */
  fill(eligible: readonly number[], poolByDirectory: ReadonlyMap<number, readonly number[]>, total: number, rng: Random): void {
    if (total <= 0 || eligible.length === 0) return;
    const ranked = rng.shuffle(eligible.slice());
    const weights = ranked.map((_, rank) => 1 / (rank + 1));
    const room = (group: number, share: number) => {
      const pool = poolByDirectory.get(this.groups[group]!.directoryId)?.length ?? 0;
      return Math.max(0, Math.floor(pool * share) - this.members[group]!.size);
    };
    let caps = ranked.map((g) => room(g, 0.6));
    if (caps.reduce((a, b) => a + b, 0) < total) caps = ranked.map((g) => room(g, 1));
    const sizes = allocate(weights, caps, total);
    ranked.forEach((group, i) => {
      const k = sizes[i] ?? 0;
      if (k === 0) return;
      const pool = poolByDirectory.get(this.groups[group]!.directoryId) ?? [];
      sampleInto(this.members[group]!, pool, k, rng);
      this.fixedCount += k;
    });
  }

  /** The memberships, grouped by group (in group order) and sorted by entry within a group. */
  toArrays(): UserMemberships {
    const group = new Int32Array(this.fixedCount);
    const entry = new Int32Array(this.fixedCount);
    let n = 0;
    this.members.forEach((set, g) => {
      const sorted = Int32Array.from(set).sort();
      for (const e of sorted) {
        group[n] = g;
        entry[n] = e;
        n++;
      }
    });
    return { group, entry, count: n };
  }
}

/** Integer sizes proportional to `weights`, each at most its cap, summing to `total` when caps allow. */
export function allocate(weights: readonly number[], caps: readonly number[], total: number): number[] {
  const n = weights.length;
  const exact = new Array<number>(n).fill(0);
  const capped = new Array<boolean>(n).fill(false);
  let remaining = total;
  for (let round = 0; round < 100 && remaining > 0; round++) {
    let weightSum = 0;
    for (let i = 0; i < n; i++) if (!capped[i]) weightSum += weights[i]!;
    if (weightSum === 0) break;
    let newlyCapped = false;
    for (let i = 0; i < n; i++) {
      if (capped[i]) continue;
      if ((remaining * weights[i]!) / weightSum >= caps[i]!) {
        capped[i] = true;
        exact[i] = caps[i]!;
        newlyCapped = true;
      }
    }
    if (!newlyCapped) {
      for (let i = 0; i < n; i++) if (!capped[i]) exact[i] = (remaining * weights[i]!) / weightSum;
      break;
    }
    remaining = total;
    for (let i = 0; i < n; i++) if (capped[i]) remaining -= exact[i]!;
  }
  const sizes = exact.map((x) => Math.floor(x));
  let deficit = total - sizes.reduce((a, b) => a + b, 0);
  while (deficit > 0) {
    let progressed = false;
    for (let i = 0; i < n && deficit > 0; i++) {
      if (sizes[i]! < caps[i]!) {
        sizes[i]!++;
        deficit--;
        progressed = true;
      }
    }
    if (!progressed) break;
  }
  return sizes;
}

/** Adds k members of `pool` that are not yet in `target`. */
function sampleInto(target: Set<number>, pool: readonly number[], k: number, rng: Random): void {
  if (target.size + k <= pool.length / 2) {
    let added = 0;
    while (added < k) {
      const candidate = pool[rng.int(pool.length)]!;
      if (!target.has(candidate)) {
        target.add(candidate);
        added++;
      }
    }
    return;
  }
  const candidates = pool.filter((e) => !target.has(e));
  if (candidates.length < k) throw new Error('generator bug: group capacity exceeded');
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(candidates.length - i);
    const chosen = candidates[j]!;
    candidates[j] = candidates[i]!;
    candidates[i] = chosen;
    target.add(chosen);
  }
}
