/**
 * The organization's semantics over the store, shared by the SCIM and organization APIs:
 * - one Atlassian account per email across the cloud; an account is managed when its email domain is a
 *   verified domain of the org (RULES ID-05);
 * - the org directory (who uses the org's sites: active or suspended, invited or synced);
 * - org-wide groups whose names are unique case-insensitively (S-05); default access groups that grant a
 *   product, built-in admin groups the API never writes, blocklisted admin names never created (GR-05);
 *   groups synced from SCIM are read-only to the org API (TARGETS 1.8 #6);
 * - product access through group roles; a role given through the API is held for an admin's approval and
 *   grants nothing until approved (GR-07); default access groups grant theirs from the start (CUM-04/05).
 * Refusals carry the organization API's ADMIN codes.
 */
import type Database from 'better-sqlite3';
import { normaliseEmail } from '../model/email.js';
import { isBlocklistedGroup, ROLES } from './catalog.js';
import { newAccountId, newId, nowIso } from './ids.js';
import { conflict, forbidden, invalid, notFound } from './refusal.js';
import type { AccountProfile, AccountRow, DirectoryUserRow, DomainRow, GroupRoleRow, GroupRow, ResourceRow } from './org-rows.js';
import type { CloudIdentity } from './store.js';

export type { AccountProfile, AccountRow, DirectoryUserRow, DomainRow, GroupKind, GroupRoleRow, GroupRow, ResourceRow } from './org-rows.js';

/** Groups the org API may not write: synced from an identity provider, or built in. */
export const managedElsewhere = (group: GroupRow): string | null =>
  group.scim_directory_id !== null
    ? `the group ${group.name} is synced from an identity provider: change its members there`
    : group.kind === 'built-in'
      ? `the group ${group.name} is a built-in admin group: it cannot be changed through the API`
      : null;

