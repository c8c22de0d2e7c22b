/**
 * The rows of a Jira backup's entities.xml (one element per database row: element = entity, attributes =
 * columns; long text as child elements) turned into snapshot records. Rows that point at one another are
 * linked by ids: what a row links to elsewhere in the document is gathered in JiraLinks and resolved once
 * the document is read, so memory stays flat however many issues the backup holds.
 *
 * The same reader reads a whole document (jira-backup.ts) or a part of it on a thread of its own
 * (jira-parse-worker.ts): the parts' JiraLinks are merged in document order before they are resolved.
 */
import { inputError } from '../model/errors.js';
import { DIRECTORY_ATTRIBUTE_NAMES, type FieldReferenceSink, type SnapshotSink } from '../model/snapshot.js';
import { type MembershipTable, idNumber } from './membership-table.js';
import type { XmlParser } from './xml-stream.js';

type Attributes = Record<string, string>;

/** Legacy global permission numbers (rows of SchemePermissions without a scheme). */
const LEGACY_GLOBAL_PERMISSIONS: Record<string, string> = {
  '0': 'ADMINISTER',
  '1': 'USE',
  '44': 'SYSTEM_ADMIN',
  '22': 'CREATE_SHARED_OBJECTS',
  '24': 'MANAGE_GROUP_FILTER_SUBSCRIPTIONS',
  '27': 'USER_PICKER',
  '33': 'BULK_CHANGE',
};

const USER_PICKER_TYPES = /:(userpicker|multiuserpicker)$/;

/** Turns the rows of entities.xml into snapshot records. */
export class JiraEntityReader {
  private depth = 0;
  rootSeen = false;
  /** Whether User rows were read; whether any row that names users or groups (User, Group, Membership) was. */
  readonly seen = { users: false, names: false };
  private current: { name: string; attributes: Attributes; line: number } | undefined;
  private childName: string | undefined;
  private childText = '';

  /** The group (name as written, and directory) of the last membership checked (found, or left for the end). */
  private checkedParent: string | undefined;
  private checkedDirectory: string | undefined;

  /**
   * @param links what the rows link to elsewhere in the document (JiraLinks), resolved once it is read
   * @param fields the custom fields known so far, kept from one part of a document to the next
   * @param table where memberships go when the sink takes tables (membership-table.ts)
   * @param parts for a reader of a part of the document (jira-parse-worker.ts): hears of each custom field
   *   defined, and passes on the values of fields it does not know (FieldReferenceSink)
   */
  constructor(
    private readonly displayName: string,
    private readonly sink: SnapshotSink,
    private readonly links: JiraLinks,
    private readonly fields: CustomFields,
    private readonly table: MembershipTable | undefined,
    private readonly parts?: { defined(field: string, kind: string | null): void; sink: FieldReferenceSink },
  ) {}

  attach(parser: XmlParser): void {
    // Text matters only inside a row's child elements (long values); listening elsewhere costs time.
    const text = (value: string) => {
      this.childText += value;
    };
    parser.on('opentag', (tag) => {
      this.depth++;
      if (this.depth === 2) {
        // Nearly every row is a self-closing element: handle it at once, without keeping it.
        if (tag.isSelfClosing) this.row(tag.name, tag.attributes as Attributes, parser.line);
        else this.current = { name: tag.name, attributes: tag.attributes as Attributes, line: parser.line };
      } else if (this.depth === 3) {
        this.childName = tag.name;
        this.childText = '';
        parser.on('text', text);
        parser.on('cdata', text);
      } else if (this.depth === 1) {
        if (tag.name !== 'entity-engine-xml') {
          throw inputError(
            `${this.displayName}: not a Jira backup (the root element is <${tag.name}>; a Jira backup's entities.xml starts with <entity-engine-xml>)`,
          );
        }
        this.rootSeen = true;
      }
    });
    parser.on('closetag', () => {
      if (this.depth === 2 && this.current) {
        this.row(this.current.name, this.current.attributes, this.current.line);
        this.current = undefined;
      } else if (this.depth === 3 && this.current && this.childName) {
        this.current.attributes[this.childName] = this.childText;
        this.childName = undefined;
        parser.off('text');
        parser.off('cdata');
      }
      this.depth--;
    });
  }

