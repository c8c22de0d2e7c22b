/**
 * What a new local cloud holds before anyone provisions anything: one site with Jira Software, Jira
 * Service Management and Confluence; the default access groups that grant each product (RULES CUM-04,
 * CUM-05), named as today's sites name them (`jira-software-users-<site>`) or, with legacy names, as older
 * sites did (`jira-software-users`); and the built-in admin groups. The blocklisted admin group names are
 * usermig's (RULES GR-05, §6 S-06).
 */
import { isBlocklistedGroup } from '../model/names.js';
import type Database from 'better-sqlite3';
import { newId, nowIso } from './ids.js';

/** Product keys as the org API's role assignments name the site's products. */
export type ProductKey = 'jira-software' | 'jira-servicedesk' | 'confluence';

export const PRODUCTS: ReadonlyArray<{ key: ProductKey; name: string; v1Key: string }> = [
  { key: 'jira-software', name: 'Jira Software', v1Key: 'jira-software' },
  { key: 'jira-servicedesk', name: 'Jira Service Management', v1Key: 'jira-service-desk' },
  { key: 'confluence', name: 'Confluence', v1Key: 'confluence' },
];

/** Roles the org API accepts on a product (jira.js invite docs); `atlassian/user` is product access. */
export const ROLES: ReadonlySet<string> = new Set([
  'atlassian/user',
  'atlassian/admin',
  'atlassian/guest',
  'atlassian/contributor',
  'atlassian/customer',
  'atlassian/basic',
  'atlassian/stakeholder',
  'atlassian/viewer',
]);

/** The resource id (workspace id) of a product on the site. */
export const resourceIdOf = (product: ProductKey, cloudId: string): string => `ari:cloud:${product}::site/${cloudId}`;

interface DefaultGroup {
  name: string;
  description: string;
  grants: ReadonlyArray<{ product: ProductKey; role: string }>;
}

function defaultGroups(siteName: string, legacy: boolean): DefaultGroup[] {
  const name = (modern: string, old: string) => (legacy ? old : `${modern}-${siteName}`);
  return [
    {
      name: name('jira-software-users', 'jira-software-users'),
      description: 'Grants access to Jira Software',
      grants: [{ product: 'jira-software', role: 'atlassian/user' }],
    },
    {
      name: name('jira-servicemanagement-users', 'jira-servicedesk-users'),
      description: 'Grants access to Jira Service Management',
      grants: [{ product: 'jira-servicedesk', role: 'atlassian/user' }],
    },
    {
      name: name('confluence-users', 'confluence-users'),
      description: 'Grants access to Confluence',
      grants: [{ product: 'confluence', role: 'atlassian/user' }],
    },
    {
      name: name('jira-admins', 'jira-administrators'),
      description: 'Grants admin access to Jira',
      grants: [
        { product: 'jira-software', role: 'atlassian/admin' },
        { product: 'jira-servicedesk', role: 'atlassian/admin' },
      ],
    },
    {
      name: name('confluence-admins', 'confluence-administrators'),
      description: 'Grants admin access to Confluence',
      grants: [{ product: 'confluence', role: 'atlassian/admin' }],
    },
  ];
}

/** Built-in admin groups every site has; the API never writes them. */
const BUILT_IN_GROUPS: ReadonlyArray<{ name: string; description: string }> = [
  { name: 'site-admins', description: 'Site administrators' },
  { name: 'atlassian-addons-admin', description: 'Apps installed on the site' },
];

export function seedCatalog(db: Database.Database, site: { siteName: string; cloudId: string; legacyGroupNames: boolean }): void {
  const now = nowIso();
  const insertResource = db.prepare('INSERT INTO resources (id, product, name, position) VALUES (?, ?, ?, ?)');
  PRODUCTS.forEach((product, position) => insertResource.run(resourceIdOf(product.key, site.cloudId), product.key, product.name, position));
  const insertGroup = db.prepare(
    `INSERT INTO groups (id, name, name_lower, description, kind, scim_directory_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, NULL, ?, ?)`,
  );
  const insertRole = db.prepare(
    `INSERT INTO group_roles (group_id, resource_id, role, status, is_default, assigned_at) VALUES (?, ?, ?, 'granted', 1, ?)`,
  );
  for (const group of defaultGroups(site.siteName, site.legacyGroupNames)) {
    const id = newId();
    insertGroup.run(id, group.name, group.name.toLowerCase(), group.description, 'default-access', now, now);
    for (const grant of group.grants) insertRole.run(id, resourceIdOf(grant.product, site.cloudId), grant.role, now);
  }
  for (const group of BUILT_IN_GROUPS) insertGroup.run(newId(), group.name, group.name, group.description, 'built-in', now, now);
}

export { isBlocklistedGroup };
