/**
 * The cloud as it must look once everything in scope has migrated: accounts, groups and memberships,
 * computed purely from the estate and the decisions (RULES.md §6 S-05 … S-10).
 *
 * - One account per cloud email (S-04): users of several sources with the same email, and users merged
 *   into another, land in one account. Former users and skipped users get none.
 * - Disabled users get an account without product access: their entries bring no group membership
 *   (S-08), so admin groups of disabled duplicates never reach a merged account (P7). An account stays
 *   in the groups its active entries bring (IN-01).
 * - Groups carry their cloud names after decisions (renamed, mapped into another, skipped); nested groups
 *   are flattened (S-07); empty groups are kept (GR-16). Blocklisted groups are never created (S-06): their
 *   members are listed for the post-migration checklist instead.
 * - Product access and admin access of a group are recorded as pending approval (GR-07, S-10).
 * - With a scope (src/scope), only the users and groups of the scope: accounts of in-scope users, Former
 *   users and skips among them, and the scope's groups with the members whose accounts are in scope
 *   (all active members for a group migrated whole, which the scope has brought in already).
 * - Bitbucket (S-13, SC-B03): every active Bitbucket user that gets an account joins the cloud group
 *   `Bitbucket Migration Users`, which grants no product access and no permission. Inactive Bitbucket users
 *   get their accounts (SC-B02: authorship) but, as S-08 says of every disabled user, no group: the admin
 *   grants this group access to repositories after the migration, and a disabled user must not gain it.
 *   It is usermig's own group, not a source group: no occurrences; joining a cloud group of that name that
 *   exists already (Atlassian's Bitbucket migration assistant makes the same one) is what the rule asks,
 *   so it counts as consented (`mapped`). A source group of that name merges into it.
 */
import { adminGroups, productAccessGroups, type ProductKey } from '../assess/access.js';
import type { EffectiveUser, Estate } from '../assess/estate.js';
import { cloudGroups, type GroupOccurrence } from '../decide/cloud-group-names.js';
import { describeRef, resolveIdentities, type Identities } from '../decide/identities.js';
import type { Decisions } from '../model/decision.js';
import { isBlocklistedGroup } from '../model/names.js';
import type { ResolvedScope } from '../scope/resolve.js';

/** The cloud group every migrated Bitbucket user joins (RULES.md §6 S-13); it grants nothing. */
export const BITBUCKET_MIGRATION_GROUP = 'Bitbucket Migration Users';

export interface DesiredAccount {
  email: string;
  displayName: string;
  /** False when every entry that lands in the account is disabled. */
  active: boolean;
  /** The source users that land in this account, and why each is there. */
  users: Array<{ user: EffectiveUser; via: 'own' | 'merged' }>;
}

export interface DesiredGroup {
  /** The cloud spelling (the first occurrence's). */
  name: string;
  occurrences: GroupOccurrence[];
  /** True when a source group was mapped into it: a merge the administrator consented to. */
  mapped: boolean;
  /** Emails of the member accounts. */
  members: Set<string>;
  productAccess: Set<ProductKey>;
  adminPermissions: Set<string>;
  /** Why usermig adds the group itself (no source group behind it), e.g. S-13's `Bitbucket Migration Users`. */
  rule?: string;
}

export interface DesiredState {
  accounts: Map<string, DesiredAccount>;
  /** Lower-case cloud name → group. */
  groups: Map<string, DesiredGroup>;
  /** Blocklisted groups: not created; these accounts need to be re-added by hand. */
  blocklisted: Array<{ name: string; members: Set<string> }>;
  formerUsers: EffectiveUser[];
  skipped: EffectiveUser[];
  identities: Identities;
  /** The scope the state was computed for; undefined: everything (`--scope all`). */
  scope?: ResolvedScope;
}

