/**
 * Reads a Confluence site export (a zip holding entities.xml, or a bare entities.xml; SOURCES.md §5.2)
 * into snapshot records: directories in Crowd's directory order (S-03), users, user keys, groups,
 * memberships, space and global permissions, spaces, and the user references found in content
 * (creators, last modifiers, permission subjects, mentions).
 *
 * The export is not written in dependency order, so the reader keeps only small maps (ids → names of
 * users, groups, spaces, directories) and compact lists of the records whose other ends it has not read
 * yet, and resolves those once the stream has ended. Page bodies are scanned one at a time and dropped.
 */
import { inputError } from '../model/errors.js';
import type { SnapshotSink } from '../model/snapshot.js';
import { openBackup } from './backup-file.js';
import {
  type ClassSelection,
  type HibernateObject,
  detach,
  objectError,
  readHibernateObjects,
} from './hibernate-objects.js';
import { type XmlParser, parseXmlStream } from './xml-stream.js';

export async function readConfluenceBackup(
  file: string,
  sink: SnapshotSink,
  onProgress?: (bytes: number, total: number) => void,
): Promise<void> {
  const backup = await openBackup(file);
  try {
    const document = backup.entities;
    const reader = new ConfluenceBackupReader(document.displayName, sink);
    const stream = await document.open();
    await parseXmlStream(
      stream,
      document.displayName,
      (parser) => reader.attach(parser),
      onProgress && ((bytes) => onProgress(bytes, document.size)),
      () => sink.ready?.(),
    );
    reader.finish();
  } finally {
    backup.close();
  }
}

const select = (properties: string[], collections: string[] = []): ClassSelection => ({
  properties: new Set(properties),
  collections: new Set(collections),
});

const CONTENT_PROPERTIES = ['title', 'space', 'originalVersion', 'creator', 'lastModifier'];

/** The classes this reader uses, and the parts of them it needs. */
const SELECTIONS = new Map<string, ClassSelection>([
  ['DirectoryImpl', select(['name', 'active', 'type', 'position'])],
  ['ApplicationImpl', select([], ['directoryMappings'])],
  ['DirectoryMapping', select(['directory'])],
  ['ConfluenceUserImpl', select(['name', 'lowerName'])],
  [
    'InternalUser',
    select(['name', 'active', 'updatedDate', 'firstName', 'lastName', 'displayName', 'emailAddress', 'directory']),
  ],
  ['InternalGroup', select(['name', 'directory'])],
  ['HibernateMembership', select(['parentGroup', 'userMember', 'groupMember'])],
  ['Space', select(['name', 'key', 'creator'])],
  ['SpacePermission', select(['space', 'type', 'group', 'userSubject'])],
  ['Page', select(CONTENT_PROPERTIES)],
  ['BlogPost', select(CONTENT_PROPERTIES)],
  ['Comment', select(['containerContent', 'owner', 'creator', 'lastModifier'])],
  ['BodyContent', select(['body', 'content'])],
]);

interface DirectoryEntry {
  id: string;
  name: string;
  active: boolean;
  type: string;
  /** The `position` property, when the export has one. */
  position: number | undefined;
}

/** A space permission whose space had not been read yet. */
interface PendingGrant {
  subjectType: 'group' | 'user';
  subject: string;
  permission: string;
  spaceId: string;
}

/** Legacy `ri:username` mentions of one body whose users had not been read yet. */
interface PendingMentions {
  contentId: string;
  /** Keys already emitted for this body, so that a username resolving to one of them is not repeated. */
  keys: Set<string>;
  userNames: string[];
}

/**
 * Memberships whose group or member had not been read yet. Kept as parallel arrays, not as objects,
 * because a site export can hold millions of them; the lines are small integers, which V8 packs.
 */
class PendingMemberships {
  readonly ids: string[] = [];
  readonly parents: string[] = [];
  readonly members: string[] = [];
  readonly memberIsGroup: boolean[] = [];
  readonly lines: number[] = [];

  add(id: string, parent: string, member: string, memberIsGroup: boolean, line: number): void {
    this.ids.push(id);
    this.parents.push(parent);
    this.members.push(member);
    this.memberIsGroup.push(memberIsGroup);
    this.lines.push(line);
  }

  get length(): number {
    return this.ids.length;
  }
}

