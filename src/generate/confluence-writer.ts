/**
 * Writes the Confluence half of an estate as a site export's entities.xml in Hibernate's generic format
 * (SOURCES.md §5.2): one `<object class=… package=…>` per row, references as nested `<id>`s, user keys as
 * `<id name="key">`. Directories come in the opposite of their mapping order, so only the application's
 * directoryMappings list tells which directory wins. Produced line by line.
 */
import type { ConfluenceEstate, Estate, People } from './estate-types.js';
import { hash32 } from './random.js';
import { EXPORT_TIME_MS, HISTORY_START_MS, PAGE_TITLES, formatSeconds, formatTimestamp } from './vocabulary.js';
import { cdata } from './xml-text.js';

const PKG = {
  directory: 'com.atlassian.crowd.model.directory',
  application: 'com.atlassian.crowd.model.application',
  user: 'com.atlassian.crowd.model.user',
  group: 'com.atlassian.crowd.model.group',
  membership: 'com.atlassian.crowd.embedded.hibernate2',
  confluenceUser: 'com.atlassian.confluence.user',
  spaces: 'com.atlassian.confluence.spaces',
  security: 'com.atlassian.confluence.security',
  pages: 'com.atlassian.confluence.pages',
  core: 'com.atlassian.confluence.core',
};

const open = (cls: string, pkg: string) => `<object class="${cls}" package="${pkg}">`;
const idTag = (id: number) => `<id name="id">${id}</id>`;
const text = (name: string, value: string) => `<property name="${name}">${cdata(value)}</property>`;
const plain = (name: string, value: string | number | boolean) => `<property name="${name}">${value}</property>`;
const ref = (name: string, cls: string, pkg: string, id: number) => `<property name="${name}" class="${cls}" package="${pkg}">${idTag(id)}</property>`;
const userRef = (name: string, key: string) =>
  `<property name="${name}" class="ConfluenceUserImpl" package="${PKG.confluenceUser}"><id name="key">${cdata(key)}</id></property>`;
const directoryRef = (id: number) => ref('directory', 'DirectoryImpl', PKG.directory, id);

/** How many lines entities.xml will have (for progress). */
export function confluenceEntityLineCount(confluence: ConfluenceEstate): number {
  return (
    confluence.userKeys.length +
    confluence.entries.length +
    confluence.groups.length +
    confluence.memberships.count +
    confluence.groupLinks.length +
    confluence.spaces.length +
    confluence.spacePermissions.length +
    2 * confluence.pages.count +
    2 * confluence.comments.count +
    10
  );
}

