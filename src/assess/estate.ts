/**
 * The estate as usermig sees it, derived purely from the snapshot rows (RULES.md §6 S-03, S-05, S-07):
 * each source's effective users in directory order, shadowed and inactive-directory entries, groups as
 * cloud names (case-insensitive), direct memberships of effective users, the group-in-group graph and
 * the flattened members of every group.
 */
import { normaliseEmail, type NormalisedEmail } from '../model/email.js';
import type { DirectoryAttributeRecord, NotReadRecord, Product } from '../model/snapshot.js';
import type { EstateSnapshot, SourceSnapshot } from '../workspace/estate-loader.js';
import { MemberSet } from './member-set.js';

export interface EffectiveUser {
  index: number;
  source: string;
  /** The source's stable key for the user (Jira's and Confluence's user key; the lower-case username if none). */
  userKey: string;
  userName: string;
  lowerName: string;
  directoryId: string;
  active: boolean;
  displayName: string;
  rawEmail: string;
  email: NormalisedEmail;
  updated: string;
}

export interface UserEntry {
  userName: string;
  directoryId: string;
  directoryName: string;
  email: string;
  active: boolean;
}

export interface SourceGroup {
  index: number;
  /** The spelling of the first directory that holds it. */
  name: string;
  lowerName: string;
  /** Every spelling seen in the source's active directories. */
  spellings: string[];
  /** Effective user indexes, in the order the memberships name them. */
  directUsers: ReadonlySet<number>;
  children: Set<number>;
}

export interface Grant {
  subjectType: 'group' | 'user';
  subject: string;
  permission: string;
  scope: string;
  scopeKey: string;
}

export interface SourceEstate {
  name: string;
  product: Product;
  /** The reader kind (`jira-backup`, `ldap`…) and the path or URL it read. */
  kind: string;
  location: string;
  /** The source's directories in directory order (S-03). */
  directories: SourceSnapshot['directories'];
  /** What the source could not read (reported as source-not-read). */
  notRead: NotReadRecord[];
  /** Settings naming the external directory behind a directory (ldap.url, ldap.basedn…). */
  directoryAttributes: DirectoryAttributeRecord[];
  users: EffectiveUser[];
  usersByLowerName: Map<string, EffectiveUser>;
  shadowed: Array<{ entry: UserEntry; winner: EffectiveUser }>;
  /** Users found only in inactive directories (not effective users). */
  inactiveOnly: UserEntry[];
  groups: SourceGroup[];
  groupsByLowerName: Map<string, SourceGroup>;
  directMemberships: number;
  grants: Grant[];
  userKeys: Map<string, string>;
  referencedKeys: SourceSnapshot['referencedKeys'];
  ownedObjects: SourceSnapshot['ownedObjects'];
  /** Groups in a cycle, each cycle as its group names. */
  cycles: string[][];
  /** Flattened members (effective user indexes) of a group; children's members included, cycles merged. */
  flattened(group: SourceGroup): ReadonlySet<number>;
}

export interface Estate {
  sources: SourceEstate[];
}

export function buildEstate(snapshot: EstateSnapshot): Estate {
  return { sources: snapshot.sources.map(buildSource) };
}