export class CloudOrg {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    readonly db: Database.Database,
    readonly identity: CloudIdentity,
  ) {}

  /** A prepared statement, prepared once. */
  sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) this.statements.set(text, (statement = this.db.prepare(text)));
    return statement;
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  // --- domains ---------------------------------------------------------------------------------------

  domains(): DomainRow[] {
    return this.sql('SELECT * FROM domains ORDER BY name').all() as DomainRow[];
  }

  domain(id: string): DomainRow | undefined {
    return this.sql('SELECT * FROM domains WHERE id = ?').get(id) as DomainRow | undefined;
  }

  /** Adds a domain to the org, or changes its status; idempotent. */
  addDomain(name: string, status: DomainRow['status'] = 'verified'): DomainRow {
    const lower = name.trim().toLowerCase();
    if (!normaliseEmail(`x@${lower}`).valid) throw invalid(`${JSON.stringify(name)} is not a domain name`);
    const existing = this.sql('SELECT * FROM domains WHERE name = ?').get(lower) as DomainRow | undefined;
    if (existing) {
      this.sql('UPDATE domains SET status = ? WHERE id = ?').run(status, existing.id);
      return { ...existing, status };
    }
    const row: DomainRow = { id: newId(), name: lower, status, claim_type: 'dns', created_at: nowIso() };
    this.sql('INSERT INTO domains (id, name, status, claim_type, created_at) VALUES (?, ?, ?, ?, ?)').run(
      row.id,
      row.name,
      row.status,
      row.claim_type,
      row.created_at,
    );
    return row;
  }

  isVerifiedDomain(domain: string): boolean {
    return this.sql("SELECT 1 FROM domains WHERE name = ? AND status = 'verified'").get(domain.toLowerCase()) !== undefined;
  }

  /** Managed account: its email domain is verified by this org (ID-05). */
  isManaged(account: Pick<AccountRow, 'email_lower'>): boolean {
    return this.isVerifiedDomain(account.email_lower.slice(account.email_lower.lastIndexOf('@') + 1));
  }

  // --- accounts ----------------------------------------------------------------------------------------

  account(accountId: string): AccountRow | undefined {
    return this.sql('SELECT * FROM accounts WHERE account_id = ?').get(accountId) as AccountRow | undefined;
  }

  accountByEmail(email: string): AccountRow | undefined {
    return this.sql('SELECT * FROM accounts WHERE email_lower = ?').get(email.trim().toLowerCase()) as AccountRow | undefined;
  }

  /** The account of an email, created when the cloud has none (one account per email). */
  accountFor(email: string, profile: AccountProfile = {}): { account: AccountRow; created: boolean } {
    const existing = this.accountByEmail(email);
    if (existing) return { account: existing, created: false };
    return { account: this.createAccount(email, profile), created: true };
  }

  createAccount(email: string, profile: AccountProfile = {}): AccountRow {
    const normalised = normaliseEmail(email);
    if (!normalised.valid) throw invalid(`${JSON.stringify(email)} is not a valid email address`);
    if (this.accountByEmail(normalised.normalised)) throw conflict(`an Atlassian account with the email ${email.trim()} already exists`);
    const now = nowIso();
    const local = normalised.normalised.slice(0, normalised.normalised.indexOf('@'));
    const row: AccountRow = {
      account_id: newAccountId(),
      email: email.trim(),
      email_lower: normalised.normalised,
      name: profile.name?.trim() || local,
      nickname: local,
      status: 'active',
      email_verified: 0,
      title: profile.title ?? null,
      department: profile.department ?? null,
      organization: profile.organization ?? null,
      timezone: profile.timezone ?? null,
      locale: profile.locale ?? null,
      created_at: now,
      updated_at: now,
    };
    this.sql(
      `INSERT INTO accounts (account_id, email, email_lower, name, nickname, status, email_verified, title, department,
         organization, timezone, locale, created_at, updated_at)
       VALUES (@account_id, @email, @email_lower, @name, @nickname, @status, @email_verified, @title, @department,
         @organization, @timezone, @locale, @created_at, @updated_at)`,
    ).run(row);
    return row;
  }

  updateProfile(accountId: string, profile: AccountProfile): void {
    const current = this.account(accountId);
    if (!current) return;
    const next = {
      account_id: accountId,
      name: profile.name?.trim() || current.name,
      title: profile.title !== undefined ? profile.title : current.title,
      department: profile.department !== undefined ? profile.department : current.department,
      organization: profile.organization !== undefined ? profile.organization : current.organization,
      timezone: profile.timezone !== undefined ? profile.timezone : current.timezone,
      locale: profile.locale !== undefined ? profile.locale : current.locale,
      updated_at: nowIso(),
    };
    this.sql(
      `UPDATE accounts SET name = @name, title = @title, department = @department, organization = @organization,
         timezone = @timezone, locale = @locale, updated_at = @updated_at WHERE account_id = @account_id`,
    ).run(next);
  }

  changeEmail(accountId: string, email: string): void {
    this.sql('UPDATE accounts SET email = ?, email_lower = ?, updated_at = ? WHERE account_id = ?').run(
      email.trim(),
      email.trim().toLowerCase(),
      nowIso(),
      accountId,
    );
  }

  setAccountStatus(accountId: string, status: AccountRow['status']): void {
    this.sql('UPDATE accounts SET status = ?, updated_at = ? WHERE account_id = ?').run(status, nowIso(), accountId);
  }

  // --- the org directory ----------------------------------------------------------------------------------

  directoryUser(accountId: string): DirectoryUserRow | undefined {
    return this.sql('SELECT * FROM directory_users WHERE account_id = ?').get(accountId) as DirectoryUserRow | undefined;
  }

  /** Puts an account in the org directory (active) unless it is there already. */
  joinDirectory(accountId: string, source: DirectoryUserRow['source']): void {
    this.sql("INSERT OR IGNORE INTO directory_users (account_id, status, source, added_at) VALUES (?, 'active', ?, ?)").run(
      accountId,
      source,
      nowIso(),
    );
  }

  /** The account, when the org knows it: a user of its directory or a managed account. */
  orgAccount(accountId: string): AccountRow {
    const account = this.account(accountId);
    if (!account || (!this.directoryUser(accountId) && !this.isManaged(account))) {
      throw notFound(`no user with the account id ${accountId} in this organization`, 'ADMIN-404-8');
    }
    return account;
  }

  /** Every account the org knows: users of its directory and its managed accounts, oldest first. */
  orgAccounts(): AccountRow[] {
    const all = this.sql(
      `SELECT a.*, d.account_id IS NOT NULL AS in_directory FROM accounts a
       LEFT JOIN directory_users d ON d.account_id = a.account_id ORDER BY a.rowid`,
    ).all() as Array<AccountRow & { in_directory: number }>;
    const verified = new Set(this.domains().filter((d) => d.status === 'verified').map((d) => d.name));
    return all.filter((row) => row.in_directory === 1 || verified.has(row.email_lower.slice(row.email_lower.lastIndexOf('@') + 1)));
  }

  setDirectoryStatus(accountId: string, status: DirectoryUserRow['status']): void {
    this.orgAccount(accountId);
    if (!this.directoryUser(accountId)) throw notFound(`the account ${accountId} is not a user of this organization's directory`, 'ADMIN-404-8');
    this.sql('UPDATE directory_users SET status = ? WHERE account_id = ?').run(status, accountId);
  }

  /** Removes the user from the directory and from the groups the org API manages; the account stays. */
  removeFromDirectory(accountId: string): void {
    this.orgAccount(accountId);
    this.transaction(() => {
      this.sql('DELETE FROM memberships WHERE account_id = ?').run(accountId);
      this.sql('DELETE FROM directory_users WHERE account_id = ?').run(accountId);
    });
  }

  // --- groups --------------------------------------------------------------------------------------------

  group(id: string): GroupRow | undefined {
    return this.sql('SELECT * FROM groups WHERE id = ?').get(id) as GroupRow | undefined;
  }

  groupByName(name: string): GroupRow | undefined {
    return this.sql('SELECT * FROM groups WHERE name_lower = ?').get(name.trim().toLowerCase()) as GroupRow | undefined;
  }

  /** Every org group, oldest first. */
  groups(): GroupRow[] {
    return this.sql('SELECT * FROM groups ORDER BY rowid').all() as GroupRow[];
  }

  requireGroup(id: string): GroupRow {
    const group = this.group(id);
    if (!group) throw notFound(`no group with the id ${id} in this organization`, 'ADMIN-404-10');
    return group;
  }

  /** Inserts an org group; the caller has checked the name. */
  insertGroup(name: string, description: string, scimDirectoryId: string | null): GroupRow {
    const now = nowIso();
    const row: GroupRow = {
      id: newId(),
      name: name.trim(),
      name_lower: name.trim().toLowerCase(),
      description,
      kind: 'custom',
      scim_directory_id: scimDirectoryId,
      created_at: now,
      updated_at: now,
    };
    this.sql(
      `INSERT INTO groups (id, name, name_lower, description, kind, scim_directory_id, created_at, updated_at)
       VALUES (@id, @name, @name_lower, @description, @kind, @scim_directory_id, @created_at, @updated_at)`,
    ).run(row);
    return row;
  }

  /**
   * A group created through the org API. Blocklisted admin names are refused with 400 (Atlassian does not
   * document this answer); a name taken in the org, compared case-insensitively, is refused with 400
   * ADMIN-400-4, the only codes the spec lists for this call ("existing group names are not permitted").
   */
  createOrgGroup(name: unknown, description: unknown): GroupRow {
    if (typeof name !== 'string' || name.trim() === '') throw invalid('the body needs a non-empty "name"');
    if (description !== undefined && typeof description !== 'string') throw invalid('"description" must be a string');
    if (name.trim().length > 255) throw invalid('a group name has at most 255 characters');
    if (isBlocklistedGroup(name)) {
      throw invalid(`${name.trim()} is a reserved Atlassian admin group name (blocklisted): it cannot be created`, { adminCode: 'ADMIN-400-4' });
    }
    const existing = this.groupByName(name);
    if (existing) {
      throw invalid(`a group named ${existing.name} already exists in this organization (group names compare case-insensitively)`, {
        adminCode: 'ADMIN-400-4',
      });
    }
    return this.insertGroup(name, description ?? '', null);
  }

  /** Deletes a group through the org API (which refuses synced, default, admin and, unless forced, non-empty groups). */
  deleteOrgGroup(id: string, force: boolean): GroupRow {
    const group = this.requireGroup(id);
    if (group.scim_directory_id !== null) throw forbidden(`the group ${group.name} is synced from an identity provider: delete it there`);
    if (group.kind === 'default-access') throw forbidden(`the group ${group.name} is a default access group`, 'ADMIN-403-6');
    if (group.kind === 'built-in') throw forbidden(`the group ${group.name} grants admin access`, 'ADMIN-403-7');
    if (!force && this.memberCount(id) > 0) {
      throw conflict(`the group ${group.name} has members; pass forceIfNotEmpty=true to delete it anyway`, { adminCode: 'ADMIN-409-5' });
    }
    this.sql('DELETE FROM groups WHERE id = ?').run(id);
    return group;
  }

  memberIds(groupId: string): string[] {
    return (this.sql('SELECT account_id FROM all_memberships WHERE group_id = ?').all(groupId) as Array<{ account_id: string }>).map(
      (row) => row.account_id,
    );
  }

  memberCount(groupId: string): number {
    return (this.sql('SELECT COUNT(*) AS n FROM all_memberships WHERE group_id = ?').get(groupId) as { n: number }).n;
  }

  groupsOf(accountId: string): GroupRow[] {
    return this.sql(
      'SELECT g.* FROM groups g JOIN all_memberships m ON m.group_id = g.id WHERE m.account_id = ? ORDER BY g.rowid',
    ).all(accountId) as GroupRow[];
  }

  /** Adds a member through the org API; idempotent. The account joins the org directory if it was not in it. */
  addOrgMember(groupId: string, accountId: string): { group: GroupRow; account: AccountRow } {
    const group = this.requireGroup(groupId);
    const account = this.orgAccount(accountId);
    const refusal = managedElsewhere(group);
    if (refusal) throw forbidden(refusal);
    this.transaction(() => {
      this.joinDirectory(accountId, 'invited');
      this.insertMembership(groupId, accountId);
    });
    return { group, account };
  }

  /** Records a membership of a group the org API manages; idempotent, unchecked (callers check). */
  insertMembership(groupId: string, accountId: string): void {
    this.sql('INSERT OR IGNORE INTO memberships (group_id, account_id, added_at) VALUES (?, ?, ?)').run(groupId, accountId, nowIso());
  }

  removeOrgMember(groupId: string, accountId: string): void {
    const group = this.requireGroup(groupId);
    this.orgAccount(accountId);
    const refusal = managedElsewhere(group);
    if (refusal) throw forbidden(refusal);
    this.sql('DELETE FROM memberships WHERE group_id = ? AND account_id = ?').run(groupId, accountId);
  }

  // --- product roles ---------------------------------------------------------------------------------

  resources(): ResourceRow[] {
    return this.sql('SELECT * FROM resources ORDER BY position').all() as ResourceRow[];
  }

  resource(id: string): ResourceRow | undefined {
    return this.sql('SELECT * FROM resources WHERE id = ?').get(id) as ResourceRow | undefined;
  }

  groupRoles(groupId: string): GroupRoleRow[] {
    return this.sql(
      'SELECT gr.* FROM group_roles gr JOIN resources r ON r.id = gr.resource_id WHERE gr.group_id = ? ORDER BY r.position, gr.role',
    ).all(groupId) as GroupRoleRow[];
  }

  private checkRole(resourceId: unknown, role: unknown): ResourceRow {
    if (typeof resourceId !== 'string' || typeof role !== 'string') throw invalid('the body needs "resourceId" and "roleId" strings');
    const resource = this.resource(resourceId);
    if (!resource) throw invalid(`no product with the resource id ${resourceId} on this organization's site`, { adminCode: 'ADMIN-400-4' });
    if (!ROLES.has(role)) throw invalid(`${role} is not a role (expected one of ${[...ROLES].join(', ')})`);
    return resource;
  }

  /**
   * Gives a group a role on a product. Access given through the API is held for approval (GR-07): the role is
   * recorded as pending and grants nothing until an admin approves it. Idempotent.
   */
  assignGroupRole(groupId: string, resourceId: unknown, role: unknown): GroupRoleRow['status'] {
    const group = this.requireGroup(groupId);
    if (group.kind === 'built-in') throw forbidden(`the group ${group.name} is a built-in admin group: its roles cannot be changed`);
    this.checkRole(resourceId, role);
    this.sql(
      "INSERT OR IGNORE INTO group_roles (group_id, resource_id, role, status, is_default, assigned_at) VALUES (?, ?, ?, 'pending', 0, ?)",
    ).run(groupId, resourceId, role, nowIso());
    const row = this.sql('SELECT status FROM group_roles WHERE group_id = ? AND resource_id = ? AND role = ?').get(groupId, resourceId, role) as {
      status: GroupRoleRow['status'];
    };
    return row.status;
  }

  revokeGroupRole(groupId: string, resourceId: unknown, role: unknown): void {
    const group = this.requireGroup(groupId);
    this.checkRole(resourceId, role);
    const row = this.sql('SELECT is_default FROM group_roles WHERE group_id = ? AND resource_id = ? AND role = ?').get(groupId, resourceId, role) as
      | { is_default: number }
      | undefined;
    if (row?.is_default === 1) throw forbidden(`the group ${group.name} is the default access group of that role`, 'ADMIN-403-6');
    this.sql('DELETE FROM group_roles WHERE group_id = ? AND resource_id = ? AND role = ?').run(groupId, resourceId, role);
  }

  /** What an admin does in Atlassian Administration: approve the access held for approval (one group, or all). */
  approvePendingAccess(groupId?: string): number {
    const result =
      groupId === undefined
        ? this.sql("UPDATE group_roles SET status = 'granted' WHERE status = 'pending'").run()
        : this.sql("UPDATE group_roles SET status = 'granted' WHERE status = 'pending' AND group_id = ?").run(groupId);
    return result.changes;
  }

  /** The product roles an account holds now: through its groups' granted roles, while active in the directory. */
  productAccess(accountId: string): Array<{ resource: ResourceRow; role: string; groupId: string }> {
    const account = this.account(accountId);
    if (!account || account.status !== 'active' || this.directoryUser(accountId)?.status !== 'active') return [];
    const rows = this.sql(
      `SELECT r.*, gr.role AS role, gr.group_id AS group_id FROM all_memberships m
       JOIN group_roles gr ON gr.group_id = m.group_id AND gr.status = 'granted'
       JOIN resources r ON r.id = gr.resource_id
       WHERE m.account_id = ? ORDER BY r.position, gr.role`,
    ).all(accountId) as Array<ResourceRow & { role: string; group_id: string }>;
    return rows.map(({ role, group_id, ...resource }) => ({ resource, role, groupId: group_id }));
  }

  /** The default access group that grants a role on a product (CUM-05), if the site has one. */
  defaultGroupFor(resourceId: string, role: string): GroupRow | undefined {
    return this.sql(
      `SELECT g.* FROM groups g JOIN group_roles gr ON gr.group_id = g.id
       WHERE gr.resource_id = ? AND gr.role = ? AND gr.is_default = 1 ORDER BY g.rowid LIMIT 1`,
    ).get(resourceId, role) as GroupRow | undefined;
  }
}
