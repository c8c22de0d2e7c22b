/**
 * One SCIM directory (an identity provider's link to the org) with Atlassian's semantics (TARGETS 1.2–1.8):
 * - it lists only what was provisioned through it, never the org's other accounts;
 * - creating a user links to the account that already has the email (one account per email) or creates
 *   one; `userName`, and the account, are unique in the directory (409 uniqueness);
 * - `active` deactivates a managed account, or suspends an unmanaged one's access; DELETE deactivates a
 *   managed account, drops its SCIM memberships and the record (1.6);
 * - changing the email in place needs a managed account moving to a verified domain; otherwise the SCIM
 *   user is unlinked onto a new account and drops out of its SCIM groups (1.8 #5); an email held by
 *   another account is a 409;
 * - a group name taken in the org is a 409, except the names of default access and built-in groups, which
 *   are accepted but never synced to the org (the spec's Limitations; 1.8 #2); synced groups are org groups
 *   that only this directory may change; a group cannot be renamed.
 */
import { isBlocklistedGroup } from './catalog.js';
import { nowIso, newId } from './ids.js';
import type { AccountProfile, AccountRow, CloudOrg } from './org-model.js';
import { conflict, invalid, Refusal } from './refusal.js';
import type { EqFilter } from './scim-filter.js';
import { applyGroupPatch, applyUserPatch, memberChanges, type PatchOperation } from './scim-patch.js';
import {
  displayNameOf,
  field,
  parseUserInput,
  primaryEmail,
  requireSchemas,
  SCHEMA,
  writableUser,
  type GroupRef,
  type MemberRef,
  type StoredGroup,
  type StoredUser,
  type UserAttributes,
  type UserInput,
} from './scim-resources.js';

export interface StoredScimGroup extends StoredGroup {
  /** The org group it is synced to; null when accepted but not synced. */
  group_id: string | null;
}

export interface Page<T> {
  total: number;
  rows: T[];
}

const scimNotFound = (what: string, id: string) => new Refusal(404, `${what} ${id} does not exist in this directory`);
const domainOf = (email: string) => email.slice(email.lastIndexOf('@') + 1).toLowerCase();

export class ScimDirectory {
  constructor(
    readonly org: CloudOrg,
    readonly directoryId: string,
  ) {}

  // --- users ---------------------------------------------------------------------------------------------

  user(id: string): StoredUser | undefined {
    return this.org.sql('SELECT * FROM scim_users WHERE id = ? AND directory_id = ?').get(id, this.directoryId) as StoredUser | undefined;
  }

  requireUser(id: string): StoredUser {
    const user = this.user(id);
    if (!user) throw scimNotFound('the user', id);
    return user;
  }

  listUsers(filter: EqFilter | null, offset: number, limit: number): Page<StoredUser> {
    const where =
      filter === null ? '' : filter.attribute === 'userName' ? 'AND user_name_lower = @value' : 'AND external_id = @value';
    return this.page<StoredUser>('scim_users', where, filter?.attribute === 'userName' ? filter.value.toLowerCase() : filter?.value, offset, limit);
  }

  /** One page of the directory's rows of `table` (with an optional extra condition on @value), and the total. */
  private page<Row>(table: 'scim_users' | 'scim_groups', where: string, value: string | undefined, offset: number, limit: number): Page<Row> {
    const params = { directory: this.directoryId, value, limit, offset };
    const total = (this.org.sql(`SELECT COUNT(*) AS n FROM ${table} WHERE directory_id = @directory ${where}`).get(params) as { n: number }).n;
    // Unfiltered: the page's rowids from the directory index alone (in rowid order within a directory), then
    // only those rows. Filtered: the filter's own index finds the few rows.
    const rows = this.org
      .sql(
        where === ''
          ? `SELECT * FROM ${table} WHERE rowid IN (
               SELECT rowid FROM ${table} INDEXED BY ${table}_by_directory WHERE directory_id = @directory ORDER BY rowid LIMIT @limit OFFSET @offset
             ) ORDER BY rowid`
          : `SELECT * FROM ${table} WHERE directory_id = @directory ${where} ORDER BY rowid LIMIT @limit OFFSET @offset`,
      )
      .all(params) as Row[];
    return { total, rows };
  }

  groupsOfUser(id: string): GroupRef[] {
    return this.org
      .sql(
        `SELECT sg.id AS id, sg.display_name AS displayName FROM scim_members sm JOIN scim_groups sg ON sg.id = sm.scim_group_id
         WHERE sm.scim_user_id = ? ORDER BY sg.rowid`,
      )
      .all(id) as GroupRef[];
  }

