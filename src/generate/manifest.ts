/**
 * The oracle: what `usermig assess --json` must report for a generated estate. It looks at the estate
 * only as the records the backups hold (directories, user rows, groups, membership rows, product
 * grants) and applies RULES.md §6 (S-01…S-09) on its own, independently of src/assess. It also checks
 * that the defects the generator meant to inject are exactly the ones the records show.
 */
import type { AssessmentSummary } from '../assess/summary.js';
import { normaliseEmail } from '../model/email.js';
import type { ConfluenceEstate, Estate, InjectedCounts, JiraEstate, People } from './estate-types.js';

/** The shape of `assess --json`'s summary; only the type is shared, the values are computed here. */
export type ExpectedSummary = AssessmentSummary;

export interface EstateManifest {
  seed: number;
  options: { users: number; groups: number; memberships: number; seed: number };
  expected: { summary: ExpectedSummary; counts: InjectedCounts };
}

/** A source as its backup shows it: records only, names as written. */
export interface SourceRecords {
  directories: readonly { id: string; position: number; active: boolean }[];
  users: readonly { directoryId: string; userName: string; active: boolean; email: string }[];
  groups: readonly { directoryId: string; name: string }[];
  /** Visits every membership row; `directoryId` is the directory the row (its parent group) is in. */
  memberships(visit: (directoryId: string, parent: string, child: string, childIsGroup: boolean) => void): void;
  /** Groups that grant a product (S-09), as named by the grant. */
  productGrants: readonly { product: string; group: string }[];
}

const BLOCKLIST = new Set(['site-admins', 'system-administrators', 'atlassian-addons', 'atlassian-addons-admin', 'org-admins']);
const JIRA_PRODUCTS = ['jira-software', 'jira-servicedesk', 'jira-core'];

/** The assessment of one source under S-01…S-09. */
export interface SourceAssessment {
  users: number;
  activeUsers: number;
  /** Lower-case group name → the spellings seen (active directories only). */
  groupSpellings: Map<string, Set<string>>;
  directMemberships: number;
  invalidEmails: number;
  duplicatedEmails: number;
  domains: Set<string>;
  /** Lower-case names of groups with at least one child group. */
  nested: Set<string>;
  billable: Map<string, number>;
  /** Effective user (lower-case name) → normalised email. */
  emails: Map<string, string>;
  /** Lower-case group name → lower-case names of its flattened members. */
  flatten(group: string): Set<string>;
  /** Number of group cycles found (strongly connected parts of the nesting graph with more than one group or a self-link). */
  cycles: number;
}