  private required(attributes: Attributes, name: string, element: string, line: number): string {
    const value = attributes[name];
    if (value === undefined || value === '') {
      throw inputError(`${this.displayName}: line ${line}: <${element}> has no ${name} attribute`);
    }
    return value;
  }

  private row(element: string, a: Attributes, line: number): void {
    const sink = this.sink;
    switch (element) {
      case 'Membership':
        this.seen.names = true;
        this.membership(a, line);
        return;
      case 'Action':
        if ((a.type ?? 'comment') === 'comment') this.issueReferences(a.issue, 'comment-author', a.author, 'comment-updater', a.updateauthor);
        return;
      case 'Worklog':
        this.issueReferences(a.issue, 'worklog-author', a.author, 'worklog-updater', a.updateauthor);
        return;
      case 'ChangeGroup':
        this.issueReferences(a.issue, 'history-author', a.author);
        return;
      case 'FileAttachment':
        this.issueReferences(a.issue, 'attachment-author', a.author);
        return;
      case 'UserAssociation':
        if (a.sinkNodeEntity === 'Issue') {
          const kind = a.associationType === 'WatchIssue' ? 'watcher' : a.associationType === 'VoteIssue' ? 'voter' : undefined;
          if (kind) this.issueReferences(a.sinkNodeId, kind, a.sourceName);
        }
        return;
      case 'CustomFieldValue': {
        const kind = this.fields.get(a.customfield ?? '');
        if (kind) this.issueReferences(a.issue, kind, a.stringvalue);
        else if (kind === undefined && this.parts && a.stringvalue) {
          this.parts.sink.fieldReference({ field: a.customfield ?? '', userKey: a.stringvalue, itemRef: `issue:${a.issue ?? ''}` });
        }
        return;
      }
      default:
        this.configurationRow(element, a, line);
    }
  }

