/**
 * The workspace schema and its forward migrations. `PRAGMA user_version` holds the version reached; each
 * migration runs once, in order, inside a transaction. Never edit a published migration: add one.
 */

/**
 * Indexes on the large snapshot tables. Building one by sorting, once a scan has written its rows, costs
 * far less than keeping it up to date row by row; so a scan drops them first and creates them again
 * before it commits, both inside its transaction (a failed scan gets them back as they were).
 */
export const SNAPSHOT_INDEXES: readonly string[] = [
  'CREATE INDEX places_ref ON places(source_id, ref)',
  'CREATE INDEX containers_ref ON containers(source_id, ref)',
  "CREATE INDEX refs_owned ON refs(source_id) WHERE kind IN ('filter-owner', 'board-owner')",
];

/**
 * The references by user: only `explain` looks references up by user, so a scan drops this index and the
 * first lookup after it builds it (ensureRefsByUserIndex), rather than every scan paying for it.
 */
export const REFS_BY_USER_INDEX = 'refs_user';

/** Builds the references-by-user index if a scan dropped it. */
export function ensureRefsByUserIndex(db: { exec(sql: string): unknown }): void {
  db.exec(`CREATE INDEX IF NOT EXISTS ${REFS_BY_USER_INDEX} ON refs(source_id, user_key)`);
}

/** The indexes as migration 1 created them (its text must never change). */
const FIRST_SNAPSHOT_INDEXES: readonly string[] = [
  'CREATE INDEX places_ref ON places(source_id, ref)',
  'CREATE INDEX containers_ref ON containers(source_id, ref)',
  'CREATE INDEX refs_user ON refs(source_id, user_key)',
  "CREATE INDEX refs_owned ON refs(source_id) WHERE kind IN ('filter-owner', 'board-owner')",
];