export function desiredState(estate: Estate, decisions: Decisions, scope?: ResolvedScope): DesiredState {
  const identities = resolveIdentities(estate, decisions.users);
  const accounts = new Map<string, DesiredAccount>();
  /**
   * Per source, by user index: the account email of each user whose memberships count (active, with an
   * account). An array, not a map: the group loop below looks up every flattened membership of the estate.
   */
  const memberEmail = new Map<string, Array<string | undefined>>(estate.sources.map((source) => [source.name, new Array<string | undefined>(source.users.length)]));
  const formerUsers: EffectiveUser[] = [];
  const skipped: EffectiveUser[] = [];
  const bitbucketSources = new Set(estate.sources.filter((source) => source.product === 'bitbucket').map((source) => source.name));
  /** S-13: the accounts of the Bitbucket users that migrate. */
  const bitbucketMembers = new Set<string>();

  for (const identity of identities.byUser.values()) {
    const { user } = identity;
    if (scope && !scope.users.has(user)) continue;
    if (identity.outcome === 'former-user') formerUsers.push(user);
    else if (identity.outcome === 'skip') skipped.push(user);
    if (!identity.email) continue; // Former users, skips, and users still without a usable email
    let account = accounts.get(identity.email);
    if (!account) {
      account = { email: identity.email, displayName: user.displayName || user.userName, active: false, users: [] };
      accounts.set(identity.email, account);
    }
    account.users.push({ user, via: identity.outcome === 'merged' ? 'merged' : 'own' });
    if (user.active) {
      account.active = true;
      if (bitbucketSources.has(user.source)) bitbucketMembers.add(identity.email);
      const emails = memberEmail.get(user.source);
      if (emails) emails[user.index] = identity.email;
    }
  }
  // A merged account is named after its survivor.
  for (const account of accounts.values()) {
    const own = account.users.find((entry) => entry.via === 'own');
    if (own) account.displayName = own.user.displayName || own.user.userName;
  }

  const groups = new Map<string, DesiredGroup>();
  const blocklisted: DesiredState['blocklisted'] = [];
  const access = new Map(estate.sources.map((source) => [source, productAccessGroups(source)]));
  const admins = new Map(estate.sources.map((source) => [source, adminGroups(source)]));
  for (const [lower, occurrences] of cloudGroups(estate, decisions.groups)) {
    if (scope && !occurrences.some(({ group }) => scope.groups.has(group))) continue;
    const members = new Set<string>();
    for (const { source, group } of occurrences) {
      const emails = memberEmail.get(source.name) ?? [];
      for (const index of source.flattened(group)) {
        const email = emails[index];
        if (email !== undefined) members.add(email);
      }
    }
    const first = occurrences[0] as GroupOccurrence;
    if (isBlocklistedGroup(lower)) {
      blocklisted.push({ name: first.cloud.name as string, members });
      continue;
    }
    const productAccess = new Set<ProductKey>();
    const adminPermissions = new Set<string>();
    for (const { source, group } of occurrences) {
      for (const [product, names] of access.get(source) ?? []) if (names.has(group.lowerName)) productAccess.add(product);
      for (const permission of admins.get(source)?.get(group) ?? []) adminPermissions.add(permission);
    }
    groups.set(lower, {
      name: first.cloud.name as string,
      occurrences,
      mapped: occurrences.some((occurrence) => occurrence.cloud.via === 'map'),
      members,
      productAccess,
      adminPermissions,
    });
  }
  if (bitbucketMembers.size > 0) addBitbucketMigrationGroup(groups, bitbucketMembers);
  return { accounts, groups, blocklisted, formerUsers, skipped, identities, ...(scope ? { scope } : {}) };
}

/** S-13: `Bitbucket Migration Users` with every migrated Bitbucket account; merged with a source group of that name. */
function addBitbucketMigrationGroup(groups: Map<string, DesiredGroup>, members: ReadonlySet<string>): void {
  const lower = BITBUCKET_MIGRATION_GROUP.toLowerCase();
  const existing = groups.get(lower);
  if (existing) {
    for (const email of members) existing.members.add(email);
    existing.mapped = true;
    return;
  }
  groups.set(lower, {
    name: BITBUCKET_MIGRATION_GROUP,
    occurrences: [],
    mapped: true,
    members: new Set(members),
    productAccess: new Set(),
    adminPermissions: new Set(),
    rule: 'every migrated Bitbucket user joins it; it grants no product access and no permission (S-13)',
  });
}

/** Why an account is in the desired state, one line per source user. */
export function accountReasons(account: DesiredAccount): string[] {
  return account.users.map(({ user, via }) => `${describeRef(user)}${via === 'merged' ? ' (merged)' : ''}${user.active ? '' : ' (disabled: no groups)'}`);
}