export function assessSource(source: SourceRecords, products: readonly string[]): SourceAssessment {
  const directories = source.directories.slice().sort((a, b) => a.position - b.position);
  const active = new Set(directories.filter((d) => d.active).map((d) => d.id));

  // S-03: effective users, first active directory in order wins.
  const usersByDirectory = new Map<string, SourceRecords['users'][number][]>();
  for (const u of source.users) {
    const list = usersByDirectory.get(u.directoryId) ?? [];
    list.push(u);
    usersByDirectory.set(u.directoryId, list);
  }
  const effective = new Map<string, { directoryId: string; active: boolean; email: string }>();
  for (const d of directories) {
    if (!active.has(d.id)) continue;
    for (const u of usersByDirectory.get(d.id) ?? []) {
      const lower = u.userName.toLowerCase();
      if (!effective.has(lower)) effective.set(lower, { directoryId: d.id, active: u.active, email: u.email });
    }
  }

  // Groups of active directories; one group per case-insensitive name.
  const groupsIn = new Map<string, Set<string>>();
  const groupSpellings = new Map<string, Set<string>>();
  for (const g of source.groups) {
    if (!active.has(g.directoryId)) continue;
    const lower = g.name.toLowerCase();
    const set = groupsIn.get(g.directoryId) ?? new Set<string>();
    set.add(lower);
    groupsIn.set(g.directoryId, set);
    const spellings = groupSpellings.get(lower) ?? new Set<string>();
    spellings.add(g.name);
    groupSpellings.set(lower, spellings);
  }
  const holds = (directoryId: string, group: string) => groupsIn.get(directoryId)?.has(group) ?? false;

  // S-07: one graph of group names from the group-in-group rows of all active directories.
  const parentsOf = new Map<string, Set<string>>();
  const childrenOf = new Map<string, Set<string>>();
  source.memberships((directoryId, parent, child, childIsGroup) => {
    if (!childIsGroup || !active.has(directoryId)) return;
    const p = parent.toLowerCase();
    const c = child.toLowerCase();
    if (!holds(directoryId, p) || !holds(directoryId, c)) return;
    (parentsOf.get(c) ?? parentsOf.set(c, new Set()).get(c)!).add(p);
    (childrenOf.get(p) ?? childrenOf.set(p, new Set()).get(p)!).add(c);
  });

  // S-09: which products each group grants, directly or through its ancestors.
  const bit = new Map(products.map((product, i) => [product, 1 << i]));
  const direct = new Map<string, number>();
  for (const grant of source.productGrants) {
    const b = bit.get(grant.product);
    if (b === undefined) continue;
    const lower = grant.group.toLowerCase();
    direct.set(lower, (direct.get(lower) ?? 0) | b);
  }
  const maskCache = new Map<string, number>();
  const grantMask = (group: string): number => {
    const cached = maskCache.get(group);
    if (cached !== undefined) return cached;
    let mask = 0;
    const seen = new Set([group]);
    const stack = [group];
    while (stack.length > 0) {
      const g = stack.pop()!;
      mask |= direct.get(g) ?? 0;
      for (const parent of parentsOf.get(g) ?? []) {
        if (!seen.has(parent)) {
          seen.add(parent);
          stack.push(parent);
        }
      }
    }
    maskCache.set(group, mask);
    return mask;
  };

  // S-03: a user's memberships are the rows of the directory holding the effective entry.
  let directMemberships = 0;
  const userMask = new Map<string, number>();
  const directMembers = new Map<string, Set<string>>();
  source.memberships((directoryId, parent, child, childIsGroup) => {
    if (childIsGroup || !active.has(directoryId)) return;
    const p = parent.toLowerCase();
    const c = child.toLowerCase();
    if (!holds(directoryId, p) || effective.get(c)?.directoryId !== directoryId) return;
    directMemberships++;
    userMask.set(c, (userMask.get(c) ?? 0) | grantMask(p));
    (directMembers.get(p) ?? directMembers.set(p, new Set()).get(p)!).add(c);
  });

  // S-01, S-02, S-04, S-08, S-11.
  let activeUsers = 0;
  let invalidEmails = 0;
  const domains = new Set<string>();
  const addressCounts = new Map<string, number>();
  const emails = new Map<string, string>();
  const billable = new Map(products.map((product) => [product, 0]));
  for (const [lower, user] of effective) {
    const email = normaliseEmail(user.email);
    emails.set(lower, email.normalised);
    if (email.valid) {
      domains.add(email.domain);
      addressCounts.set(email.normalised, (addressCounts.get(email.normalised) ?? 0) + 1);
    } else {
      invalidEmails++;
    }
    if (!user.active) continue;
    activeUsers++;
    const mask = userMask.get(lower) ?? 0;
    products.forEach((product, i) => {
      if (mask & (1 << i)) billable.set(product, billable.get(product)! + 1);
    });
  }
  let duplicatedEmails = 0;
  for (const count of addressCounts.values()) if (count >= 2) duplicatedEmails++;

  const flatten = (group: string): Set<string> => {
    const members = new Set<string>();
    const seen = new Set([group]);
    const stack = [group];
    while (stack.length > 0) {
      const g = stack.pop()!;
      for (const user of directMembers.get(g) ?? []) members.add(user);
      for (const child of childrenOf.get(g) ?? []) {
        if (!seen.has(child)) {
          seen.add(child);
          stack.push(child);
        }
      }
    }
    return members;
  };

  return {
    users: effective.size,
    activeUsers,
    groupSpellings,
    directMemberships,
    invalidEmails,
    duplicatedEmails,
    domains,
    nested: new Set(childrenOf.keys()),
    billable,
    emails,
    flatten,
    cycles: countCycles(childrenOf),
  };
}

