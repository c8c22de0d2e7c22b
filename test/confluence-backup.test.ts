import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfluenceBackup } from '../src/sources/confluence-backup.js';
import { replaceSnapshot } from '../src/workspace/snapshot-store.js';
import { openWorkspace } from '../src/workspace/workspace.js';
import { tempDir, writeZip } from './support/files.js';
import { RecordingSink } from './support/recording-sink.js';

// --- fixtures ---------------------------------------------------------------------------------------

const ALICE_KEY = '8a7f808a6d5b2f4a016d5b2f8e8c0001';
const BOB_KEY = '8a7f808a6d5b2f4a016d5b2f8e8c0002';

const cdata = (value: string) => `<![CDATA[${value}]]>`;
const prop = (name: string, value: string) => `<property name="${name}">${cdata(value)}</property>`;
const plain = (name: string, value: string) => `<property name="${name}">${value}</property>`;
const ref = (name: string, cls: string, id: string) =>
  `<property name="${name}" class="${cls}" package="com.example"><id name="id">${id}</id></property>`;
const userRef = (name: string, key: string) =>
  `<property name="${name}" class="ConfluenceUserImpl" package="com.atlassian.confluence.user"><id name="key">${cdata(key)}</id></property>`;
const object = (cls: string, id: string, ...members: string[]) =>
  `<object class="${cls}" package="com.example">\n  <id name="id">${id}</id>\n  ${members.join('\n  ')}\n</object>`;
const confluenceUser = (key: string, name: string) =>
  `<object class="ConfluenceUserImpl" package="com.atlassian.confluence.user">\n  <id name="key">${cdata(key)}</id>\n  ${prop('name', name)}\n  ${prop('lowerName', name.toLowerCase())}\n</object>`;
const directory = (id: string, name: string, ...extra: string[]) =>
  object('DirectoryImpl', id, prop('name', name), plain('active', 'true'), plain('type', 'INTERNAL'), ...extra);
const user = (id: string, name: string, directoryId = '98305', ...extra: string[]) =>
  object('InternalUser', id, prop('name', name), plain('active', 'true'), ref('directory', 'DirectoryImpl', directoryId), ...extra);
const group = (id: string, name: string, directoryId = '98305') =>
  object('InternalGroup', id, prop('name', name), plain('active', 'true'), ref('directory', 'DirectoryImpl', directoryId));
const membership = (id: string, parentId: string, member: { user: string } | { group: string }) =>
  object(
    'HibernateMembership',
    id,
    ref('parentGroup', 'InternalGroup', parentId),
    'user' in member ? ref('userMember', 'InternalUser', member.user) : ref('groupMember', 'InternalGroup', member.group),
  );

const document = (...objects: string[]) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<hibernate-generic datetime="2026-11-29 10:00:00">\n${objects.join('\n')}\n</hibernate-generic>\n`;

/** The example of the format, as the project's generator writes it. */
const SITE_EXPORT = `<?xml version="1.0" encoding="UTF-8"?>
<hibernate-generic datetime="2026-11-29 10:00:00">
<object class="DirectoryImpl" package="com.atlassian.crowd.model.directory">
  <id name="id">98305</id>
  <property name="name"><![CDATA[Confluence Internal Directory]]></property>
  <property name="lowerName"><![CDATA[confluence internal directory]]></property>
  <property name="active">true</property>
  <property name="type" enum-class="DirectoryType" package="com.atlassian.crowd.embedded.api">INTERNAL</property>
</object>
<object class="ApplicationImpl" package="com.atlassian.crowd.model.application">
  <id name="id">1</id>
  <property name="name"><![CDATA[confluence]]></property>
  <collection name="directoryMappings" class="java.util.List">
    <element class="DirectoryMapping" package="com.atlassian.crowd.model.application"><id name="id">2</id></element>
  </collection>
</object>
<object class="DirectoryMapping" package="com.atlassian.crowd.model.application">
  <id name="id">2</id>
  <property name="application" class="ApplicationImpl" package="com.atlassian.crowd.model.application"><id name="id">1</id></property>
  <property name="directory" class="DirectoryImpl" package="com.atlassian.crowd.model.directory"><id name="id">98305</id></property>