  private linkedUser(accountId: string): StoredUser | undefined {
    return this.org.sql('SELECT * FROM scim_users WHERE directory_id = ? AND account_id = ?').get(this.directoryId, accountId) as
      | StoredUser
      | undefined;
  }

  private checkUserName(userName: string, except: string | null): void {
    const row = this.org.sql('SELECT id FROM scim_users WHERE directory_id = ? AND user_name_lower = ?').get(this.directoryId, userName.toLowerCase()) as
      | { id: string }
      | undefined;
    if (row && row.id !== except) throw conflict(`a user with the userName ${userName} already exists in this directory`);
  }

  private profileOf(input: UserInput): AccountProfile {
    const attributes = input.attributes;
    return {
      name: displayNameOf(input.userName, attributes),
      title: attributes.title ?? null,
      department: attributes.department ?? attributes.enterprise?.department ?? null,
      organization: attributes.organization ?? attributes.enterprise?.organization ?? null,
      timezone: attributes.timezone ?? null,
      locale: attributes.preferredLanguage ?? null,
    };
  }

  /** `active` deactivates (or reactivates) a managed account; an unmanaged one only loses (or regains) access to the org. */
  private applyActive(accountId: string, active: boolean): void {
    const account = this.org.account(accountId) as AccountRow;
    if (this.org.isManaged(account)) {
      this.org.setAccountStatus(accountId, active ? 'active' : 'inactive');
    } else {
      this.org.joinDirectory(accountId, 'synced');
      this.org.setDirectoryStatus(accountId, active ? 'active' : 'suspended');
    }
  }

  createUser(input: UserInput): StoredUser {
    return this.org.transaction(() => {
      this.checkUserName(input.userName, null);
      const email = primaryEmail(input.attributes);
      const existing = this.org.accountByEmail(email);
      if (existing && this.linkedUser(existing.account_id)) {
        throw conflict(`a user with the email ${email} is already provisioned in this directory`);
      }
      const profile = this.profileOf(input);
      const account = existing ?? this.org.createAccount(email, profile);
      if (existing && this.org.isManaged(existing)) this.org.updateProfile(existing.account_id, profile);
      this.org.joinDirectory(account.account_id, 'synced');
      const active = input.active ?? true;
      this.applyActive(account.account_id, active);
      const now = nowIso();
      const row: StoredUser = {
        id: newId(),
        account_id: account.account_id,
        user_name: input.userName,
        external_id: input.externalId,
        active: active ? 1 : 0,
        attributes: JSON.stringify(input.attributes),
        created_at: now,
        updated_at: now,
      };
      this.org
        .sql(
          `INSERT INTO scim_users (id, directory_id, account_id, user_name, user_name_lower, external_id, active, attributes, created_at, updated_at)
           VALUES (@id, @directory, @account_id, @user_name, @user_name_lower, @external_id, @active, @attributes, @created_at, @updated_at)`,
        )
        .run({ ...row, directory: this.directoryId, user_name_lower: input.userName.toLowerCase() });
      return row;
    });
  }

  /** PUT: every attribute is replaced, and those not sent are cleared (`active` too: a PUT without it deactivates). */
  replaceUser(id: string, input: UserInput): StoredUser {
    return this.org.transaction(() => {
      const current = this.requireUser(id);
      this.checkUserName(input.userName, id);
      const email = primaryEmail(input.attributes);
      const account = this.org.account(current.account_id) as AccountRow;
      const accountId = email.toLowerCase() === account.email_lower ? account.account_id : this.moveEmail(current, account, email, input);
      const moved = this.org.account(accountId) as AccountRow;
      if (this.org.isManaged(moved)) this.org.updateProfile(accountId, this.profileOf(input));
      const active = input.active ?? false;
      this.applyActive(accountId, active);
      const row: StoredUser = {
        ...current,
        account_id: accountId,
        user_name: input.userName,
        external_id: input.externalId,
        active: active ? 1 : 0,
        attributes: JSON.stringify(input.attributes),
        updated_at: nowIso(),
      };
      this.org
        .sql(
          `UPDATE scim_users SET account_id = @account_id, user_name = @user_name, user_name_lower = @user_name_lower,
             external_id = @external_id, active = @active, attributes = @attributes, updated_at = @updated_at WHERE id = @id`,
        )
        .run({ ...row, user_name_lower: input.userName.toLowerCase() });
      return row;
    });
  }