/** Strongly connected components (Tarjan) with a cycle in them. */
function countCycles(childrenOf: ReadonlyMap<string, ReadonlySet<string>>): number {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  let counter = 0;
  let cycles = 0;
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of childrenOf.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      let size = 0;
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        size++;
      } while (w !== v);
      if (size > 1 || childrenOf.get(v)?.has(v)) cycles++;
    }
  };
  for (const v of childrenOf.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

export function jiraRecords(jira: JiraEstate, people: People): SourceRecords {
  const grants = jira.licenseRoles.map((r) => ({ product: r.licenseRoleName, group: r.groupName }));
  // S-09: only instances without application roles count the global USE permission as Jira Software.
  if (grants.length === 0) {
    for (const p of jira.globalPermissions) if (p.permission === 'USE') grants.push({ product: 'jira-software', group: p.groupName });
  }
  return {
    directories: jira.directories.map((d) => ({ id: String(d.id), position: d.position, active: d.active })),
    users: jira.entries.map((e) => ({ directoryId: String(e.directoryId), userName: people.userName[e.person]!, active: e.active, email: e.email })),
    groups: jira.groups.map((g) => ({ directoryId: String(g.directoryId), name: g.name })),
    memberships(visit) {
      for (const link of jira.groupLinks) {
        const parent = jira.groups[link.parent]!;
        visit(String(parent.directoryId), parent.name, jira.groups[link.child]!.name, true);
      }
      const { group, entry, count } = jira.memberships;
      for (let n = 0; n < count; n++) {
        const g = jira.groups[group[n]!]!;
        const e = jira.entries[entry[n]!]!;
        // A Jira Membership row carries its own directoryId (the user's, which is the group's here).
        visit(String(e.directoryId), g.name, people.userName[e.person]!, false);
      }
    },
    productGrants: grants,
  };
}

export function confluenceRecords(confluence: ConfluenceEstate, people: People): SourceRecords {
  // Directory order is the order of the application's directory mappings.
  const position = new Map(confluence.mappings.map((m, i) => [m.directoryId, i]));
  return {
    directories: confluence.directories.map((d) => ({ id: String(d.id), position: position.get(d.id) ?? Number.MAX_SAFE_INTEGER, active: d.active })),
    users: confluence.entries.map((e) => ({ directoryId: String(e.directoryId), userName: people.userName[e.person]!, active: e.active, email: e.email })),
    groups: confluence.groups.map((g) => ({ directoryId: String(g.directoryId), name: g.name })),
    memberships(visit) {
      for (const link of confluence.groupLinks) {
        const parent = confluence.groups[link.parent]!;
        visit(String(parent.directoryId), parent.name, confluence.groups[link.child]!.name, true);
      }
      const { group, entry, count } = confluence.memberships;
      for (let n = 0; n < count; n++) {
        const g = confluence.groups[group[n]!]!;
        const e = confluence.entries[entry[n]!]!;
        if (e.directoryId !== g.directoryId) throw new Error('generator bug: membership across directories');
        visit(String(g.directoryId), g.name, people.userName[e.person]!, false);
      }
    },
    productGrants: confluence.spacePermissions
      .filter((p) => p.space < 0 && p.type === 'USECONFLUENCE' && p.group !== undefined)
      .map((p) => ({ product: 'confluence', group: p.group! })),
  };
}

export function buildManifest(estate: Estate): EstateManifest {
  const jira = assessSource(jiraRecords(estate.jira, estate.people), JIRA_PRODUCTS);
  const confluence = assessSource(confluenceRecords(estate.confluence, estate.people), ['confluence']);
  const sources = [jira, confluence];

  const spellings = new Map<string, Set<string>>();
  for (const s of sources) {
    for (const [lower, names] of s.groupSpellings) {
      const all = spellings.get(lower) ?? new Set<string>();
      for (const name of names) all.add(name);
      spellings.set(lower, all);
    }
  }
  const domains = new Set<string>();
  const nested = new Set<string>();
  for (const s of sources) {
    for (const d of s.domains) domains.add(d);
    for (const n of s.nested) nested.add(n);
  }
  const sum = (pick: (s: SourceAssessment) => number) => sources.reduce((total, s) => total + pick(s), 0);
  const billableUsers: Record<string, number> = {};
  for (const s of sources) for (const [product, n] of s.billable) billableUsers[product] = (billableUsers[product] ?? 0) + n;

  const summary: ExpectedSummary = {
    sources: sources.length,
    users: sum((s) => s.users),
    activeUsers: sum((s) => s.activeUsers),
    groups: spellings.size,
    directMemberships: sum((s) => s.directMemberships),
    invalidEmails: sum((s) => s.invalidEmails),
    duplicatedEmails: sum((s) => s.duplicatedEmails),
    domains: domains.size,
    blocklistedGroups: [...spellings.keys()].filter((name) => BLOCKLIST.has(name)).length,
    nestedGroups: nested.size,
    billableUsers,
  };
  verifyInjected(estate, jira, confluence, spellings);
  const { users, groups, memberships, seed } = estate.size;
  return { seed, options: { users, groups, memberships, seed }, expected: { summary, counts: estate.injected } };
}

/** The records must show exactly the defects the generator meant to inject. */
function verifyInjected(estate: Estate, jira: SourceAssessment, confluence: SourceAssessment, spellings: Map<string, Set<string>>): void {
  const injected = estate.injected;
  let mismatches = 0;
  for (const [name, email] of jira.emails) {
    const other = confluence.emails.get(name);
    if (other !== undefined && other !== email) mismatches++;
  }
  let merged = 0;
  for (const name of jira.groupSpellings.keys()) {
    if (!confluence.groupSpellings.has(name)) continue;
    const a = jira.flatten(name);
    const b = confluence.flatten(name);
    if (a.size !== b.size || [...a].some((u) => !b.has(u))) merged++;
  }
  const checks: [string, number, number][] = [
    ['jira invalid emails', jira.invalidEmails, injected.jira.invalidEmails],
    ['jira duplicated addresses', jira.duplicatedEmails, injected.jira.duplicatedAddresses],
    ['confluence invalid emails', confluence.invalidEmails, injected.confluence.invalidEmails],
    ['confluence duplicated addresses', confluence.duplicatedEmails, injected.confluence.duplicatedAddresses],
    ['email mismatches across sources', mismatches, injected.crossSource.emailMismatches],
    ['groups merged across products', merged, injected.groupsMergedAcrossProducts],
    ['group case collisions', [...spellings.values()].filter((s) => s.size > 1).length, injected.groupCaseCollisions],
    ['group cycles', jira.cycles + confluence.cycles, injected.groupCycles],
  ];
  for (const [what, actual, expected] of checks) {
    if (actual !== expected) throw new Error(`generator bug: ${what}: the records show ${actual}, ${expected} were injected`);
  }
}
