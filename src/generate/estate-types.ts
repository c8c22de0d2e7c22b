/**
 * The abstract estate the generator builds before writing any XML: people, and for each product its
 * directories, user entries, groups, memberships, grants and the data that references users. Large
 * collections (memberships, issues, pages…) are kept in typed arrays of indices so that an estate of
 * 100,000 people and 1,000,000 memberships stays small in memory.
 */

export interface EstateSize {
  users: number;
  groups: number;
  memberships: number;
  seed: number;
  /**
   * About how many user references the Jira data should hold (issues and the rows on them, about 5 per
   * issue). Unset: half an issue per person, at most 50,000 issues (what the oracle tests use).
   */
  references?: number;
}

/** Every person of the estate; index = person number. */
export interface People {
  count: number;
  firstName: string[];
  lastName: string[];
  displayName: string[];
  /** Username as written (some are capitalised); unique case-insensitively. */
  userName: string[];
  /** The person's own, valid address (unique across people, compared case-insensitively). */
  email: string[];
  /** ASCII forms of the first and last name, used to derive other names. */
  firstAscii: string[];
  lastAscii: string[];
}

export interface DirectoryDef {
  id: number;
  name: string;
  /** Directory order (S-03): lower wins. */
  position: number;
  active: boolean;
  type: 'INTERNAL' | 'CONNECTOR' | 'CROWD';
  description: string;
  implementationClass: string;
}

/** One user row in one directory. */
export interface UserEntry {
  /** Row id (Jira `User@id`, Confluence `InternalUser` id). */
  id: number;
  person: number;
  directoryId: number;
  active: boolean;
  /** The email exactly as written (may be empty, padded or invalid). */
  email: string;
}

export interface GroupEntry {
  id: number;
  name: string;
  directoryId: number;
}

/** GROUP_USER records: parallel arrays of group index and entry index (into the source's lists). */
export interface UserMemberships {
  group: Int32Array;
  entry: Int32Array;
  count: number;
}

/** GROUP_GROUP record: indices into the source's group list (same directory). */
export interface GroupLink {
  parent: number;
  child: number;
}

/** What both products share: the identity part of a source. */
export interface SourceEstate {
  /** In the order the document writes them. */
  directories: DirectoryDef[];
  entries: UserEntry[];
  groups: GroupEntry[];
  memberships: UserMemberships;
  groupLinks: GroupLink[];
}

/** Parallel arrays for a simple "row on an issue by a user" table; `user` indexes Jira app users. */
export interface IssueRows {
  issue: Int32Array;
  user: Int32Array;
  count: number;
}

export interface JiraAppUser {
  id: number;
  key: string;
  lowerUserName: string;
}

export interface SchemePermissionRow {
  scheme?: number;
  permission?: number;
  type: string;
  parameter?: string;
  permissionKey?: string;
}

export interface RoleActorRow {
  /** Project id; absent for default actors. */
  pid?: number;
  roleId: number;
  kind: 'user' | 'group';
  /** User key or group name. */
  parameter: string;
}

export interface JiraEstate extends SourceEstate {
  appUsers: JiraAppUser[];
  /** LicenseRoleGroup rows (application access, S-09). */
  licenseRoles: { licenseRoleName: string; groupName: string; primary: boolean }[];
  globalPermissions: { permission: string; groupName: string }[];
  permissionSchemes: { id: number; name: string; description: string }[];
  schemePermissions: SchemePermissionRow[];
  projectRoles: { id: number; name: string; description: string }[];
  roleActors: RoleActorRow[];
  projects: { id: number; name: string; key: string; lead: number; counter: number; schemeId: number }[];
  components: { id: number; project: number; name: string; lead: number }[];
  /** Issues: project index, number within project, and app-user indices (-1 = none). */
  issues: { project: Int32Array; number: Int32Array; reporter: Int32Array; assignee: Int32Array; creator: Int32Array; count: number };
  comments: IssueRows;
  worklogs: IssueRows;
  changeGroups: IssueRows;
  watchers: IssueRows;
  voters: IssueRows;
  userPickerValues: IssueRows;
  /** JSM organizations (activeobjects.xml); members are app-user indices. */
  organizations: { name: string; members: number[] }[];
}

export interface ConfluenceUserKey {
  key: string;
  name: string;
  /** Absent for keys of deleted users. */
  email?: string;
}

export interface ConfluenceEstate extends SourceEstate {
  applicationId: number;
  /** DirectoryMapping ids and directory ids, in mapping (= directory) order. */
  mappings: { id: number; directoryId: number }[];
  userKeys: ConfluenceUserKey[];
  spaces: { id: number; key: string; name: string; creator: number }[];
  /** space: index into spaces, or -1 for a global permission; exactly one of group / user. */
  spacePermissions: { space: number; type: string; group?: string; user?: number }[];
  /** Pages: space index, title index, creator and last modifier (user-key indices), mentioned keys (-1 = none). */
  pages: { ids: Int32Array; space: Int32Array; creator: Int32Array; lastModifier: Int32Array; mentionA: Int32Array; mentionB: Int32Array; count: number };
  comments: { ids: Int32Array; page: Int32Array; creator: Int32Array; lastModifier: Int32Array; mention: Int32Array; count: number };
  /** The first id free for objects numbered at write time (memberships, permissions, bodies). */
  nextId: number;
}

/** What the generator injected, as the manifest reports it. */
export interface InjectedCounts {
  jira: {
    invalidEmails: number;
    duplicatedAddresses: number;
    whitespaceEmails: number;
    disabledUsers: number;
    shadowedUsers: number;
    shadowedEmailDiffers: number;
    inactiveDirectoryOnlyUsers: number;
    deletedReferencedKeys: number;
  };
  confluence: {
    invalidEmails: number;
    duplicatedAddresses: number;
    deletedReferencedKeys: number;
  };
  crossSource: { emailMismatches: number };
  groupCaseCollisions: number;
  groupsMergedAcrossProducts: number;
  groupCycles: number;
  danglingGroupReferences: number;
  users: number;
  groups: number;
  memberships: number;
}

export interface Estate {
  size: EstateSize;
  people: People;
  jira: JiraEstate;
  confluence: ConfluenceEstate;
  injected: InjectedCounts;
}