  /** A new primary email: changed in place for a managed account staying on a verified domain, else unlinked (1.8 #5). */
  private moveEmail(current: StoredUser, account: AccountRow, email: string, input: UserInput): string {
    const other = this.org.accountByEmail(email);
    if (other && other.account_id !== account.account_id) throw conflict(`the email ${email} belongs to another Atlassian account`);
    if (this.org.isManaged(account) && this.org.isVerifiedDomain(domainOf(email))) {
      this.org.changeEmail(account.account_id, email);
      return account.account_id;
    }
    const fresh = this.org.createAccount(email, this.profileOf(input));
    this.org.joinDirectory(fresh.account_id, 'synced');
    this.org.sql('DELETE FROM scim_members WHERE scim_user_id = ?').run(current.id);
    return fresh.account_id;
  }

  patchUser(id: string, operations: readonly PatchOperation[]): StoredUser {
    const current = this.requireUser(id);
    const json = writableUser(current.user_name, current.external_id, current.active === 1, JSON.parse(current.attributes) as UserAttributes);
    return this.replaceUser(id, parseUserInput(applyUserPatch(json, operations)));
  }

  deleteUser(id: string): void {
    this.org.transaction(() => {
      const current = this.requireUser(id);
      const account = this.org.account(current.account_id) as AccountRow;
      if (this.org.isManaged(account)) this.org.setAccountStatus(account.account_id, 'inactive');
      this.org.sql('DELETE FROM scim_users WHERE id = ?').run(id);
    });
  }

  /** Deletes the SCIM records of an account in every directory (the admin API's onlyDeleteUserInDB). */
  deleteRecordsOf(accountId: string): number {
    return this.org.sql('DELETE FROM scim_users WHERE account_id = ?').run(accountId).changes;
  }

  // --- groups --------------------------------------------------------------------------------------------

  group(id: string): StoredScimGroup | undefined {
    return this.org.sql('SELECT * FROM scim_groups WHERE id = ? AND directory_id = ?').get(id, this.directoryId) as StoredScimGroup | undefined;
  }

  requireGroup(id: string): StoredScimGroup {
    const group = this.group(id);
    if (!group) throw scimNotFound('the group', id);
    return group;
  }

  listGroups(filter: EqFilter | null, offset: number, limit: number): Page<StoredScimGroup> {
    const where = filter === null ? '' : 'AND display_name_lower = @value';
    return this.page<StoredScimGroup>('scim_groups', where, filter?.value.toLowerCase(), offset, limit);
  }

  members(groupId: string): MemberRef[] {
    return this.org
      .sql(
        `SELECT su.id AS id, su.user_name AS display FROM scim_members sm JOIN scim_users su ON su.id = sm.scim_user_id
         WHERE sm.scim_group_id = ? ORDER BY sm.rowid`,
      )
      .all(groupId) as MemberRef[];
  }

  private memberIdsOf(body: Record<string, unknown>, status: 400 | 404): string[] {
    const raw = field(body, 'members');
    if (raw === undefined || raw === null) return [];
    if (!Array.isArray(raw)) throw invalid('members must be an array');
    const ids = raw.map((item, index) => {
      const value = typeof item === 'object' && item !== null ? field(item as Record<string, unknown>, 'value') : undefined;
      if (typeof value !== 'string') throw invalid(`members[${index}] needs a "value" with a user id`);
      return value;
    });
    this.checkMembers(ids, status);
    return [...new Set(ids)];
  }

  private checkMembers(ids: readonly string[], status: 400 | 404): void {
    for (const id of ids) {
      if (!this.user(id)) throw new Refusal(status, `the user ${id} referenced in members does not exist in this directory`, status === 400 ? { scimType: 'invalidValue' } : {});
    }
  }

  private setMembers(groupId: string, memberIds: readonly string[]): void {
    const wanted = new Set(memberIds);
    const present = new Set(this.members(groupId).map((member) => member.id));
    const remove = this.org.sql('DELETE FROM scim_members WHERE scim_group_id = ? AND scim_user_id = ?');
    const add = this.org.sql('INSERT OR IGNORE INTO scim_members (scim_group_id, scim_user_id) VALUES (?, ?)');
    for (const id of present) if (!wanted.has(id)) remove.run(groupId, id);
    for (const id of memberIds) if (!present.has(id)) add.run(groupId, id);
  }

  private displayNameOf(body: Record<string, unknown>): string {
    const displayName = field(body, 'displayName');
    if (typeof displayName !== 'string' || displayName.trim() === '') throw invalid('displayName is required');
    return displayName.trim();
  }

  private externalIdOf(body: Record<string, unknown>): string | null {
    const externalId = field(body, 'externalId');
    if (externalId === undefined || externalId === null) return null;
    if (typeof externalId !== 'string') throw invalid('externalId must be a string');
    return externalId;
  }

