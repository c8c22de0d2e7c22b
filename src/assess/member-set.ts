/**
 * A read-only set of user indexes kept as a list without repeats, in the order they were added. Groups
 * hold a million memberships between them; sets of them are mostly counted and walked, rarely probed, so
 * the hash table a Set needs is built only on the first `has`.
 */
export class MemberSet implements ReadonlySet<number> {
  private lookup: Set<number> | undefined;

  /** `members` must hold no value twice; the set keeps it, uncopied. */
  constructor(private readonly members: Int32Array) {}

  get size(): number {
    return this.members.length;
  }

  has(value: number): boolean {
    this.lookup ??= new Set(this.members);
    return this.lookup.has(value);
  }

  forEach(callback: (value: number, key: number, set: ReadonlySet<number>) => void, thisArg?: unknown): void {
    const members = this.members;
    for (let i = 0; i < members.length; i++) callback.call(thisArg, members[i] as number, members[i] as number, this);
  }

  values(): SetIterator<number> {
    return this.members.values();
  }

  keys(): SetIterator<number> {
    return this.members.values();
  }

  entries(): SetIterator<[number, number]> {
    return Array.from(this.members, (value): [number, number] => [value, value]).values();
  }

  [Symbol.iterator](): SetIterator<number> {
    return this.members.values();
  }

  /** The members as a list (a view, not a copy). */
  list(): Int32Array {
    return this.members;
  }
}