export function* confluenceEntityLines(estate: Estate): Generator<string> {
  const { confluence: c, people, size } = estate;
  let nextId = c.nextId;
  yield '<?xml version="1.0" encoding="UTF-8"?>\n';
  yield `<hibernate-generic datetime="${formatSeconds(EXPORT_TIME_MS)}">\n`;

  for (const d of c.directories) {
    yield `${open('DirectoryImpl', PKG.directory)}${idTag(d.id)}${text('name', d.name)}${text('lowerName', d.name.toLowerCase())}${plain('active', d.active)}<property name="type" enum-class="DirectoryType" package="com.atlassian.crowd.embedded.api">${d.type}</property></object>\n`;
  }
  const mappingElements = c.mappings.map((m) => `<element class="DirectoryMapping" package="${PKG.application}">${idTag(m.id)}</element>`).join('');
  yield `${open('ApplicationImpl', PKG.application)}${idTag(c.applicationId)}${text('name', 'confluence')}<collection name="directoryMappings" class="java.util.List">${mappingElements}</collection></object>\n`;
  for (const m of c.mappings) {
    yield `${open('DirectoryMapping', PKG.application)}${idTag(m.id)}${ref('application', 'ApplicationImpl', PKG.application, c.applicationId)}${ref('directory', 'DirectoryImpl', PKG.directory, m.directoryId)}</object>\n`;
  }

  for (const u of c.userKeys) {
    const email = u.email === undefined ? '' : text('email', u.email);
    yield `${open('ConfluenceUserImpl', PKG.confluenceUser)}<id name="key">${cdata(u.key)}</id>${text('name', u.name)}${text('lowerName', u.name.toLowerCase())}${email}</object>\n`;
  }
  yield* internalUsers(c, people, size.seed);
  for (const g of c.groups) {
    yield `${open('InternalGroup', PKG.group)}${idTag(g.id)}${text('name', g.name)}${text('lowerName', g.name.toLowerCase())}${plain('active', true)}${plain('local', false)}<property name="type" enum-class="GroupType" package="${PKG.group}">GROUP</property>${directoryRef(g.directoryId)}</object>\n`;
  }

  const membershipHead = open('HibernateMembership', PKG.membership);
  for (const link of c.groupLinks) {
    const parent = c.groups[link.parent]!;
    const child = c.groups[link.child]!;
    yield `${membershipHead}${idTag(nextId++)}${ref('parentGroup', 'InternalGroup', PKG.group, parent.id)}${ref('groupMember', 'InternalGroup', PKG.group, child.id)}</object>\n`;
  }
  const parentText = c.groups.map((g) => ref('parentGroup', 'InternalGroup', PKG.group, g.id));
  const memberText = c.entries.map((e) => `${ref('userMember', 'InternalUser', PKG.user, e.id)}</object>\n`);
  const { group, entry, count } = c.memberships;
  for (let n = 0; n < count; n++) {
    yield `${membershipHead}${idTag(nextId++)}${parentText[group[n]!]}${memberText[entry[n]!]}`;
  }

  const keyOf = (index: number) => c.userKeys[index]!.key;
  for (const s of c.spaces) {
    yield `${open('Space', PKG.spaces)}${idTag(s.id)}${text('name', s.name)}${text('key', s.key)}${userRef('creator', keyOf(s.creator))}</object>\n`;
  }
  for (const p of c.spacePermissions) {
    const space = p.space >= 0 ? ref('space', 'Space', PKG.spaces, c.spaces[p.space]!.id) : '';
    const subject = p.group !== undefined ? text('group', p.group) : userRef('userSubject', keyOf(p.user!));
    yield `${open('SpacePermission', PKG.security)}${idTag(nextId++)}${space}${text('type', p.type)}${subject}</object>\n`;
  }
  const { pages, comments } = c;
  for (let j = 0; j < pages.count; j++) {
    const title = `${PAGE_TITLES[j % PAGE_TITLES.length]} ${j + 1}`;
    const space = c.spaces[pages.space[j]!]!;
    yield `${open('Page', PKG.pages)}${idTag(pages.ids[j]!)}${text('title', title)}${ref('space', 'Space', PKG.spaces, space.id)}${userRef('creator', keyOf(pages.creator[j]!))}${userRef('lastModifier', keyOf(pages.lastModifier[j]!))}</object>\n`;
  }
  for (let k = 0; k < comments.count; k++) {
    yield `${open('Comment', PKG.pages)}${idTag(comments.ids[k]!)}${userRef('creator', keyOf(comments.creator[k]!))}${userRef('lastModifier', keyOf(comments.lastModifier[k]!))}${ref('containerContent', 'Page', PKG.pages, pages.ids[comments.page[k]!]!)}</object>\n`;
  }
  const mention = (index: number) => `<ac:link><ri:user ri:userkey="${keyOf(index)}" /></ac:link>`;
  for (let j = 0; j < pages.count; j++) {
    const a = pages.mentionA[j]!;
    const b = pages.mentionB[j]!;
    let body = '<p>Owner of this page.</p>';
    if (a >= 0) body = `<p>Ask ${mention(a)}${b >= 0 ? ` or ${mention(b)}` : ''} before changing this page.</p><ul><li>Step 1 &amp; step 2</li></ul>`;
    yield `${open('BodyContent', PKG.core)}${idTag(nextId++)}${text('body', body)}${ref('content', 'Page', PKG.pages, pages.ids[j]!)}${plain('bodyType', 2)}</object>\n`;
  }
  for (let k = 0; k < comments.count; k++) {
    const m = comments.mention[k]!;
    const body = m >= 0 ? `<p>Thanks ${mention(m)}, done.</p>` : '<p>Looks good to me.</p>';
    yield `${open('BodyContent', PKG.core)}${idTag(nextId++)}${text('body', body)}${ref('content', 'Comment', PKG.pages, comments.ids[k]!)}${plain('bodyType', 2)}</object>\n`;
  }
  yield '</hibernate-generic>\n';
}

function* internalUsers(c: ConfluenceEstate, people: People, seed: number): Generator<string> {
  const span = Math.floor((EXPORT_TIME_MS - HISTORY_START_MS) / 2000);
  for (const e of c.entries) {
    const p = e.person;
    const created = HISTORY_START_MS + (hash32(seed, 'confluence-user', e.id) % span) * 1000;
    const updated = created + (hash32(seed, 'confluence-user-updated', e.id) % span) * 1000;
    yield `${open('InternalUser', PKG.user)}${idTag(e.id)}${text('name', people.userName[p]!)}${text('lowerName', people.userName[p]!.toLowerCase())}${plain('active', e.active)}${plain('createdDate', formatTimestamp(created))}${plain('updatedDate', formatTimestamp(updated))}${text('firstName', people.firstName[p]!)}${text('lastName', people.lastName[p]!)}${text('displayName', people.displayName[p]!)}${text('emailAddress', e.email)}${directoryRef(e.directoryId)}</object>\n`;
  }
}