class ConfluenceBackupReader {
  private readonly directories: DirectoryEntry[] = [];
  /** The `directoryMappings` list of the first ApplicationImpl that has one: DirectoryMapping ids. */
  private mappingOrder: string[] | undefined;
  /** DirectoryMapping id → DirectoryImpl id. */
  private readonly mappings = new Map<string, string>();
  /** InternalUser id → name. */
  private readonly userNames = new Map<string, string>();
  /** InternalGroup id → name and directory. */
  private readonly groups = new Map<string, { name: string; directoryId: string }>();
  /** Lower-case ConfluenceUserImpl name → user key (for legacy `ri:username` mentions). */
  private readonly userKeysByName = new Map<string, string>();
  /** Space id → space key. */
  private readonly spaceKeys = new Map<string, string>();
  private readonly pendingMemberships = new PendingMemberships();
  private readonly pendingGrants: PendingGrant[] = [];
  private readonly pendingMentions: PendingMentions[] = [];

  private readonly handlers = new Map<string, (object: HibernateObject) => void>([
    ['DirectoryImpl', (o) => this.readDirectory(o)],
    ['ApplicationImpl', (o) => this.readApplication(o)],
    ['DirectoryMapping', (o) => this.readDirectoryMapping(o)],
    ['ConfluenceUserImpl', (o) => this.readConfluenceUser(o)],
    ['InternalUser', (o) => this.readUser(o)],
    ['InternalGroup', (o) => this.readGroup(o)],
    ['HibernateMembership', (o) => this.readMembership(o)],
    ['Space', (o) => this.readSpace(o)],
    ['SpacePermission', (o) => this.readSpacePermission(o)],
    ['Page', (o) => this.readPageOrBlogPost(o, 'page')],
    ['BlogPost', (o) => this.readPageOrBlogPost(o, 'blogpost')],
    ['Comment', (o) => this.readComment(o)],
    ['BodyContent', (o) => this.readBodyContent(o)],
  ]);

  constructor(
    private readonly displayName: string,
    private readonly sink: SnapshotSink,
  ) {}

  attach(parser: XmlParser): void {
    readHibernateObjects(parser, this.displayName, {
      root: (name) => this.checkRoot(name),
      select: (className) => SELECTIONS.get(className),
      object: (object) => this.handlers.get(object.className)?.(object),
    });
  }

  /** Resolves what the stream left open and emits the records that needed the whole file. */
  finish(): void {
    this.emitDirectories();
    this.resolveMemberships();
    for (const grant of this.pendingGrants) this.emitSpaceGrant(grant, this.spaceKeys.get(grant.spaceId) ?? '');
    for (const pending of this.pendingMentions) this.resolveMentions(pending);
  }

  private checkRoot(name: string): void {
    if (name !== 'hibernate-generic') {
      throw inputError(
        `${this.displayName}: not a Confluence backup (the root element is <${name}>; a Confluence site export starts with <hibernate-generic>)`,
      );
    }
  }

  private fail(object: HibernateObject, what: string): never {
    throw objectError(this.displayName, object, what);
  }

  // --- directories -------------------------------------------------------------------------------

  private readDirectory(object: HibernateObject): void {
    const position = Number.parseInt(text(object, 'position').trim(), 10);
    this.directories.push({
      id: object.id,
      name: text(object, 'name'),
      active: this.flag(object, 'active'),
      type: text(object, 'type').trim(),
      position: Number.isNaN(position) ? undefined : position,
    });
  }

  private readApplication(object: HibernateObject): void {
    const list = object.collections.get('directoryMappings');
    if (list && !this.mappingOrder) this.mappingOrder = list;
  }

  private readDirectoryMapping(object: HibernateObject): void {
    const directoryId = ref(object, 'directory');
    if (directoryId) this.mappings.set(object.id, directoryId);
  }

  /** S-03 directory order: the embedded application's mapping list, else `position`, else document order. */
  private emitDirectories(): void {
    const rank = this.directoryRanks();
    const ordered = this.directories
      .map((directory, index) => ({ directory, index, rank: rank(directory) }))
      .sort((a, b) => a.rank - b.rank || a.index - b.index);
    ordered.forEach(({ directory }, position) => {
      const { id, name, active, type } = directory;
      this.sink.directory({ id, name, position, active, type });
    });
  }

  private directoryRanks(): (directory: DirectoryEntry) => number {
    if (!this.mappingOrder) return (directory) => directory.position ?? Number.POSITIVE_INFINITY;
    const ranks = new Map<string, number>();
    this.mappingOrder.forEach((mappingId, index) => {
      const directoryId = this.mappings.get(mappingId);
      if (directoryId !== undefined && !ranks.has(directoryId)) ranks.set(directoryId, index);
    });
    return (directory) => ranks.get(directory.id) ?? Number.POSITIVE_INFINITY;
  }

  // --- users, groups, memberships ------------------------------------------------------------------