function buildSource(snapshot: SourceSnapshot): SourceEstate {
  const directories = [...snapshot.directories].sort((a, b) => a.position - b.position || compareIds(a.id, b.id));
  const rank = new Map<string, number>();
  const directoryNames = new Map<string, string>();
  const activeDirectories = new Set<string>();
  directories.forEach((directory, index) => {
    rank.set(directory.id, index);
    directoryNames.set(directory.id, directory.name);
    if (directory.active) activeDirectories.add(directory.id);
  });
  // A user or group in a directory the backup does not describe is treated as active, last in order.
  const knownDirectory = (id: string) => rank.has(id);
  const rankOf = (id: string) => rank.get(id) ?? Number.MAX_SAFE_INTEGER;
  const isActive = (id: string) => !knownDirectory(id) || activeDirectories.has(id);
  // Directory ids as small numbers, so that the membership loop compares numbers, not texts.
  const directoryNumbers = new Map<string, number>();
  const directoryNumber = (id: string): number => {
    let number = directoryNumbers.get(id);
    if (number === undefined) directoryNumbers.set(id, (number = directoryNumbers.size));
    return number;
  };

  const keyByName = new Map<string, string>();
  for (const [key, name] of snapshot.userKeys) if (!keyByName.has(name)) keyByName.set(name, key);
  const rows = inDirectoryOrder(snapshot.users, rankOf);
  const users: EffectiveUser[] = [];
  const usersByLowerName = new Map<string, EffectiveUser>();
  /** Name id → index of the effective user of that name, or -1. */
  const userByNameId = new Int32Array(snapshot.nameCount).fill(-1);
  /** Effective user index → number of the directory holding its entry. */
  const userDirectory = new Int32Array(rows.length);
  const shadowed: SourceEstate['shadowed'] = [];
  const inactiveRows: UserEntry[] = [];
  const entry = (row: SourceSnapshot['users'][number]): UserEntry => {
    const [directoryId, userName, , active, , rawEmail] = row;
    return { userName, directoryId, directoryName: directoryNames.get(directoryId) ?? directoryId, email: rawEmail, active: active === 1 };
  };
  let lastDirectoryId: string | undefined;
  let lastDirectoryActive = false;
  let lastDirectoryNumber = -1;
  for (const row of rows) {
    const [directoryId, userName, nameId, active, displayName, rawEmail, updated] = row;
    if (directoryId !== lastDirectoryId) {
      lastDirectoryId = directoryId;
      lastDirectoryActive = isActive(directoryId);
      lastDirectoryNumber = directoryNumber(directoryId);
    }
    if (!lastDirectoryActive) {
      inactiveRows.push(entry(row));
      continue;
    }
    const lowerName = userName.toLowerCase();
    const winner = usersByLowerName.get(lowerName);
    if (winner) {
      shadowed.push({ entry: entry(row), winner });
      continue;
    }
    const user: EffectiveUser = {
      index: users.length,
      source: snapshot.name,
      userKey: keyByName.get(lowerName) ?? lowerName,
      userName,
      lowerName,
      directoryId,
      active: active === 1,
      displayName,
      rawEmail,
      email: normaliseEmail(rawEmail),
      updated,
    };
    userDirectory[user.index] = lastDirectoryNumber;
    users.push(user);
    usersByLowerName.set(lowerName, user);
    userByNameId[nameId] = user.index;
  }
  const inactiveOnly = inactiveRows.filter((entry) => !usersByLowerName.has(entry.userName.toLowerCase()));

  const groups: SourceGroup[] = [];
  const groupsByLowerName = new Map<string, SourceGroup>();
  /** Name id → index of the group of that name, or -1. */
  const groupByNameId = new Int32Array(snapshot.nameCount).fill(-1);
  const groupDirectories = new Set<string>();
  for (const [directoryId, name, nameId] of inDirectoryOrder(snapshot.groups, rankOf)) {
    if (!isActive(directoryId)) continue;
    const lowerName = name.toLowerCase();
    groupDirectories.add(`${directoryId}\u0000${nameId}`);
    const existing = groupsByLowerName.get(lowerName);
    if (existing) {
      if (!existing.spellings.includes(name)) existing.spellings.push(name);
      continue;
    }
    const group: SourceGroup = { index: groups.length, name, lowerName, spellings: [name], directUsers: NO_MEMBERS, children: new Set() };
    groups.push(group);
    groupsByLowerName.set(lowerName, group);
    groupByNameId[nameId] = group.index;
  }

  // The membership rows of each group, in order (a group has one per directory that holds it).
  const rowsOfGroup: Array<Array<SourceSnapshot['memberships'][number]> | undefined> = new Array(groups.length);
  let memberRows = 0;
  for (const row of snapshot.memberships) {
    const { directoryId } = row;
    if (!isActive(directoryId) || !groupDirectories.has(`${directoryId}\u0000${row.parentId}`)) continue;
    const group = groups[groupByNameId[row.parentId] ?? -1] as SourceGroup;
    for (const childId of row.groups) {
      const child = groupByNameId[childId] ?? -1;
      if (child >= 0) group.children.add(child);
    }
    const list = rowsOfGroup[group.index];
    if (list) list.push(row);
    else rowsOfGroup[group.index] = [row];
    memberRows += row.users.length;
  }
  // Each group's direct users, in the order the rows name them, without repeats (`seen` holds, per user,
  // the last group + 1 that took it): one list for all groups, each group's set a part of it.
  const seen = new Int32Array(users.length);
  const direct = new Int32Array(memberRows);
  let directMemberships = 0;
  for (const group of groups) {
    const rowsOfThis = rowsOfGroup[group.index];
    if (!rowsOfThis) continue;
    const mark = group.index + 1;
    const start = directMemberships;
    for (const row of rowsOfThis) {
      const directory = directoryNumber(row.directoryId);
      const ids = row.users;
      for (let k = 0; k < ids.length; k++) {
        // Jira's default, non-aggregating membership: only the directory holding the effective entry counts.
        const index = userByNameId[ids[k] as number] ?? -1;
        if (index < 0 || userDirectory[index] !== directory || seen[index] === mark) continue;
        seen[index] = mark;
        direct[directMemberships++] = index;
      }
    }
    group.directUsers = new MemberSet(direct.subarray(start, directMemberships));
  }

  const { flattened, cycles } = flattenGroups(groups, users.length);
  return {
    name: snapshot.name,
    product: snapshot.product,
    kind: snapshot.kind,
    location: snapshot.location,
    directories,
    notRead: snapshot.notRead ?? [],
    directoryAttributes: snapshot.directoryAttributes ?? [],
    users,
    usersByLowerName,
    shadowed,
    inactiveOnly,
    groups,
    groupsByLowerName,
    directMemberships,
    grants: snapshot.grants,
    userKeys: snapshot.userKeys,
    referencedKeys: snapshot.referencedKeys,
    ownedObjects: snapshot.ownedObjects,
    cycles,
    flattened: (group) => flattened[group.index] as ReadonlySet<number>,
  };
}