  /** The rows that are not bulk data: few, so clarity wins over speed here. */
  private configurationRow(element: string, a: Attributes, line: number): void {
    const need = (name: string) => this.required(a, name, element, line);
    const sink = this.sink;
    switch (element) {
      case 'Directory':
        sink.directory({
          id: need('id'),
          name: a.directoryName ?? '',
          position: Number(a.position ?? 0),
          active: a.active === '1' || a.active === 'true',
          type: a.type ?? '',
        });
        break;
      case 'DirectoryAttribute':
        if (DIRECTORY_ATTRIBUTE_NAMES.has(a.name ?? '')) sink.directoryAttribute?.({ directoryId: need('directoryId'), name: a.name as string, value: a.value ?? '' });
        break;
      case 'User': {
        this.seen.users = this.seen.names = true;
        const userName = need('userName');
        sink.user({
          directoryId: need('directoryId'),
          userName,
          active: a.active === '1' || a.active === 'true',
          displayName: a.displayName ?? '',
          email: a.emailAddress ?? '',
          updated: a.updatedDate ?? '',
        });
        this.table?.addUser(idNumber(a.id), userName);
        break;
      }
      case 'ApplicationUser':
        sink.userKey({ userKey: need('userKey'), lowerUserName: need('lowerUserName').toLowerCase() });
        break;
      case 'Group': {
        this.seen.names = true;
        const directoryId = need('directoryId');
        const name = need('groupName');
        this.links.addGroup(directoryId, a.lowerGroupName ?? name.toLowerCase());
        sink.group({ directoryId, name });
        break;
      }
      case 'GlobalPermissionEntry': {
        const group = a.group_id ?? '';
        if (group) sink.grant({ subjectType: 'group', subject: group, permission: need('permission'), scope: 'global', scopeKey: '' });
        break;
      }
      case 'LicenseRoleGroup':
        sink.grant({
          subjectType: 'group',
          subject: need('groupId'),
          permission: need('licenseRoleName'),
          scope: 'application',
          scopeKey: '',
        });
        break;
      case 'PermissionScheme':
        this.links.schemeNames.set(need('id'), a.name ?? need('id'));
        break;
      case 'SchemePermissions':
        this.schemePermission(a);
        break;
      case 'Project':
        sink.container({ kind: 'jira-project', key: need('key'), name: a.name ?? '', ref: `project:${need('id')}` });
        if (a.projecttype === 'service_desk') sink.container({ kind: 'jsm-service-desk', key: need('key'), name: a.name ?? '', ref: `service-desk:${need('id')}` });
        this.links.projects.set(need('id'), need('key'));
        if (a.lead) sink.reference({ userKey: a.lead, kind: 'project-lead', container: need('key'), item: need('key') });
        break;
      case 'ProjectRole':
        this.links.roles.set(need('id'), a.name ?? need('id'));
        break;
      case 'ProjectRoleActor':
        this.roleActor(a, need);
        break;
      case 'Component':
        if (a.lead) sink.reference({ userKey: a.lead, kind: 'component-lead', containerRef: `project:${a.project ?? ''}`, item: a.name ?? '' });
        break;
      case 'Issue':
        this.issue(a, need);
        break;
      case 'CustomField': {
        const kind = USER_PICKER_TYPES.test(a.customfieldtypekey ?? '') ? `user-picker:${a.name ?? need('id')}` : null;
        this.fields.set(need('id'), kind);
        if (this.parts) {
          this.parts.defined(need('id'), kind);
          if (kind) this.parts.sink.referenceField({ field: need('id'), kind });
        }
        break;
      }
      case 'NodeAssociation':
        if (a.sourceNodeEntity === 'Project' && a.sinkNodeEntity === 'PermissionScheme' && a.sourceNodeId && a.sinkNodeId) {
          this.links.projectSchemes.set(a.sourceNodeId, a.sinkNodeId);
        }
        break;
      case 'SearchRequest':
        if (a.author) sink.reference({ userKey: a.author, kind: 'filter-owner', container: '', item: a.name ?? a.id ?? '' });
        break;
      default:
        break;
    }
  }

  private membership(a: Attributes, line: number): void {
    const type = a.membershipType ?? '';
    if (type !== 'GROUP_USER' && type !== 'GROUP_GROUP') return;
    const directoryId = this.required(a, 'directoryId', 'Membership', line);
    const parent = this.required(a, 'parentName', 'Membership', line);
    const child = this.required(a, 'childName', 'Membership', line);
    // Rows come grouped by parent: one lookup per run of rows of the same group and directory.
    if (parent !== this.checkedParent || directoryId !== this.checkedDirectory) {
      // Jira writes Group rows before Membership rows, but a part of the document read on its own may not
      // have them: a run whose group has not been seen is checked once the document is read.
      const lowerParent = a.lowerParentName ?? parent.toLowerCase();
      if (!this.links.hasGroup(directoryId, lowerParent)) this.links.addPending(directoryId, lowerParent, parent, line);
      this.checkedParent = parent;
      this.checkedDirectory = directoryId;
    }
    if (this.table) this.table.add(directoryId, parent, child, type === 'GROUP_USER' ? idNumber(a.childId) : -1, type === 'GROUP_GROUP');
    else this.sink.membership({ directoryId, parent, child, childIsGroup: type === 'GROUP_GROUP' });
  }

  private schemePermission(a: Attributes): void {
    const type = a.type;
    if (type !== 'group' && type !== 'user') return;
    const subject = a.parameter ?? '';
    if (!subject) return; // a group grant without a group means "anyone"
    if (a.scheme === undefined || a.scheme === '') {
      const permission = LEGACY_GLOBAL_PERMISSIONS[a.permission ?? ''] ?? `LEGACY_${a.permission ?? ''}`;
      this.sink.grant({ subjectType: type, subject, permission, scope: 'global', scopeKey: '' });
      return;
    }
    this.links.schemeGrants.push({ scheme: a.scheme, type, subject, permission: a.permissionKey ?? `LEGACY_${a.permission ?? ''}` });
  }