</object>
<object class="ConfluenceUserImpl" package="com.atlassian.confluence.user">
  <id name="key"><![CDATA[${ALICE_KEY}]]></id>
  <property name="name"><![CDATA[alice]]></property>
  <property name="lowerName"><![CDATA[alice]]></property>
  <property name="email"><![CDATA[alice@example.com]]></property>
</object>
<object class="ConfluenceUserImpl" package="com.atlassian.confluence.user">
  <id name="key"><![CDATA[${BOB_KEY}]]></id>
  <property name="name"><![CDATA[Bob]]></property>
</object>
<object class="InternalUser" package="com.atlassian.crowd.model.user">
  <id name="id">163841</id>
  <property name="name"><![CDATA[alice]]></property>
  <property name="lowerName"><![CDATA[alice]]></property>
  <property name="active">true</property>
  <property name="createdDate">2020-01-01 10:00:00.000</property>
  <property name="updatedDate">2024-05-01 10:00:00.000</property>
  <property name="firstName"><![CDATA[Alice]]></property>
  <property name="lastName"><![CDATA[Able]]></property>
  <property name="displayName"><![CDATA[Alice Able]]></property>
  <property name="emailAddress"><![CDATA[ alice@example.com ]]></property>
  <property name="directory" class="DirectoryImpl" package="com.atlassian.crowd.model.directory"><id name="id">98305</id></property>
</object>
<object class="InternalGroup" package="com.atlassian.crowd.model.group">
  <id name="id">196609</id>
  <property name="name"><![CDATA[confluence-users]]></property>
  <property name="lowerName"><![CDATA[confluence-users]]></property>
  <property name="active">true</property>
  <property name="local">false</property>
  <property name="type" enum-class="GroupType" package="com.atlassian.crowd.model.group">GROUP</property>
  <property name="directory" class="DirectoryImpl" package="com.atlassian.crowd.model.directory"><id name="id">98305</id></property>
</object>
<object class="Space" package="com.atlassian.confluence.spaces">
  <id name="id">294913</id>
  <property name="name"><![CDATA[Engineering]]></property>
  <property name="key"><![CDATA[ENG]]></property>
  <property name="creator" class="ConfluenceUserImpl" package="com.atlassian.confluence.user"><id name="key"><![CDATA[${ALICE_KEY}]]></id></property>
</object>
<object class="SpacePermission" package="com.atlassian.confluence.security">
  <id name="id">327681</id>
  <property name="space" class="Space" package="com.atlassian.confluence.spaces"><id name="id">294913</id></property>
  <property name="type"><![CDATA[VIEWSPACE]]></property>
  <property name="group"><![CDATA[confluence-users]]></property>
</object>
<object class="SpacePermission" package="com.atlassian.confluence.security">
  <id name="id">327682</id>
  <property name="type"><![CDATA[USECONFLUENCE]]></property>
  <property name="group"><![CDATA[confluence-users]]></property>
</object>
<object class="SpacePermission" package="com.atlassian.confluence.security">
  <id name="id">327683</id>
  <property name="space" class="Space" package="com.atlassian.confluence.spaces"><id name="id">294913</id></property>
  <property name="type"><![CDATA[EDITSPACE]]></property>
  <property name="userSubject" class="ConfluenceUserImpl" package="com.atlassian.confluence.user"><id name="key"><![CDATA[${ALICE_KEY}]]></id></property>
</object>
<object class="SpacePermission" package="com.atlassian.confluence.security">
  <id name="id">327684</id>
  <property name="space" class="Space" package="com.atlassian.confluence.spaces"><id name="id">294913</id></property>
  <property name="type"><![CDATA[VIEWSPACE]]></property>
  <property name="allUsersSubject"><![CDATA[anonymous-users]]></property>
</object>
<object class="Page" package="com.atlassian.confluence.pages">
  <id name="id">360449</id>
  <property name="title"><![CDATA[Runbook]]></property>
  <property name="space" class="Space" package="com.atlassian.confluence.spaces"><id name="id">294913</id></property>
  <property name="creator" class="ConfluenceUserImpl" package="com.atlassian.confluence.user"><id name="key"><![CDATA[${ALICE_KEY}]]></id></property>
  <property name="lastModifier" class="ConfluenceUserImpl" package="com.atlassian.confluence.user"><id name="key"><![CDATA[${ALICE_KEY}]]></id></property>