/** Rows in directory order, keeping their order within a directory (a bucket sort: directories are few). */
function inDirectoryOrder<Row extends [string, ...unknown[]]>(rows: readonly Row[], rankOf: (directoryId: string) => number): Row[] {
  const buckets = new Map<number, Row[]>();
  for (const row of rows) {
    const rank = rankOf(row[0]);
    const bucket = buckets.get(rank);
    if (bucket) bucket.push(row);
    else buckets.set(rank, [row]);
  }
  return [...buckets.keys()].sort((a, b) => a - b).flatMap((rank) => buckets.get(rank) as Row[]);
}

/** Numeric ids compare as numbers, others as text. */
function compareIds(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  return Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a.localeCompare(b);
}

/**
 * Flattens the group graph (S-07). Strongly connected components (Tarjan, iterative) are found first:
 * every group of a cycle gets the same members, the union over the cycle, so the result does not depend
 * on the order in which groups are visited. Components come out children-first, so each is computed once.
 */
export function flattenGroups(groups: SourceGroup[], userCount: number): { flattened: Array<ReadonlySet<number>>; cycles: string[][] } {
  const count = groups.length;
  const union = new Union(userCount);
  const index = new Int32Array(count).fill(-1);
  const low = new Int32Array(count);
  const onStack = new Uint8Array(count);
  const stack: number[] = [];
  const flattened: Array<ReadonlySet<number>> = new Array(count);
  const cycles: string[][] = [];
  let next = 0;

  const childrenOf = groups.map((group) => [...group.children]);
  for (let root = 0; root < count; root++) {
    if (index[root] !== -1) continue;
    const work: Array<[node: number, childPosition: number]> = [[root, 0]];
    index[root] = low[root] = next++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length > 0) {
      const frame = work[work.length - 1] as [number, number];
      const [node, position] = frame;
      const children = childrenOf[node] as number[];
      if (position < children.length) {
        frame[1]++;
        const child = children[position] as number;
        if (index[child] === -1) {
          index[child] = low[child] = next++;
          stack.push(child);
          onStack[child] = 1;
          work.push([child, 0]);
        } else if (onStack[child]) {
          low[node] = Math.min(low[node] as number, index[child] as number);
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low[parent[0]] = Math.min(low[parent[0]] as number, low[node] as number);
      if (low[node] !== index[node]) continue;
      const component: number[] = [];
      let member: number;
      do {
        member = stack.pop() as number;
        onStack[member] = 0;
        component.push(member);
      } while (member !== node);
      const selfLoop = component.length === 1 && (childrenOf[node] as number[]).includes(node);
      if (component.length > 1 || selfLoop) cycles.push(component.map((g) => (groups[g] as SourceGroup).name).sort());
      const members = unionOf(component, groups, childrenOf, flattened, union);
      for (const g of component) flattened[g] = members;
    }
  }
  return { flattened, cycles };
}

function unionOf(
  component: number[],
  groups: SourceGroup[],
  childrenOf: number[][],
  flattened: Array<ReadonlySet<number>>,
  union: Union,
): ReadonlySet<number> {
  const inComponent = new Set(component);
  const outside: number[] = [];
  for (const g of component) for (const child of childrenOf[g] as number[]) if (!inComponent.has(child)) outside.push(child);
  if (component.length === 1 && outside.length === 0) return (groups[component[0] as number] as SourceGroup).directUsers;
  union.start();
  for (const g of component) union.add((groups[g] as SourceGroup).directUsers);
  for (const child of outside) union.add(flattened[child] as ReadonlySet<number>);
  return union.finish();
}

/** Builds unions of member sets, keeping the order of first appearance, as adding to a Set would. */
class Union {
  private readonly seen: Int32Array;
  private mark = 0;
  private members = new Int32Array(1024);
  private length = 0;

  constructor(userCount: number) {
    this.seen = new Int32Array(userCount);
  }

  start(): void {
    this.mark++;
    this.length = 0;
  }

  add(set: ReadonlySet<number>): void {
    if (set instanceof MemberSet) {
      const list = set.list();
      for (let i = 0; i < list.length; i++) this.push(list[i] as number);
    } else {
      for (const value of set) this.push(value);
    }
  }

  finish(): MemberSet {
    return new MemberSet(this.members.slice(0, this.length));
  }

  private push(value: number): void {
    if (this.seen[value] === this.mark) return;
    this.seen[value] = this.mark;
    if (this.length === this.members.length) {
      const grown = new Int32Array(this.members.length * 2);
      grown.set(this.members);
      this.members = grown;
    }
    this.members[this.length++] = value;
  }
}

const NO_MEMBERS: ReadonlySet<number> = new MemberSet(new Int32Array(0));
