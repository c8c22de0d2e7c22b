/**
 * The records every source reader produces. A reader streams its source and hands each record to a
 * SnapshotSink; the workspace stores them as the source's snapshot. All readers speak this one vocabulary,
 * so that assessment never needs to know where a record came from.
 */

/** Which product a source describes. Decides how grants become product access (RULES.md S-09). */
export type Product = 'jira' | 'confluence' | 'bitbucket' | 'crowd' | 'ldap' | 'csv';

export interface DirectoryRecord {
  /** The source's own identifier of the directory. */
  id: string;
  name: string;
  /** Directory order: lower comes first and shadows later directories (S-03). */
  position: number;
  active: boolean;
  /** INTERNAL, CONNECTOR, CROWD, DELEGATING, CUSTOM… as the source calls it. */
  type: string;
}

export interface UserRecord {
  directoryId: string;
  userName: string;
  active: boolean;
  displayName: string;
  /** The email exactly as the source holds it (may be empty, padded or invalid). */
  email: string;
  /** ISO-like timestamp text as the source holds it, '' when unknown. */
  updated: string;
}

/** Maps a user key, used in data references, to a (lower-case) username. */
export interface UserKeyRecord {
  userKey: string;
  lowerUserName: string;
}

export interface GroupRecord {
  directoryId: string;
  name: string;
}

export interface MembershipRecord {
  directoryId: string;
  /** Name of the parent group. */
  parent: string;
  /** Name of the member: a username, or a group name when childIsGroup. */
  child: string;
  childIsGroup: boolean;
}

/**
 * A permission given to a group or a user. `scope` says where it applies:
 * - `global`: a global permission (Jira ADMINISTER, USE…; Confluence USECONFLUENCE…);
 * - `application`: a Jira application role (`permission` is the role, e.g. `jira-software`);
 * - `permission-scheme`: a Jira permission scheme grant (`scopeKey` is the scheme name);
 * - `project-role`: a Jira project role actor (`scopeKey` is `PROJECT/Role`, or `*\/Role` for defaults);
 * - `space`: a Confluence space permission (`scopeKey` is the space key);
 * - `repository`, `project`: Bitbucket permissions.
 */
export interface GrantRecord {
  subjectType: 'group' | 'user';
  /** Group name, or user key for a user subject. */
  subject: string;
  permission: string;
  scope: 'global' | 'application' | 'permission-scheme' | 'project-role' | 'space' | 'project' | 'repository';
  scopeKey: string;
}

/**
 * A place that holds data: a Jira project, a Confluence space, a JSM organization, a Bitbucket repo. A Jira
 * service-desk project is a `jira-project` and also a `jsm-service-desk` of the same key (ref
 * `service-desk:<project id>`), so that scoping can tell which requests JSM customers raised.
 */
export interface ContainerRecord {
  kind: 'jira-project' | 'jsm-service-desk' | 'confluence-space' | 'jsm-organization' | 'bitbucket-repository';
  key: string;
  name: string;
  /** The source's internal id for it (e.g. `project:10000`), so that places and references can point to it. */
  ref?: string;
}

/**
 * Backups are not written in dependency order: a comment can come before its issue, an issue before its
 * project. Readers therefore name things by internal ids and the workspace resolves them once the whole
 * source has streamed, so that memory does not grow with the backup. A place is an item inside a
 * container, e.g. issue 10001 is `TST-12` in project 10000.
 */
export interface PlaceRecord {
  /** e.g. `issue:10001`, `content:98305`. */
  ref: string;
  /** The container's ref (`project:10000`), or '' to take the container of `parentRef`. */
  containerRef: string;
  /** What to show for it; `{key}` is replaced by the container's key (`{key}-12` → `TST-12`). */
  item: string;
  /** Another place whose container this one shares (a comment on a page). */
  parentRef?: string;
}

/**
 * One use of a user in the data, e.g. the assignee of TST-12. Give either the resolved container key
 * (project or space key, '' for global things) or a `containerRef`; either the item text or an `itemRef`
 * (a place's ref, which also gives the container).
 */
export interface ReferenceRecord {
  userKey: string;
  kind: string;
  container?: string;
  containerRef?: string;
  item?: string;
  itemRef?: string;
}

/**
 * Something the source could not read, said once per topic (e.g. Jira REST lists no global permission
 * grants). Stored with the snapshot; assessment reports it as an info finding (`source-not-read`).
 */
export interface NotReadRecord {
  /** A stable name of what was not read, e.g. `global-permissions`, `group-nesting`, `directories`. */
  topic: string;
  /** What was not read and why, as the scan prints it. */
  text: string;
  /** What it means for the migration and what to do about it. */
  consequence: string;
}

/**
 * A setting of a user directory as the product holds it (Jira's `DirectoryAttribute`), for the few keys
 * that say which external directory it is (`ldap.url`, `ldap.basedn`…). Never a credential.
 */
export interface DirectoryAttributeRecord {
  directoryId: string;
  name: string;
  value: string;
}

/**
 * The directory settings readers keep (SOURCES.md §6): where the external directory is and how its users
 * are named. Everything else — the bind DN's password above all — is never read.
 */
export const DIRECTORY_ATTRIBUTE_NAMES: ReadonlySet<string> = new Set([
  'ldap.url',
  'ldap.basedn',
  'ldap.user.dn',
  'ldap.user.username',
  'ldap.user.email',
  'crowd.server.url',
]);

/** Receives the records of one source while it streams. */
export interface SnapshotSink {
  directory(record: DirectoryRecord): void;
  user(record: UserRecord): void;
  userKey(record: UserKeyRecord): void;
  group(record: GroupRecord): void;
  membership(record: MembershipRecord): void;
  grant(record: GrantRecord): void;
  container(record: ContainerRecord): void;
  place(record: PlaceRecord): void;
  reference(record: ReferenceRecord): void;
  /** Says what the source could not read (optional: sinks that do not store it may leave it out). */
  notRead?(record: NotReadRecord): void;
  /** A directory setting that names the external directory behind it (optional, like notRead). */
  directoryAttribute?(record: DirectoryAttributeRecord): void;
  /**
   * When the sink is busy, a promise that settles once it can take more; readers await it between
   * chunks of input so that memory stays flat. Undefined when it can take more now.
   */
  ready?(): Promise<void> | undefined;
}

/**
 * References whose kind a definition elsewhere in the stream settles: a Jira custom field makes user
 * references only if it is a user picker, and a thread that parses part of a backup may meet a field's
 * values before it knows the field's definition (which another thread parses). The writer keeps the
 * definitions in stream order and keeps a value only if its field was defined earlier, as a reader of the
 * whole stream would.
 */
export interface FieldReferenceSink {
  /** Values of `field` are references of `kind` (from here on in the stream). */
  referenceField(record: { field: string; kind: string }): void;
  /** A reference of `userKey` from `itemRef` if `field` was defined (referenceField) earlier in the stream. */
  fieldReference(record: { field: string; userKey: string; itemRef: string }): void;
}

/** What a reader needs to know about the source it reads. */
export interface SourceSpec {
  /** The name the workspace knows this source by (default: its product). */
  name: string;
  /** The reader kind, e.g. `jira-backup`. */
  kind: string;
  /** The path or URL after the kind. */
  location: string;
  product: Product;
}
