/**
 * The workspace schema and its forward migrations. `PRAGMA user_version` holds the version reached; each
 * migration runs once, in order, inside a transaction. Never edit a published migration: add one.
 */

export const MIGRATIONS: readonly string[] = [
  // 1: sources and their snapshots
  `
  CREATE TABLE sources (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    location TEXT NOT NULL,
    product TEXT NOT NULL,
    scanned_at TEXT NOT NULL,
    stats TEXT NOT NULL DEFAULT '{}'
  );
  CREATE TABLE directories (
    source_id INTEGER NOT NULL, dir_id TEXT NOT NULL, name TEXT NOT NULL,
    position INTEGER NOT NULL, active INTEGER NOT NULL, type TEXT NOT NULL
  );
  -- Every user and group name of a source, lower-cased, gets a number; memberships refer to those numbers.
  CREATE TABLE names (source_id INTEGER NOT NULL, name_id INTEGER NOT NULL, lower_name TEXT NOT NULL);
  CREATE TABLE users (
    source_id INTEGER NOT NULL, dir_id TEXT NOT NULL, user_name TEXT NOT NULL, name_id INTEGER NOT NULL,
    active INTEGER NOT NULL, display_name TEXT NOT NULL, email TEXT NOT NULL, updated TEXT NOT NULL
  );
  CREATE TABLE user_keys (source_id INTEGER NOT NULL, user_key TEXT NOT NULL, lower_user_name TEXT NOT NULL);
  CREATE TABLE groups (source_id INTEGER NOT NULL, dir_id TEXT NOT NULL, name TEXT NOT NULL, name_id INTEGER NOT NULL);
  -- One row per group and directory: the name ids of its member users and member groups, packed as
  -- little-endian 32-bit integers (a million memberships are a few megabytes, read in milliseconds).
  CREATE TABLE memberships (
    source_id INTEGER NOT NULL, dir_id TEXT NOT NULL, parent_id INTEGER NOT NULL,
    user_ids BLOB NOT NULL, group_ids BLOB NOT NULL
  );
  CREATE TABLE grants (
    source_id INTEGER NOT NULL, subject_type TEXT NOT NULL, subject TEXT NOT NULL,
    permission TEXT NOT NULL, scope TEXT NOT NULL, scope_key TEXT NOT NULL
  );
  CREATE TABLE containers (
    source_id INTEGER NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, name TEXT NOT NULL, ref TEXT
  );
  CREATE TABLE places (
    source_id INTEGER NOT NULL, ref TEXT NOT NULL, container_ref TEXT NOT NULL, item TEXT NOT NULL,
    parent_ref TEXT
  );
  CREATE TABLE refs (
    source_id INTEGER NOT NULL, user_key TEXT NOT NULL, kind TEXT NOT NULL,
    container TEXT, container_ref TEXT, item TEXT, item_ref TEXT
  );
  -- Snapshot tables carry no indexes: they are written in bulk and read whole, one source at a time.
  CREATE INDEX places_ref ON places(ref, source_id);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** The snapshot tables, in the order a re-scan clears them. */
export const SNAPSHOT_TABLES = [
  'names',
  'directories',
  'users',
  'user_keys',
  'groups',
  'memberships',
  'grants',
  'containers',
  'places',
  'refs',
] as const;