  private readConfluenceUser(object: HibernateObject): void {
    const lowerUserName = (text(object, 'lowerName') || text(object, 'name')).toLowerCase();
    if (!lowerUserName) return; // a key with no username: references to it stay unresolved
    this.sink.userKey({ userKey: object.id, lowerUserName });
    this.userKeysByName.set(lowerUserName, object.id);
  }

  private readUser(object: HibernateObject): void {
    const userName = text(object, 'name');
    if (!userName) this.fail(object, 'has no name');
    const displayName =
      object.properties.get('displayName')?.text ?? `${text(object, 'firstName')} ${text(object, 'lastName')}`.trim();
    this.sink.user({
      directoryId: ref(object, 'directory') ?? '',
      userName,
      active: this.flag(object, 'active'),
      displayName,
      email: text(object, 'emailAddress'),
      updated: text(object, 'updatedDate').trim(),
    });
    this.userNames.set(object.id, userName);
  }

  private readGroup(object: HibernateObject): void {
    const name = text(object, 'name');
    if (!name) this.fail(object, 'has no name');
    const directoryId = ref(object, 'directory') ?? '';
    this.sink.group({ directoryId, name });
    this.groups.set(object.id, { name, directoryId });
  }

  private readMembership(object: HibernateObject): void {
    const parentId = ref(object, 'parentGroup');
    if (!parentId) this.fail(object, 'has no parentGroup');
    const userId = ref(object, 'userMember');
    const groupId = ref(object, 'groupMember');
    const memberId = userId ?? groupId;
    if (!memberId) {
      this.fail(object, 'has neither a userMember nor a groupMember');
    }
    const memberIsGroup = userId === undefined;
    if (!this.emitMembership(parentId, memberId, memberIsGroup)) {
      this.pendingMemberships.add(object.id, parentId, memberId, memberIsGroup, object.line);
    }
  }

  /** Emits the membership if both its ends are known; says whether it did. */
  private emitMembership(parentId: string, memberId: string, memberIsGroup: boolean): boolean {
    const parent = this.groups.get(parentId);
    const child = memberIsGroup ? this.groups.get(memberId)?.name : this.userNames.get(memberId);
    if (!parent || child === undefined) return false;
    this.sink.membership({ directoryId: parent.directoryId, parent: parent.name, child, childIsGroup: memberIsGroup });
    return true;
  }

  private resolveMemberships(): void {
    const pending = this.pendingMemberships;
    for (let i = 0; i < pending.length; i++) {
      const parentId = pending.parents[i] as string;
      const memberId = pending.members[i] as string;
      const memberIsGroup = pending.memberIsGroup[i] as boolean;
      if (this.emitMembership(parentId, memberId, memberIsGroup)) continue;
      const [kind, missing] = !this.groups.has(parentId)
        ? ['group', parentId]
        : [memberIsGroup ? 'group' : 'user', memberId];
      throw inputError(
        `${this.displayName}: HibernateMembership ${pending.ids[i]} (line ${pending.lines[i]}) names ${kind} ${missing}, which the backup does not contain`,
      );
    }
  }

  // --- spaces and permissions ----------------------------------------------------------------------

  private readSpace(object: HibernateObject): void {
    const key = text(object, 'key').trim();
    const name = text(object, 'name');
    const spaceRef = `space:${object.id}`;
    this.sink.container({ kind: 'confluence-space', key, name, ref: spaceRef });
    this.spaceKeys.set(object.id, key);
    const creator = ref(object, 'creator');
    if (creator) this.sink.reference({ userKey: creator, kind: 'space-creator', containerRef: spaceRef, item: name });
  }

  private readSpacePermission(object: HibernateObject): void {
    const permission = text(object, 'type').trim();
    const group = text(object, 'group');
    const userKey = ref(object, 'userSubject');
    const spaceId = ref(object, 'space');
    if (userKey) {
      const where = spaceId ? { containerRef: `space:${spaceId}` } : { container: '' };
      this.sink.reference({ userKey, kind: 'space-permission', ...where, item: permission });
    }
    const subject = group ? { subjectType: 'group' as const, subject: group } : undefined;
    const grant = subject ?? (userKey ? { subjectType: 'user' as const, subject: userKey } : undefined);
    if (!grant || !permission) return; // anonymous or all-users permission
    if (!spaceId) {
      this.sink.grant({ ...grant, permission, scope: 'global', scopeKey: '' });
      return;
    }
    const spaceKey = this.spaceKeys.get(spaceId);
    if (spaceKey === undefined) this.pendingGrants.push({ ...grant, permission, spaceId });
    else this.emitSpaceGrant({ ...grant, permission, spaceId }, spaceKey);
  }