  private roleActor(a: Attributes, need: (name: string) => string): void {
    const roleType = need('roletype');
    const type = roleType === 'atlassian-group-role-actor' ? 'group' : roleType === 'atlassian-user-role-actor' ? 'user' : undefined;
    if (!type) return;
    this.links.roleActors.push({ pid: a.pid ?? '', roleId: need('projectroleid'), type, subject: need('roletypeparameter') });
  }

  private issue(a: Attributes, need: (name: string) => string): void {
    const id = need('id');
    this.sink.place({ ref: `issue:${id}`, containerRef: `project:${a.project ?? ''}`, item: a.key ?? `{key}-${a.number ?? id}` });
    this.issueReferences(id, 'reporter', a.reporter, 'assignee', a.assignee, 'creator', a.creator);
  }

  /**
   * References of one row to an issue, as (kind, user key) pairs. One reference per person and row: a
   * creator who is also the reporter is recorded as the reporter.
   */
  private issueReferences(
    issueId: string | undefined,
    kind1: string,
    user1: string | undefined,
    kind2?: string,
    user2?: string,
    kind3?: string,
    user3?: string,
  ): void {
    const itemRef = `issue:${issueId ?? ''}`;
    if (user1) this.sink.reference({ userKey: user1, kind: kind1, itemRef });
    if (user2 && kind2 && user2 !== user1) this.sink.reference({ userKey: user2, kind: kind2, itemRef });
    if (user3 && kind3 && user3 !== user1 && user3 !== user2) this.sink.reference({ userKey: user3, kind: kind3, itemRef });
  }

  /** Ends a document read whole: hands over the memberships, then what the rows link to (JiraLinks). */
  finish(): void {
    if (!this.rootSeen) throw inputError(`${this.displayName}: not a Jira backup (no XML elements found)`);
    this.links.checkMemberships(this.displayName);
    this.table?.finish();
    this.links.emit(this.sink);
  }

  /** Whether the parser stands between two rows (for a reader of a part of the document). */
  betweenRows(): boolean {
    return this.depth === 1 && this.current === undefined;
  }

  /** Whether the root element has been closed. */
  closed(): boolean {
    return this.rootSeen && this.depth === 0;
  }
}

/** Custom field id → the kind of reference its values make (`user-picker:NAME`), or null for none. */
export type CustomFields = Map<string, string | null>;

/** What JiraLinks gathers, as plain data (it crosses threads). */
export interface JiraLinksData {
  /** Directory → lower-case names of its groups. */
  groupsByDirectory: Map<string, Set<string>>;
  /** Memberships whose group had not been seen when they were read. */
  pendingMemberships: Array<{ directoryId: string; parent: string; lowerParent: string; line: number }>;
  schemeNames: Map<string, string>;
  schemeGrants: Array<{ scheme: string; type: 'group' | 'user'; subject: string; permission: string }>;
  projects: Map<string, string>;
  roles: Map<string, string>;
  roleActors: Array<{ pid: string; roleId: string; type: 'group' | 'user'; subject: string }>;
  /** Project id → permission scheme id (NodeAssociation ProjectScheme rows). */
  projectSchemes: Map<string, string>;
}

/**
 * What rows link to elsewhere in the document: groups (for memberships), permission schemes, projects
 * and roles (for grants). Resolved once the document is read (emit), when every row has been seen.
 */
export class JiraLinks implements JiraLinksData {
  readonly groupsByDirectory = new Map<string, Set<string>>();
  readonly pendingMemberships: JiraLinksData['pendingMemberships'] = [];
  readonly schemeNames = new Map<string, string>();
  readonly schemeGrants: JiraLinksData['schemeGrants'] = [];
  readonly projects = new Map<string, string>();
  readonly roles = new Map<string, string>();
  readonly roleActors: JiraLinksData['roleActors'] = [];
  readonly projectSchemes = new Map<string, string>();
  /** The groups of pendingMemberships (directory and lower-case name), each once. */
  private readonly pendingGroups = new Set<string>();