  createGroup(body: Record<string, unknown>): StoredScimGroup {
    requireSchemas(body, SCHEMA.group);
    const displayName = this.displayNameOf(body);
    const externalId = this.externalIdOf(body);
    return this.org.transaction(() => {
      const memberIds = this.memberIdsOf(body, 400);
      const taken = this.org
        .sql('SELECT display_name FROM scim_groups WHERE directory_id = ? AND display_name_lower = ?')
        .get(this.directoryId, displayName.toLowerCase()) as { display_name: string } | undefined;
      if (taken) throw conflict(`a group named ${taken.display_name} already exists in this directory`);
      const orgGroup = this.org.groupByName(displayName);
      const reserved = isBlocklistedGroup(displayName) || (orgGroup !== undefined && orgGroup.kind !== 'custom');
      if (!reserved && orgGroup) throw conflict(`a group named ${orgGroup.name} already exists in the organization`);
      const groupId = reserved ? null : this.org.insertGroup(displayName, '', this.directoryId).id;
      const now = nowIso();
      const row: StoredScimGroup = { id: newId(), display_name: displayName, external_id: externalId, group_id: groupId, created_at: now, updated_at: now };
      this.org
        .sql(
          `INSERT INTO scim_groups (id, directory_id, display_name, display_name_lower, external_id, group_id, created_at, updated_at)
           VALUES (@id, @directory, @display_name, @display_name_lower, @external_id, @group_id, @created_at, @updated_at)`,
        )
        .run({ ...row, directory: this.directoryId, display_name_lower: displayName.toLowerCase() });
      this.setMembers(row.id, memberIds);
      return row;
    });
  }

  /** PUT: members and externalId are replaced; the name must stay (400 when members do not exist, as the spec says). */
  replaceGroup(id: string, body: Record<string, unknown>): StoredScimGroup {
    requireSchemas(body, SCHEMA.group);
    return this.org.transaction(() => {
      const current = this.requireGroup(id);
      const displayName = this.displayNameOf(body);
      if (displayName.toLowerCase() !== current.display_name.toLowerCase()) {
        throw new Refusal(400, `a group's displayName cannot be changed once synced (${current.display_name})`, { scimType: 'mutability' });
      }
      this.setMembers(id, this.memberIdsOf(body, 400));
      return this.touchGroup(current, this.externalIdOf(body));
    });
  }

  patchGroup(id: string, operations: readonly PatchOperation[]): StoredScimGroup {
    return this.org.transaction(() => {
      const current = this.requireGroup(id);
      const changes = memberChanges(operations);
      if (changes) {
        // Members one by one: changed in place, without reading the whole group.
        this.checkMembers(
          changes.flatMap((change) => ('add' in change ? [change.add] : [])),
          404,
        );
        const add = this.org.sql('INSERT OR IGNORE INTO scim_members (scim_group_id, scim_user_id) VALUES (?, ?)');
        const remove = this.org.sql('DELETE FROM scim_members WHERE scim_group_id = ? AND scim_user_id = ?');
        for (const change of changes) {
          if ('add' in change) add.run(id, change.add);
          else remove.run(id, change.remove);
        }
        return this.touchGroup(current, current.external_id);
      }
      const state = { displayName: current.display_name, externalId: current.external_id, memberIds: this.members(id).map((member) => member.id) };
      const next = applyGroupPatch(state, operations);
      const before = new Set(state.memberIds);
      this.checkMembers(
        next.memberIds.filter((member) => !before.has(member)),
        404,
      );
      this.setMembers(id, next.memberIds);
      return this.touchGroup(current, next.externalId);
    });
  }

  private touchGroup(current: StoredScimGroup, externalId: string | null): StoredScimGroup {
    const row = { ...current, external_id: externalId, updated_at: nowIso() };
    this.org.sql('UPDATE scim_groups SET external_id = ?, updated_at = ? WHERE id = ?').run(row.external_id, row.updated_at, row.id);
    if (row.group_id !== null) this.org.sql('UPDATE groups SET updated_at = ? WHERE id = ?').run(row.updated_at, row.group_id);
    return row;
  }

  /** Deletes the group from the directory and, when synced, from the org (its roles and memberships go with it). */
  deleteGroup(id: string): void {
    this.org.transaction(() => {
      const current = this.requireGroup(id);
      this.org.sql('DELETE FROM scim_groups WHERE id = ?').run(id);
      if (current.group_id !== null) this.org.sql('DELETE FROM groups WHERE id = ?').run(current.group_id);
    });
  }
}
