/**
 * The local cloud's own SQLite file, `cloud.db` in its data folder (default `.usermig/cloud`): one
 * organization with one site, its accounts, org directory, groups, memberships, domains, product roles
 * (granted or pending approval) and one SCIM directory with its users, groups and members. Opened like the
 * workspace (WAL, forward migrations through PRAGMA user_version); a fresh file becomes a fresh org with
 * random ids and tokens, which persist from then on.
 */
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { UsermigError } from '../model/errors.js';
import { migrate, openDatabase } from '../workspace/sqlite.js';
import { seedCatalog } from './catalog.js';
import { newId, newToken, nowIso } from './ids.js';

export type CloudDb = Database.Database;

const MIGRATIONS: readonly string[] = [
  // 1: the organization, its site and its SCIM directory
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE domains (
    id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, status TEXT NOT NULL, claim_type TEXT NOT NULL, created_at TEXT NOT NULL
  );
  -- One Atlassian account per email (compared lower-cased), across the whole cloud.
  CREATE TABLE accounts (
    account_id TEXT PRIMARY KEY, email TEXT NOT NULL, email_lower TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
    nickname TEXT NOT NULL, status TEXT NOT NULL, email_verified INTEGER NOT NULL,
    title TEXT, department TEXT, organization TEXT, timezone TEXT, locale TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL
  );
  -- The org's user directory: who is a user of the org's sites (active or suspended), and how they came.
  CREATE TABLE directory_users (
    account_id TEXT PRIMARY KEY REFERENCES accounts(account_id), status TEXT NOT NULL, source TEXT NOT NULL, added_at TEXT NOT NULL
  );
  -- Org-wide groups; names are unique case-insensitively. kind: custom | default-access | built-in.
  CREATE TABLE groups (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, name_lower TEXT NOT NULL UNIQUE, description TEXT NOT NULL, kind TEXT NOT NULL,
    scim_directory_id TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
  );
  -- Members of groups the org API manages (never of a group synced from SCIM: see all_memberships).
  CREATE TABLE memberships (
    group_id TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE, account_id TEXT NOT NULL REFERENCES accounts(account_id),
    added_at TEXT NOT NULL, PRIMARY KEY (group_id, account_id)
  );
  CREATE INDEX memberships_by_account ON memberships(account_id);
  -- The site's products (workspaces); a role on one is product access.
  CREATE TABLE resources (id TEXT PRIMARY KEY, product TEXT NOT NULL, name TEXT NOT NULL, position INTEGER NOT NULL);
  -- status: granted | pending (held for an admin's approval, RULES GR-07).
  CREATE TABLE group_roles (
    group_id TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE, resource_id TEXT NOT NULL REFERENCES resources(id),
    role TEXT NOT NULL, status TEXT NOT NULL, is_default INTEGER NOT NULL, assigned_at TEXT NOT NULL,
    PRIMARY KEY (group_id, resource_id, role)
  );
  CREATE TABLE scim_users (
    id TEXT PRIMARY KEY, directory_id TEXT NOT NULL, account_id TEXT NOT NULL REFERENCES accounts(account_id),
    user_name TEXT NOT NULL, user_name_lower TEXT NOT NULL, external_id TEXT, active INTEGER NOT NULL,
    attributes TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    UNIQUE (directory_id, user_name_lower), UNIQUE (directory_id, account_id)
  );
  CREATE INDEX scim_users_by_external_id ON scim_users(directory_id, external_id);
  -- group_id is NULL when the group was accepted but not synced to the org (a default-access or built-in name).
  CREATE TABLE scim_groups (
    id TEXT PRIMARY KEY, directory_id TEXT NOT NULL, display_name TEXT NOT NULL, display_name_lower TEXT NOT NULL,
    external_id TEXT, group_id TEXT REFERENCES groups(id) ON DELETE SET NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    UNIQUE (directory_id, display_name_lower)
  );
  CREATE TABLE scim_members (
    scim_group_id TEXT NOT NULL REFERENCES scim_groups(id) ON DELETE CASCADE,
    scim_user_id TEXT NOT NULL REFERENCES scim_users(id) ON DELETE CASCADE,
    PRIMARY KEY (scim_group_id, scim_user_id)
  );
  CREATE INDEX scim_members_by_user ON scim_members(scim_user_id);
  -- Who is in which org group: members added through the org API, plus, for groups synced from the SCIM
  -- directory, the accounts of their SCIM members (the identity provider alone owns those).
  CREATE VIEW all_memberships AS
    SELECT group_id, account_id FROM memberships
    UNION
    SELECT sg.group_id, su.account_id FROM scim_members sm
      JOIN scim_groups sg ON sg.id = sm.scim_group_id
      JOIN scim_users su ON su.id = sm.scim_user_id
    WHERE sg.group_id IS NOT NULL;
  `,
  // 2: pages of a directory in creation order without sorting the directory for every page
  `
  CREATE INDEX scim_users_by_directory ON scim_users(directory_id);
  CREATE INDEX scim_groups_by_directory ON scim_groups(directory_id);
  `,
];


/** What identifies the org; fixed when the cloud is created. */
export interface CloudIdentity {
  orgId: string;
  orgName: string;
  orgToken: string;
  orgDirectoryId: string;
  siteName: string;
  cloudId: string;
  scimDirectoryId: string;
  scimToken: string;
  legacyGroupNames: boolean;
  createdAt: string;
}

export interface CreateOptions {
  /** The site's name: default access groups are suffixed with it (`jira-software-users-<site>`). */
  siteName?: string;
  /** Give the default access groups the old unsuffixed names (`jira-software-users`). */
  legacyGroupNames?: boolean;
}

export interface CloudStore {
  db: CloudDb;
  file: string;
  identity: CloudIdentity;
  /** True when this open created the organization. */
  created: boolean;
  close(): void;
}

/** Opens (creating when absent) the local cloud in `dir`. Options of creation are ignored for an existing cloud. */
export function openCloudStore(dir: string, options: CreateOptions = {}): CloudStore {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new UsermigError('workspace', `cannot create the local cloud folder ${dir}: ${(error as Error).message}`);
  }
  const file = path.join(dir, 'cloud.db');
  let db: CloudDb | undefined;
  try {
    db = openDatabase(file);
    migrate(db, MIGRATIONS, `the local cloud ${file}`);
    const opened = db;
    const created = readMeta(opened).org_id === undefined;
    if (created) opened.transaction(() => createOrganization(opened, options))();
    return { db: opened, file, identity: identityOf(readMeta(opened)), created, close: () => opened.close() };
  } catch (error) {
    db?.close();
    if (error instanceof UsermigError) throw error;
    throw new UsermigError('workspace', `cannot open the local cloud ${file}: ${(error as Error).message}`);
  }
}

function readMeta(db: CloudDb): Record<string, string> {
  const rows = db.prepare('SELECT key, value FROM meta').all() as Array<{ key: string; value: string }>;
  return Object.fromEntries(rows.map((row) => [row.key, row.value]));
}

function identityOf(meta: Record<string, string>): CloudIdentity {
  const get = (key: string): string => {
    const value = meta[key];
    if (value === undefined) throw new UsermigError('workspace', `the local cloud is missing its ${key}; delete its folder to start afresh`);
    return value;
  };
  return {
    orgId: get('org_id'),
    orgName: get('org_name'),
    orgToken: get('org_token'),
    orgDirectoryId: get('org_directory_id'),
    siteName: get('site_name'),
    cloudId: get('cloud_id'),
    scimDirectoryId: get('scim_directory_id'),
    scimToken: get('scim_token'),
    legacyGroupNames: get('legacy_group_names') === '1',
    createdAt: get('created_at'),
  };
}

const SITE_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function createOrganization(db: CloudDb, options: CreateOptions): void {
  const siteName = (options.siteName ?? 'localcloud').toLowerCase();
  if (!SITE_NAME.test(siteName)) {
    throw new UsermigError('usage', `the site name ${JSON.stringify(options.siteName)} is not valid: lower-case letters, digits and inner hyphens, as in <site>.atlassian.net`);
  }
  const meta: Record<string, string> = {
    org_id: newId(),
    org_name: `${siteName} (usermig local cloud)`,
    org_token: newToken(),
    org_directory_id: newId(),
    site_name: siteName,
    cloud_id: newId(),
    scim_directory_id: newId(),
    scim_token: newToken(),
    legacy_group_names: options.legacyGroupNames ? '1' : '0',
    created_at: nowIso(),
  };
  const insert = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
  for (const [key, value] of Object.entries(meta)) insert.run(key, value);
  seedCatalog(db, { siteName, cloudId: meta.cloud_id as string, legacyGroupNames: options.legacyGroupNames === true });
}