/** `CREATE INDEX name ON …` → name */
export const indexName = (statement: string): string => statement.split(' ')[2] as string;

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
  -- Every user and group name of a source, lower-cased, gets a number (name_id; the source's stats hold
  -- how many): memberships refer to those numbers.
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
  -- Snapshot tables are written in bulk and mostly read whole, one source at a time; the indexes in
  -- SNAPSHOT_INDEXES serve the lookups that are not. A scan drops and rebuilds them (snapshot-writer.ts).
  ${FIRST_SNAPSHOT_INDEXES.join(';\n  ')};
  -- References with their container (project or space key) and item (TST-12, a page title) resolved
  -- through the places the readers recorded: a comment's place points to its page's place for the space.
  CREATE VIEW resolved_refs AS
  SELECT r.rowid AS ref_id, r.source_id, r.user_key, r.kind,
         COALESCE(r.container, c.key, '') AS container,
         replace(COALESCE(r.item, p.item, ''), '{key}', COALESCE(c.key, '')) AS item
    FROM refs AS r
    LEFT JOIN places AS p ON p.source_id = r.source_id AND p.ref = r.item_ref
    LEFT JOIN places AS parent ON parent.source_id = p.source_id AND parent.ref = p.parent_ref
    LEFT JOIN containers AS c ON c.source_id = r.source_id
         AND c.ref = COALESCE(r.container_ref, NULLIF(p.container_ref, ''), parent.container_ref);
  `,
  // 2: decisions (per user, domain and group) and their log
  `
  CREATE TABLE user_decisions (
    source TEXT NOT NULL, user_key TEXT NOT NULL, user_name TEXT NOT NULL,
    action TEXT NOT NULL, new_email TEXT, target_source TEXT, target_key TEXT, target_name TEXT,
    decided_by TEXT NOT NULL, decided_at TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '', applied_at TEXT,
    PRIMARY KEY (source, user_key)
  );
  CREATE TABLE domain_decisions (
    domain TEXT PRIMARY KEY, trusted INTEGER NOT NULL,
    decided_by TEXT NOT NULL, decided_at TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '', applied_at TEXT
  );
  CREATE TABLE group_decisions (
    source TEXT NOT NULL, group_name TEXT NOT NULL, action TEXT NOT NULL, value TEXT,
    decided_by TEXT NOT NULL, decided_at TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '', applied_at TEXT,
    PRIMARY KEY (source, group_name)
  );
  CREATE TABLE decision_log (
    id INTEGER PRIMARY KEY, at TEXT NOT NULL, by TEXT NOT NULL, subject_type TEXT NOT NULL,
    subject TEXT NOT NULL, decision TEXT NOT NULL, previous TEXT NOT NULL, reason TEXT NOT NULL
  );
  `,
  // 3: the apply ledger: every operation's intent before it is sent and its outcome after
  `
  CREATE TABLE ledger (
    plan_id TEXT NOT NULL, seq INTEGER NOT NULL, operation TEXT NOT NULL,
    state TEXT NOT NULL, cloud_id TEXT, detail TEXT, updated_at TEXT NOT NULL,
    PRIMARY KEY (plan_id, seq)
  );
  CREATE TABLE applied_memberships (group_name TEXT NOT NULL, email TEXT NOT NULL, plan_id TEXT NOT NULL, PRIMARY KEY (group_name, email));
  CREATE TABLE applied_plans (plan_id TEXT PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT, target TEXT NOT NULL, summary TEXT NOT NULL DEFAULT '{}');
  `,
  // 4: the workspace's record of each target's cloud (what a full read saw, kept up to date by apply), so
  // that planning against an unchanged cloud does not read it all again
  `
  CREATE TABLE cloud_records (
    target TEXT PRIMARY KEY, record_id TEXT NOT NULL, saved_at TEXT NOT NULL, read_at TEXT NOT NULL,
    accounts_total INTEGER NOT NULL, groups_total INTEGER NOT NULL, state TEXT NOT NULL
  );
  `,
  // 5: scoping (src/scope, src/workspace/scope-store.ts). ref_summary: the references of each source
  // counted per container, user and kind (first_ref: the rowid of one of them, for an example), built
  // on first use after a scan and rebuilt when the source's scanned_at changes; plan_scopes and
  // plan_scope_members: the scope of each plan and why each user is in it (the waves of the report).
  `
  CREATE TABLE ref_summary (
    source_id INTEGER NOT NULL, container TEXT NOT NULL, user_key TEXT NOT NULL, kind TEXT NOT NULL,
    count INTEGER NOT NULL, first_ref INTEGER NOT NULL
  );
  CREATE INDEX ref_summary_container ON ref_summary(source_id, container);
  CREATE INDEX ref_summary_user ON ref_summary(source_id, user_key);
  CREATE TABLE ref_summary_sources (source_id INTEGER PRIMARY KEY, scanned_at TEXT NOT NULL);
  CREATE TABLE plan_scopes (plan_id TEXT PRIMARY KEY, created_at TEXT NOT NULL, scope TEXT NOT NULL, summary TEXT NOT NULL DEFAULT '{}');
  CREATE TABLE plan_scope_members (
    plan_id TEXT NOT NULL, source TEXT NOT NULL, user_key TEXT NOT NULL, user_name TEXT NOT NULL,
    status TEXT NOT NULL, reasons TEXT NOT NULL, PRIMARY KEY (plan_id, source, user_key)
  );
  CREATE INDEX plan_scope_members_user ON plan_scope_members(source, user_key);
  `,
  // 6: the last plan basis (src/plan/plan-basis.ts) under the workspace fingerprint it was computed for
  `
  CREATE TABLE plan_bases (key TEXT PRIMARY KEY, saved_at TEXT NOT NULL, basis TEXT NOT NULL);
  `,
  // 7: the groups usermig created in a cloud (a done create-group of the ledger), kept apart so that plan
  // need not search every ledger operation for them
  `
  CREATE TABLE created_groups (lower_name TEXT PRIMARY KEY, plan_id TEXT NOT NULL);
  INSERT OR IGNORE INTO created_groups (lower_name, plan_id)
    SELECT lower(json_extract(operation, '$.name')), plan_id FROM ledger
    WHERE state = 'done' AND json_extract(operation, '$.kind') = 'create-group';
  `,
  // 8: scoping finds the references of a project or space through container_refs: per source and
  // container key (as resolved_refs resolves it), the rowids of its references as a JSON array, built on
  // first use after a scan (src/workspace/scope-store.ts) and rebuilt when the source's scanned_at changes.
  // It replaces ref_summary (5), which took minutes to build at 5 M references.
  `
  DROP TABLE ref_summary;
  DROP TABLE ref_summary_sources;
  CREATE TABLE container_refs (
    source_id INTEGER NOT NULL, container TEXT NOT NULL, ref_ids TEXT NOT NULL, PRIMARY KEY (source_id, container)
  );
  CREATE TABLE container_refs_sources (source_id INTEGER PRIMARY KEY, scanned_at TEXT NOT NULL);
  `,
  // 9: which cloud email each source user's account has after the applies (source:userKey → email), so
  // that a plan follows an email changed at the source instead of creating a second account
  `
  CREATE TABLE migrated_accounts (source_user TEXT PRIMARY KEY, email TEXT NOT NULL, plan_id TEXT NOT NULL);
  `,
  // 10: per source, an image of what the estate loader reads (src/workspace/snapshot-image.ts), written by
  // the scan in its transaction and stamped with the source's scanned_at; sources scanned before have
  // none, and are read from the snapshot tables as before
  `
  CREATE TABLE snapshot_images (
    source_id INTEGER PRIMARY KEY, scanned_at TEXT NOT NULL, format INTEGER NOT NULL,
    records TEXT NOT NULL, members BLOB NOT NULL
  );
  `,
  // 11: how each apply wrote (scim or org), so that report reads the cloud the same way
  `
  ALTER TABLE applied_plans ADD COLUMN via TEXT NOT NULL DEFAULT 'scim';
  `,
  // 12: the plan basis and the cloud record in columns, group members packed as integers, so that a plan
  // with nothing changed reads only what it compares (both are caches: dropping them costs one full plan)
  `
  DROP TABLE plan_bases;
  CREATE TABLE plan_bases (
    key TEXT PRIMARY KEY, saved_at TEXT NOT NULL, emails TEXT NOT NULL, details TEXT NOT NULL, groups TEXT NOT NULL,
    members BLOB NOT NULL, member_offsets BLOB NOT NULL
  );
  DROP TABLE cloud_records;
  CREATE TABLE cloud_records (
    target TEXT PRIMARY KEY, record_id TEXT NOT NULL, saved_at TEXT NOT NULL, read_at TEXT NOT NULL,
    accounts_total INTEGER NOT NULL, groups_total INTEGER NOT NULL,
    emails TEXT NOT NULL, ids TEXT NOT NULL, active TEXT NOT NULL, groups TEXT NOT NULL, unwritable TEXT,
    members BLOB NOT NULL, member_offsets BLOB NOT NULL
  );
  `,
  // 13: snapshot records beside the image: what a source could not read (reported as source-not-read
  // findings), and the settings that name the external directory behind a product's directory
  // (ldap.url, ldap.basedn…: the directory-drift check pairs LDAP sources with them). Both are replaced
  // with the snapshot, in the scan's transaction.
  `
  CREATE TABLE not_read (source_id INTEGER NOT NULL, topic TEXT NOT NULL, text TEXT NOT NULL, consequence TEXT NOT NULL);
  CREATE TABLE directory_attributes (source_id INTEGER NOT NULL, dir_id TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL);
  `,
  // 14: the snapshot image's records in parts of about a megabyte (image format 4), written as the source
  // streams so that the scan never holds them whole; replaced with the snapshot, in the scan's transaction
  `
  CREATE TABLE snapshot_image_parts (source_id INTEGER NOT NULL, part INTEGER NOT NULL, records BLOB NOT NULL, PRIMARY KEY (source_id, part));
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** The snapshot tables, in the order a re-scan clears them. */
export const SNAPSHOT_TABLES = [
  'directories',
  'users',
  'user_keys',
  'groups',
  'memberships',
  'grants',
  'containers',
  'places',
  'refs',
  'not_read',
  'directory_attributes',
] as const;