  addGroup(directoryId: string, lowerName: string): void {
    let names = this.groupsByDirectory.get(directoryId);
    if (!names) this.groupsByDirectory.set(directoryId, (names = new Set()));
    names.add(lowerName);
  }

  hasGroup(directoryId: string, lowerName: string): boolean {
    return this.groupsByDirectory.get(directoryId)?.has(lowerName) ?? false;
  }

  /** A membership of a group not seen yet: the first row naming it is checked once the document is read. */
  addPending(directoryId: string, lowerName: string, parent: string, line: number): void {
    const key = `${directoryId}\u0001${lowerName}`;
    if (this.pendingGroups.has(key)) return;
    this.pendingGroups.add(key);
    this.pendingMemberships.push({ directoryId, parent, lowerParent: lowerName, line });
  }

  /** The plain data, to send to another thread. */
  data(): JiraLinksData {
    const { groupsByDirectory, pendingMemberships, schemeNames, schemeGrants, projects, roles, roleActors, projectSchemes } = this;
    return { groupsByDirectory, pendingMemberships, schemeNames, schemeGrants, projects, roles, roleActors, projectSchemes };
  }

  /** Adds what the next part of the document gathered (parts merge in document order). */
  merge(part: JiraLinksData): void {
    for (const [directoryId, names] of part.groupsByDirectory) for (const name of names) this.addGroup(directoryId, name);
    // The part's memberships of groups the parts before it hold are settled; the others wait for the end.
    for (const pending of part.pendingMemberships) {
      if (!this.hasGroup(pending.directoryId, pending.lowerParent)) this.pendingMemberships.push(pending);
    }
    this.schemeGrants.push(...part.schemeGrants);
    this.roleActors.push(...part.roleActors);
    for (const [map, more] of [
      [this.schemeNames, part.schemeNames],
      [this.projects, part.projects],
      [this.roles, part.roles],
      [this.projectSchemes, part.projectSchemes],
    ] as const) {
      for (const [key, value] of more) map.set(key, value);
    }
  }

  /** Throws for the first membership whose group the document does not contain. */
  checkMemberships(displayName: string): void {
    for (const pending of this.pendingMemberships) {
      // By the row's lowerParentName, as the row was checked when it was read.
      if (!this.hasGroup(pending.directoryId, pending.lowerParent)) {
        throw inputError(
          `${displayName}: line ${pending.line}: <Membership> names group "${pending.parent}" in directory ${pending.directoryId}, which the backup does not contain`,
        );
      }
    }
  }

  /** Emits the grants and references that could only be resolved once every row was read. */
  emit(sink: SnapshotSink): void {
    for (const grant of this.schemeGrants) {
      const scheme = this.schemeNames.get(grant.scheme) ?? `scheme ${grant.scheme}`;
      sink.grant({ subjectType: grant.type, subject: grant.subject, permission: grant.permission, scope: 'permission-scheme', scopeKey: scheme });
      if (grant.type === 'user') {
        sink.reference({ userKey: grant.subject, kind: 'permission-scheme-grant', container: '', item: `${scheme}: ${grant.permission}` });
      }
    }
    // A project's permission scheme, recorded as a place of the project named after the scheme, so that
    // a scoped plan finds the users and groups the scheme grants permissions to in that project.
    for (const [projectId, schemeId] of this.projectSchemes) {
      const scheme = this.schemeNames.get(schemeId) ?? `scheme ${schemeId}`;
      sink.place({ ref: `permission-scheme:${projectId}`, containerRef: `project:${projectId}`, item: scheme });
    }
    for (const actor of this.roleActors) {
      const project = actor.pid ? (this.projects.get(actor.pid) ?? `project ${actor.pid}`) : '*';
      const role = this.roles.get(actor.roleId) ?? `role ${actor.roleId}`;
      sink.grant({ subjectType: actor.type, subject: actor.subject, permission: role, scope: 'project-role', scopeKey: `${project}/${role}` });
      if (actor.type === 'user') {
        sink.reference({ userKey: actor.subject, kind: 'project-role', container: project === '*' ? '' : project, item: role });
      }
    }
  }
}