  private emitSpaceGrant(grant: PendingGrant, spaceKey: string): void {
    const { subjectType, subject, permission } = grant;
    this.sink.grant({ subjectType, subject, permission, scope: 'space', scopeKey: spaceKey });
  }

  // --- content references --------------------------------------------------------------------------

  private readPageOrBlogPost(object: HibernateObject, kind: 'page' | 'blogpost'): void {
    const spaceId = ref(object, 'space');
    // A page's old versions have no space; they take it from the current version.
    const originalId = spaceId ? undefined : ref(object, 'originalVersion');
    this.sink.place({
      ref: `content:${object.id}`,
      containerRef: spaceId ? `space:${spaceId}` : '',
      item: text(object, 'title'),
      ...(originalId ? { parentRef: `content:${originalId}` } : {}),
    });
    this.emitAuthors(object, kind);
  }

  private readComment(object: HibernateObject): void {
    const pageId = ref(object, 'containerContent') ?? ref(object, 'owner');
    this.sink.place({
      ref: `content:${object.id}`,
      containerRef: '',
      item: `comment ${object.id}`,
      ...(pageId ? { parentRef: `content:${pageId}` } : {}),
    });
    this.emitAuthors(object, 'comment');
  }

  /** The creator and last modifier of a page, blog post or comment (the modifier only if different). */
  private emitAuthors(object: HibernateObject, kind: 'page' | 'blogpost' | 'comment'): void {
    const itemRef = `content:${object.id}`;
    const creator = ref(object, 'creator');
    const modifier = ref(object, 'lastModifier');
    if (creator) this.sink.reference({ userKey: creator, kind: `${kind}-creator`, itemRef });
    if (modifier && modifier !== creator) this.sink.reference({ userKey: modifier, kind: `${kind}-modifier`, itemRef });
  }

  private readBodyContent(object: HibernateObject): void {
    const contentId = ref(object, 'content');
    if (!contentId) return; // a body that belongs to nothing
    const keys = new Set<string>();
    const unresolved = new Set<string>();
    for (const mention of findMentions(text(object, 'body'))) {
      const key = mention.byName ? this.userKeysByName.get(mention.value.toLowerCase()) : mention.value;
      if (key === undefined) unresolved.add(detach(mention.value));
      else if (!keys.has(key)) {
        keys.add(key);
        this.emitMention(key, contentId);
      }
    }
    if (unresolved.size > 0) {
      this.pendingMentions.push({ contentId, keys: new Set([...keys].map(detach)), userNames: [...unresolved] });
    }
  }

  private resolveMentions(pending: PendingMentions): void {
    for (const userName of pending.userNames) {
      const key = this.userKeysByName.get(userName.toLowerCase()) ?? userName;
      if (pending.keys.has(key)) continue;
      pending.keys.add(key);
      this.emitMention(key, pending.contentId);
    }
  }

  private emitMention(userKey: string, contentId: string): void {
    this.sink.reference({ userKey, kind: 'mention', itemRef: `content:${contentId}` });
  }

  // --- property helpers ----------------------------------------------------------------------------

  /** A boolean property: true/false or 1/0; absent or empty means true. */
  private flag(object: HibernateObject, name: string): boolean {
    const value = text(object, name).trim().toLowerCase();
    if (value === '' || value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    return this.fail(object, `has ${name} "${value}"; expected true or false`);
  }
}

/** A property's text, '' when absent. */
function text(object: HibernateObject, name: string): string {
  return object.properties.get(name)?.text ?? '';
}

/** The id a reference property points to; undefined when absent or empty. */
function ref(object: HibernateObject, name: string): string | undefined {
  const id = object.properties.get(name)?.refId;
  return id ? id : undefined;
}

const MENTION = /ri:(userkey|username)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/** The `<ri:user ri:userkey="…"/>` and legacy `<ri:user ri:username="…"/>` mentions in a storage-format body. */
export function* findMentions(body: string): Generator<{ byName: boolean; value: string }> {
  for (const match of body.matchAll(MENTION)) {
    const value = decodeEntities(match[2] ?? match[3] ?? '').trim();
    if (value) yield { byName: match[1] === 'username', value };
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes the XML entities of an attribute value of the (escaped) storage format. */
function decodeEntities(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (entity, name: string) => {
    if (!name.startsWith('#')) return ENTITIES[name.toLowerCase()] ?? entity;
    const code = /^#x/i.test(name) ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
    return code <= 0x10ffff ? String.fromCodePoint(code) : entity;
  });
}