</object>
<object class="BodyContent" package="com.atlassian.confluence.core">
  <id name="id">393217</id>
  <property name="body"><![CDATA[<p>Ask <ac:link><ri:user ri:userkey="${ALICE_KEY}" /></ac:link> or <ac:link><ri:user ri:username="bob" /></ac:link>, not <ri:user ri:userkey="${ALICE_KEY}"/> again</p>]]></property>
  <property name="content" class="Page" package="com.atlassian.confluence.pages"><id name="id">360449</id></property>
  <property name="bodyType">2</property>
</object>
</hibernate-generic>
`;

// --- harness ----------------------------------------------------------------------------------------

function recordingSink(): { sink: RecordingSink; recorded: RecordingSink } {
  const sink = new RecordingSink();
  return { sink, recorded: sink };
}

function writeEntities(xml: string): string {
  const file = path.join(tempDir(), 'entities.xml');
  fs.writeFileSync(file, xml);
  return file;
}

const writeExportZip = (xml: string): Promise<string> =>
  writeZip(path.join(tempDir(), 'Confluence-backup.zip'), { 'exportDescriptor.properties': '<exportDescriptor/>', 'entities.xml': xml });

async function read(xml: string): Promise<RecordingSink> {
  const { sink, recorded } = recordingSink();
  await readConfluenceBackup(writeEntities(xml), sink);
  return recorded;
}

async function readError(xml: string): Promise<{ file: string; message: string }> {
  const file = writeEntities(xml);
  const { sink } = recordingSink();
  const error = await readConfluenceBackup(file, sink).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Error);
  expect((error as { kind?: string }).kind).toBe('input');
  return { file, message: (error as Error).message };
}

// --- tests ------------------------------------------------------------------------------------------

describe('readConfluenceBackup', () => {
  it('reads users, user keys, groups and spaces of a site export', async () => {
    const recorded = await read(SITE_EXPORT);
    expect(recorded.directories).toEqual([
      { id: '98305', name: 'Confluence Internal Directory', position: 0, active: true, type: 'INTERNAL' },
    ]);
    expect(recorded.users).toEqual([
      {
        directoryId: '98305',
        userName: 'alice',
        active: true,
        displayName: 'Alice Able',
        email: ' alice@example.com ',
        updated: '2024-05-01 10:00:00.000',
      },
    ]);
    expect(recorded.userKeys).toEqual([
      { userKey: ALICE_KEY, lowerUserName: 'alice' },
      { userKey: BOB_KEY, lowerUserName: 'bob' },
    ]);
    expect(recorded.groups).toEqual([{ directoryId: '98305', name: 'confluence-users' }]);
    expect(recorded.containers).toEqual([{ kind: 'confluence-space', key: 'ENG', name: 'Engineering', ref: 'space:294913' }]);
  });

  it('reads the same export from a zip and reports progress against the uncompressed size', async () => {
    const file = await writeExportZip(SITE_EXPORT);
    const { sink, recorded } = recordingSink();
    const progress: Array<[number, number]> = [];
    await readConfluenceBackup(file, sink, (bytes, total) => progress.push([bytes, total]));
    expect(recorded.users.map((u) => u.userName)).toEqual(['alice']);
    expect(recorded.containers.map((c) => c.key)).toEqual(['ENG']);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toEqual([SITE_EXPORT.length, Buffer.byteLength(SITE_EXPORT)]);
  });

  it('resolves user and nested group memberships to names and the parent group directory', async () => {
    const recorded = await read(
      document(
        directory('98305', 'Internal'),
        user('163841', 'alice'),
        user('163842', 'bob', '98305', plain('active', '0')),
        group('196609', 'confluence-users'),
        group('196610', 'developers'),
        membership('229377', '196609', { user: '163841' }),
        membership('229378', '196609', { group: '196610' }),
        membership('229379', '196610', { user: '163842' }),
      ),
    );
    expect(recorded.users.map((u) => [u.userName, u.active])).toEqual([
      ['alice', true],
      ['bob', false],
    ]);
    expect(recorded.memberships).toEqual([
      { directoryId: '98305', parent: 'confluence-users', child: 'alice', childIsGroup: false },
      { directoryId: '98305', parent: 'confluence-users', child: 'developers', childIsGroup: true },
      { directoryId: '98305', parent: 'developers', child: 'bob', childIsGroup: false },
    ]);
  });

  it('resolves memberships that appear before the users and groups they name', async () => {
    const recorded = await read(
      document(
        membership('229377', '196609', { user: '163841' }),
        membership('229378', '196609', { group: '196610' }),
        group('196610', 'developers', '98306'),
        user('163841', 'alice', '98306'),
        group('196609', 'confluence-users', '98306'),
      ),
    );
    expect(recorded.memberships).toEqual(
      expect.arrayContaining([
        { directoryId: '98306', parent: 'confluence-users', child: 'alice', childIsGroup: false },
        { directoryId: '98306', parent: 'confluence-users', child: 'developers', childIsGroup: true },
      ]),
    );
    expect(recorded.memberships).toHaveLength(2);
  });

  it('orders directories by the application directory mappings, unmapped ones last in document order', async () => {
    const recorded = await read(
      document(
        directory('10', 'LDAP'),
        directory('20', 'Internal'),
        directory('30', 'Unmapped A'),
        directory('40', 'Unmapped B'),
        object('DirectoryMapping', '2', ref('directory', 'DirectoryImpl', '10')),
        object(
          'ApplicationImpl',
          '1',
          prop('name', 'confluence'),
          '<collection name="directoryMappings" class="java.util.List">' +
            '<element class="DirectoryMapping" package="x"><id name="id">3</id></element>' +
            '<element class="DirectoryMapping" package="x"><id name="id">2</id></element>' +
            '</collection>',
        ),
        object('DirectoryMapping', '3', ref('directory', 'DirectoryImpl', '20')),
      ),
    );
    const positions = Object.fromEntries(recorded.directories.map((d) => [d.name, d.position]));
    expect(positions).toEqual({ Internal: 0, LDAP: 1, 'Unmapped A': 2, 'Unmapped B': 3 });
  });

  it('falls back to the position property, then document order, when there is no application', async () => {
    const recorded = await read(
      document(
        directory('10', 'Second', plain('position', '1')),
        directory('20', 'No position'),
        directory('30', 'First', plain('position', '0')),
      ),
    );
    const positions = Object.fromEntries(recorded.directories.map((d) => [d.name, d.position]));
    expect(positions).toEqual({ First: 0, Second: 1, 'No position': 2 });
  });

  it('reads directory activity from true/false and 1/0', async () => {
    const recorded = await read(
      document(
        object('DirectoryImpl', '1', prop('name', 'A'), plain('active', 'false'), plain('type', 'CONNECTOR')),
        object('DirectoryImpl', '2', prop('name', 'B'), plain('active', '1'), plain('type', 'INTERNAL')),
      ),
    );
    expect(recorded.directories.map((d) => [d.name, d.active, d.type])).toEqual([
      ['A', false, 'CONNECTOR'],
      ['B', true, 'INTERNAL'],
    ]);
  });

  it('emits global grants without a space, space grants with the space key, and skips anonymous ones', async () => {
    const recorded = await read(SITE_EXPORT);
    expect(recorded.grants).toEqual([
      { subjectType: 'group', subject: 'confluence-users', permission: 'VIEWSPACE', scope: 'space', scopeKey: 'ENG' },
      { subjectType: 'group', subject: 'confluence-users', permission: 'USECONFLUENCE', scope: 'global', scopeKey: '' },
      { subjectType: 'user', subject: ALICE_KEY, permission: 'EDITSPACE', scope: 'space', scopeKey: 'ENG' },
    ]);
  });

  it('resolves a space permission that comes before its space, and keeps one whose space is missing', async () => {
    const recorded = await read(
      document(
        object('SpacePermission', '1', ref('space', 'Space', '7'), prop('type', 'VIEWSPACE'), prop('group', 'g')),
        object('SpacePermission', '2', ref('space', 'Space', '8'), prop('type', 'EDITSPACE'), prop('group', 'g')),
        object('Space', '7', prop('name', 'Seven'), prop('key', 'SEV')),
      ),
    );
    expect(recorded.grants).toEqual([
      { subjectType: 'group', subject: 'g', permission: 'VIEWSPACE', scope: 'space', scopeKey: 'SEV' },
      { subjectType: 'group', subject: 'g', permission: 'EDITSPACE', scope: 'space', scopeKey: '' },
    ]);
  });

  it('records creators, modifiers, permission subjects and deduplicated mentions as references', async () => {
    const recorded = await read(SITE_EXPORT);
    expect(recorded.references).toEqual([
      { userKey: ALICE_KEY, kind: 'space-creator', containerRef: 'space:294913', item: 'Engineering' },
      { userKey: ALICE_KEY, kind: 'space-permission', containerRef: 'space:294913', item: 'EDITSPACE' },
      // the page's lastModifier is its creator: one reference only
      { userKey: ALICE_KEY, kind: 'page-creator', itemRef: 'content:360449' },
      { userKey: ALICE_KEY, kind: 'mention', itemRef: 'content:360449' },
      { userKey: BOB_KEY, kind: 'mention', itemRef: 'content:360449' },
    ]);
    expect(recorded.places).toEqual([{ ref: 'content:360449', containerRef: 'space:294913', item: 'Runbook' }]);
  });

  it('resolves legacy username mentions after the stream, falling back to the username', async () => {
    const body = cdata('<ri:user ri:username="carol"/><ri:user ri:username="Carol"/><ri:user ri:username="ghost"/>');
    const recorded = await read(
      document(
        object('BodyContent', '9', `<property name="body">${body}</property>`, ref('content', 'Page', '5')),
        confluenceUser('carolkey', 'Carol'),
      ),
    );
    expect(recorded.references).toEqual([
      { userKey: 'carolkey', kind: 'mention', itemRef: 'content:5' },
      { userKey: 'ghost', kind: 'mention', itemRef: 'content:5' },
    ]);
  });

  it('reads a body written as escaped text in several pieces', async () => {
    const recorded = await read(
      document(
        object(
          'BodyContent',
          '9',
          `<property name="body">&lt;ri:user ri:userkey="k1"/&gt;${cdata('<ri:user ri:userkey="k2"/>')}&lt;ri:user ri:userkey='k3'/&gt;</property>`,
          ref('content', 'Page', '5'),
        ),
      ),
    );
    expect(recorded.references.map((r) => r.userKey)).toEqual(['k1', 'k2', 'k3']);
  });

  it('places comments under their page so that the workspace resolves them to the space key', async () => {
    const xml = document(
      object('Comment', '500', ref('containerContent', 'Page', '400'), userRef('creator', 'k-comment'), userRef('lastModifier', 'k-editor')),
      object('Comment', '501', ref('owner', 'BlogPost', '401'), userRef('creator', 'k-old')),
      object('Page', '400', prop('title', 'Runbook'), ref('space', 'Space', '300'), userRef('creator', 'k-page')),
      object('BlogPost', '401', prop('title', 'News'), ref('space', 'Space', '301'), userRef('creator', 'k-blog'), userRef('lastModifier', 'k-blog2')),
      object('Space', '300', prop('name', 'Engineering'), prop('key', 'ENG')),
      object('Space', '301', prop('name', 'Marketing'), prop('key', 'MKT')),
    );
    const file = writeEntities(xml);
    const workspace = openWorkspace(tempDir());
    try {
      await replaceSnapshot(
        workspace,
        { name: 'confluence', kind: 'confluence-backup', location: file, product: 'confluence' },
        (sink) => readConfluenceBackup(file, sink),
      );
      const rows = workspace.db.prepare('SELECT user_key, kind, container, item FROM resolved_refs ORDER BY user_key').all();
      expect(rows).toEqual([
        { user_key: 'k-blog', kind: 'blogpost-creator', container: 'MKT', item: 'News' },
        { user_key: 'k-blog2', kind: 'blogpost-modifier', container: 'MKT', item: 'News' },
        { user_key: 'k-comment', kind: 'comment-creator', container: 'ENG', item: 'comment 500' },
        { user_key: 'k-editor', kind: 'comment-modifier', container: 'ENG', item: 'comment 500' },
        { user_key: 'k-old', kind: 'comment-creator', container: 'MKT', item: 'comment 501' },
        { user_key: 'k-page', kind: 'page-creator', container: 'ENG', item: 'Runbook' },
      ]);
    } finally {
      workspace.close();
    }
  });

  it('stores the whole site export in the workspace, space permission references resolved', async () => {
    const file = await writeExportZip(SITE_EXPORT);
    const workspace = openWorkspace(tempDir());
    try {
      const counts = await replaceSnapshot(
        workspace,
        { name: 'confluence', kind: 'confluence-backup', location: file, product: 'confluence' },
        (sink) => readConfluenceBackup(file, sink),
      );
      expect(counts).toMatchObject({ directories: 1, users: 1, userKeys: 2, groups: 1, grants: 3, containers: 1, references: 5 });
      const rows = workspace.db.prepare("SELECT container, item FROM resolved_refs WHERE kind = 'space-permission'").all();
      expect(rows).toEqual([{ container: 'ENG', item: 'EDITSPACE' }]);
    } finally {
      workspace.close();
    }
  });

  it('ignores unknown classes and properties, however large', async () => {
    const big = 'x'.repeat(200_000);
    const recorded = await read(
      document(
        object('Attachment', '1', prop('fileName', big), `<collection name="labels" class="java.util.List"><element class="L" package="p"><id name="id">3</id></element></collection>`),
        object('InternalUser', '2', prop('name', 'alice'), prop('credential', big), ref('directory', 'DirectoryImpl', '1')),
        '<object class="ContentProperty" package="p"><composite-id><property name="a" type="long">1</property></composite-id></object>',
      ),
    );
    expect(recorded.users.map((u) => u.userName)).toEqual(['alice']);
  });

  it('treats an empty self-closing property as an empty string', async () => {
    const recorded = await read(
      document(object('InternalUser', '2', prop('name', 'alice'), '<property name="emailAddress"/>', '<property name="displayName"/>')),
    );
    expect(recorded.users[0]).toMatchObject({ email: '', displayName: '', directoryId: '', updated: '' });
  });
});

describe('readConfluenceBackup on bad input', () => {
  it('names the file, the membership and the missing group', async () => {
    const { file, message } = await readError(
      document(user('163841', 'alice'), membership('229377', '196699', { user: '163841' })),
    );
    expect(message).toContain(file);
    expect(message).toContain('HibernateMembership 229377');
    expect(message).toContain('names group 196699, which the backup does not contain');
    expect(message).toMatch(/\(line \d+\)/);
  });

  it('names the missing user of a membership', async () => {
    const { message } = await readError(document(group('196609', 'g'), membership('229377', '196609', { user: '999' })));
    expect(message).toContain('names user 999, which the backup does not contain');
  });

  it('rejects a document whose root is not hibernate-generic', async () => {
    const { file, message } = await readError('<?xml version="1.0"?>\n<entity-engine-xml date="1">\n<User id="1"/>\n</entity-engine-xml>\n');
    expect(message).toBe(
      `${file}: not a Confluence backup (the root element is <entity-engine-xml>; a Confluence site export starts with <hibernate-generic>)`,
    );
  });

  it('reports malformed XML with its line', async () => {
    const { file, message } = await readError(
      document(user('1', 'alice'), '<object class="InternalGroup"><id name="id">2</id><property name="name">g</property></objet>'),
    );
    expect(message).toContain(file);
    expect(message).toMatch(/malformed XML at line 9, column \d+: unexpected close tag/);
  });

  it('reports an object without an id at its line', async () => {
    const { message } = await readError(document('<object class="Page" package="p">\n<property name="title">x</property>\n</object>'));
    expect(message).toMatch(/entities\.xml: line 3: the Page object has no <id>$/);
  });

  it('reports a user or group without a name', async () => {
    expect((await readError(document(object('InternalUser', '7', plain('active', 'true'))))).message).toMatch(
      /line 3: InternalUser 7 has no name$/,
    );
    expect((await readError(document(object('InternalGroup', '8', '<property name="name"/>')))).message).toMatch(
      /line 3: InternalGroup 8 has no name$/,
    );
  });

  it('reports a membership without a parent group or without a member', async () => {
    expect((await readError(document(object('HibernateMembership', '5', ref('userMember', 'InternalUser', '1'))))).message).toContain(
      'HibernateMembership 5 has no parentGroup',
    );
    expect((await readError(document(object('HibernateMembership', '6', ref('parentGroup', 'InternalGroup', '1'))))).message).toContain(
      'HibernateMembership 6 has neither a userMember nor a groupMember',
    );
  });
});
