/**
 * The organization API's bodies, rendered from the org model: v1 shapes from the saved OpenAPI file (OrgModel,
 * DomainModel, User, PublicUser, PublicGroup) and v2 shapes as jira.js 6.x reads them (MultiDirectoryUser,
 * MultiDirectoryGroup, role assignments; TARGETS 2.2), plus opaque page cursors (TARGETS 2.4).
 */
import { createHash } from 'node:crypto';
import { PRODUCTS } from './catalog.js';
import type { AccountRow, CloudOrg, DomainRow, GroupRoleRow, GroupRow, ResourceRow } from './org-model.js';
import { Refusal } from './refusal.js';

// --- cursors ---------------------------------------------------------------------------------------------

export const encodeCursor = (offset: number): string => Buffer.from(JSON.stringify({ offset })).toString('base64url');

/** The offset a cursor stands for; a cursor this cloud did not make is 400 ADMIN-400-1. */
export function decodeCursor(cursor: unknown): number {
  if (cursor === undefined || cursor === null || cursor === '') return 0;
  const bad = new Refusal(400, 'the page cursor is not valid', { adminCode: 'ADMIN-400-1' });
  if (typeof cursor !== 'string') throw bad;
  try {
    const offset = (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { offset?: unknown }).offset;
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // fall through to the refusal
  }
  throw bad;
}

export interface Slice<T> {
  rows: T[];
  /** The cursor of the next page, or null on the last page. */
  next: string | null;
}

export function slice<T>(items: readonly T[], offset: number, limit: number): Slice<T> {
  const rows = items.slice(offset, offset + limit);
  return { rows, next: offset + rows.length < items.length ? encodeCursor(offset + rows.length) : null };
}

// --- v1 ----------------------------------------------------------------------------------------------------

export function orgModel(org: CloudOrg, base: string): Record<string, unknown> {
  const self = `${base}/admin/v1/orgs/${org.identity.orgId}`;
  return {
    id: org.identity.orgId,
    type: 'orgs',
    attributes: { name: org.identity.orgName },
    relationships: { domains: { links: { related: `${self}/domains` } }, users: { links: { related: `${self}/users` } } },
    links: { self },
  };
}

export function domainModel(org: CloudOrg, domain: DomainRow, base: string): Record<string, unknown> {
  return {
    id: domain.id,
    type: 'domains',
    attributes: { name: domain.name, claim: { type: domain.claim_type, status: domain.status } },
    links: { self: `${base}/admin/v1/orgs/${org.identity.orgId}/domains/${domain.id}` },
  };
}

/** Atlassian serves Gravatar with a default image for accounts without an avatar. */
const pictureOf = (account: AccountRow): string =>
  `https://secure.gravatar.com/avatar/${createHash('md5').update(account.email_lower).digest('hex')}?d=mm`;

const productUrl = (org: CloudOrg, resource: ResourceRow): string =>
  `https://${org.identity.siteName}.atlassian.net${resource.product === 'confluence' ? '/wiki' : ''}`;

/** A managed account as GET /v1/orgs/{orgId}/users lists it. */
export function v1User(org: CloudOrg, account: AccountRow, base: string): Record<string, unknown> {
  const access = org.productAccess(account.account_id).filter((grant) => grant.role === 'atlassian/user');
  const products = [...new Map(access.map((grant) => [grant.resource.product, grant.resource])).values()];
  return {
    account_id: account.account_id,
    account_type: 'atlassian',
    account_status: account.status,
    name: account.name,
    picture: pictureOf(account),
    email: account.email,
    access_billable: products.length > 0,
    product_access: products.map((resource) => {
      const product = PRODUCTS.find((candidate) => candidate.key === resource.product);
      return { key: product?.v1Key ?? resource.product, name: resource.name, url: productUrl(org, resource) };
    }),
    links: { self: `${base}/users/${account.account_id}/manage` },
  };
}

/** A user of POST /v1/orgs/{orgId}/users/search: id, type and status, plus what `expand` asks for. */
export function publicUser(org: CloudOrg, account: AccountRow, expand: ReadonlySet<string>): Record<string, unknown> {
  return {
    accountId: account.account_id,
    accountType: 'atlassian',
    accountStatus: account.status,
    ...(expand.has('NAME') ? { name: account.name, nickname: account.nickname } : {}),
    ...(expand.has('EMAIL') ? { email: account.email } : {}),
    ...(expand.has('EMAIL_VERIFIED') ? { emailVerified: account.email_verified === 1 } : {}),
    statusInUserbase: org.directoryUser(account.account_id)?.status === 'active',
  };
}

/** A group of POST /v1/orgs/{orgId}/groups/search; ROLE_ASSIGNMENTS lists its granted roles. */
export function publicGroup(org: CloudOrg, group: GroupRow, expand: ReadonlySet<string>): Record<string, unknown> {
  return {
    id: group.id,
    name: group.name,
    description: group.description,
    ...(expand.has('ROLE_ASSIGNMENTS')
      ? {
          roleAssignments: org
            .groupRoles(group.id)
            .filter((role) => role.status === 'granted')
            .map((role) => ({ resourceId: role.resource_id, principalId: group.id, roleId: role.role })),
        }
      : {}),
  };
}

// --- v2 ----------------------------------------------------------------------------------------------------

/** A user of the org v2 API (jira.js MultiDirectoryUser). */
export function v2User(org: CloudOrg, account: AccountRow, expand: ReadonlySet<string>): Record<string, unknown> {
  const directory = org.directoryUser(account.account_id);
  const membershipStatus = directory === undefined ? 'no_membership' : directory.status;
  const status =
    account.status !== 'active' ? 'deactivated' : membershipStatus === 'no_membership' ? 'not_invited' : membershipStatus;
  return {
    accountId: account.account_id,
    accountType: 'atlassian',
    status,
    accountStatus: account.status,
    membershipStatus,
    ...(directory ? { addedToOrg: directory.added_at } : {}),
    name: account.name,
    nickname: account.nickname,
    email: account.email,
    emailVerified: account.email_verified === 1,
    claimStatus: org.isManaged(account) ? 'managed' : 'unmanaged',
    platformRoles: [],
    picture: pictureOf(account),
    managementSource: directory ? directory.source : null,
    ...(account.title ? { jobTitle: account.title } : {}),
    department: account.department,
    organization: account.organization,
    timeZone: account.timezone,
    ...(expand.has('GROUPS')
      ? { groups: org.groupsOf(account.account_id).map((group) => ({ id: group.id, name: group.name, description: group.description })) }
      : {}),
  };
}

/** A group of the org v2 API (jira.js MultiDirectoryGroup). */
export function v2Group(org: CloudOrg, group: GroupRow): Record<string, unknown> {
  const synced = group.scim_directory_id !== null;
  const granted = new Set(org.groupRoles(group.id).filter((role) => role.status === 'granted').map((role) => role.resource_id));
  return {
    id: group.id,
    name: group.name,
    description: group.description,
    directoryId: org.identity.orgDirectoryId,
    managementAccess: { deletable: group.kind === 'custom' && !synced, modifiable: group.kind !== 'built-in' && !synced, readable: true },
    externalSynced: synced,
    managedBy: synced ? 'external' : 'admins',
    counts: { users: org.memberCount(group.id), resources: granted.size },
  };
}

/**
 * A group's roles per product (jira.js MultiDirectoryGroupRoleAssignment). `roles` holds what the group
 * grants now; `pendingRoles` — a local-cloud addition — holds what waits for an admin's approval (GR-07).
 */
export function groupRoleAssignments(org: CloudOrg, group: GroupRow): Array<Record<string, unknown>> {
  const byResource = new Map<string, GroupRoleRow[]>();
  for (const role of org.groupRoles(group.id)) byResource.set(role.resource_id, [...(byResource.get(role.resource_id) ?? []), role]);
  return [...byResource.entries()].map(([resourceId, roles]) => ({
    resourceId,
    resourceOwner: org.resource(resourceId)?.product,
    defaultRole: roles.find((role) => role.is_default === 1)?.role ?? null,
    roles: roles.filter((role) => role.status === 'granted').map((role) => role.role),
    pendingRoles: roles.filter((role) => role.status === 'pending').map((role) => role.role),
  }));
}

/** A user's roles per product, each through group membership (jira.js MultiDirectoryUserRoleAssignment). */
export function userRoleAssignments(org: CloudOrg, account: AccountRow): Array<Record<string, unknown>> {
  const byResource = new Map<string, { resource: ResourceRow; roles: Set<string> }>();
  for (const grant of org.productAccess(account.account_id)) {
    const entry = byResource.get(grant.resource.id) ?? { resource: grant.resource, roles: new Set<string>() };
    entry.roles.add(grant.role);
    byResource.set(grant.resource.id, entry);
  }
  const directory = org.directoryUser(account.account_id);
  return [...byResource.values()].map(({ resource, roles }) => ({
    resourceId: resource.id,
    resourceOwner: resource.product,
    roles: [...roles],
    roleAssignments: [...roles].map((role) => ({ role, roleAssignmentMethods: ['group_direct'] })),
    directoryId: org.identity.orgDirectoryId,
    userDirectoryStatus: directory?.status ?? null,
  }));
}

/** A product of the site as POST /v2/orgs/{orgId}/workspaces returns it (the spec's WorkspaceModel). */
export function workspaceModel(org: CloudOrg, resource: ResourceRow, base: string): Record<string, unknown> {
  return {
    id: resource.id,
    type: 'workspaces',
    attributes: {
      name: org.identity.siteName,
      typeKey: resource.product,
      type: resource.product,
      owner: org.identity.orgId,
      status: 'online',
      statusDetails: [],
      icons: {},
      avatars: {},
      labels: [],
      sandbox: { type: 'NONE' },
      usage: null,
      capacity: null,
      createdAt: org.identity.createdAt,
      createdBy: null,
      updatedAt: org.identity.createdAt,
      hostUrl: productUrl(org, resource),
      realm: 'local',
      regions: ['local'],
    },
    links: { self: `${base}/admin/v2/orgs/${org.identity.orgId}/workspaces/${encodeURIComponent(resource.id)}` },
    relationships: {},
  };
}
