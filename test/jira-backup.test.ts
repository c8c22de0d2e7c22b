import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJiraBackup } from '../src/sources/jira-backup.js';
import { buildEstate } from '../src/assess/estate.js';
import { loadEstate } from '../src/workspace/estate-loader.js';
import { replaceSnapshot } from '../src/workspace/snapshot-store.js';
import { openWorkspace } from '../src/workspace/workspace.js';
import { tempDir, writeZip } from './support/files.js';
import { RecordingSink } from './support/recording-sink.js';

const ENTITIES = `<?xml version="1.0" encoding="UTF-8"?>
<!-- Exported by Jira; application properties may hold secrets: jira.secret=s3cr3t -->
<entity-engine-xml date="1578247564358">
    <Action id="10100" issue="10001" author="JIRAUSER10001" type="comment"><body><![CDATA[Looks good
to me]]></body></Action>
    <ApplicationUser id="10000" userKey="admin" lowerUserName="admin"/>
    <ApplicationUser id="10001" userKey="JIRAUSER10001" lowerUserName="bob"/>
    <ApplicationUser id="10002" userKey="JIRAUSER10002" lowerUserName="gone"/>
    <ChangeGroup id="10000" issue="10001" author="admin" created="2011-06-07 17:09:14.668"/>
    <Component id="10000" project="10000" name="Server" lead="JIRAUSER10001"/>
    <CustomField id="10200" customfieldtypekey="com.atlassian.jira.plugin.system.customfieldtypes:userpicker" name="Reviewer"/>
    <CustomField id="10300" customfieldtypekey="com.atlassian.jira.plugin.system.customfieldtypes:textfield" name="Notes"/>
    <CustomFieldValue id="1" issue="10001" customfield="10200" stringvalue="JIRAUSER10002"/>
    <CustomFieldValue id="2" issue="10001" customfield="10300" stringvalue="not a user"/>
    <Directory id="1" directoryName="Jira Internal Directory" active="1" type="INTERNAL" position="0"/>
    <Directory id="10000" directoryName="LDAP" active="1" type="CONNECTOR" position="1"/>
    <GlobalPermissionEntry id="10000" permission="ADMINISTER" group_id="jira-administrators"/>
    <GlobalPermissionEntry id="10001" permission="USE" group_id=""/>
    <Group id="10000" groupName="jira-administrators" lowerGroupName="jira-administrators" active="1" directoryId="1"/>
    <Group id="10001" groupName="jira-software-users" lowerGroupName="jira-software-users" active="1" directoryId="1"/>
    <Group id="10002" groupName="team" lowerGroupName="team" active="1" directoryId="1"/>
    <Issue id="10001" project="10000" number="12" reporter="admin" assignee="JIRAUSER10002" creator="admin"/>
    <LicenseRoleGroup id="10000" licenseRoleName="jira-software" groupId="jira-software-users" primaryGroup="Y"/>
    <Membership id="10000" parentId="10000" childId="10000" membershipType="GROUP_USER" parentName="jira-administrators" childName="admin" directoryId="1"/>
    <Membership id="10001" parentId="10001" childId="10002" membershipType="GROUP_GROUP" parentName="jira-software-users" childName="team" directoryId="1"/>
    <Membership id="10002" parentId="10002" childId="10001" membershipType="GROUP_USER" parentName="team" childName="bob" directoryId="1"/>
    <PermissionScheme id="0" name="Default Permission Scheme"/>
    <Project id="10000" name="Test Project" lead="admin" key="TST"/>
    <ProjectRole id="10002" name="Administrators"/>
    <ProjectRoleActor id="10010" pid="10000" projectroleid="10002" roletype="atlassian-group-role-actor" roletypeparameter="jira-administrators"/>
    <ProjectRoleActor id="10011" pid="10000" projectroleid="10002" roletype="atlassian-user-role-actor" roletypeparameter="JIRAUSER10001"/>
    <SchemePermissions id="10000" permission="0" type="group" parameter="jira-administrators"/>
    <SchemePermissions id="10004" scheme="0" permission="23" type="group" parameter="Jira Users Old" permissionKey="ADMINISTER_PROJECTS"/>
    <SchemePermissions id="10005" scheme="0" permission="10" type="user" parameter="JIRAUSER10001" permissionKey="BROWSE_PROJECTS"/>
    <SearchRequest id="10000" name="My bugs" author="JIRAUSER10002" user="JIRAUSER10002"/>
    <User id="10000" directoryId="1" userName="admin" lowerUserName="admin" active="1" displayName="Admin" emailAddress="admin@example.com" credential="{PKCS5S2}secret"/>
    <User id="10001" directoryId="1" userName="Bob" lowerUserName="bob" active="0" displayName="Bob" emailAddress=" bob@example.com" updatedDate="2020-01-01 10:00:00.000"/>
    <UserAssociation sourceName="JIRAUSER10001" sinkNodeId="10001" sinkNodeEntity="Issue" associationType="WatchIssue"/>
    <Worklog id="1" issue="10001" author="JIRAUSER10001"/>
</entity-engine-xml>
`;

const ACTIVE_OBJECTS = `<?xml version="1.0" encoding="UTF-8"?>
<backup xmlns="http://www.atlassian.com/ao">
  <data tableName="AO_54307E_ORGANIZATION"><column name="ID"/><column name="NAME"/><row><integer>1</integer><string>Globex</string></row></data>
  <data tableName="AO_54307E_ORGANIZATION_MEMBER"><column name="ID"/><column name="ORGANIZATION_ID"/><column name="USER_KEY"/><row><integer>1</integer><integer>1</integer><string>JIRAUSER10001</string></row></data>
</backup>`;

async function read(entities: string, activeObjects?: string): Promise<RecordingSink> {
  const dir = tempDir();
  const file = await writeZip(path.join(dir, 'backup.zip'), {
    'entities.xml': entities,
    ...(activeObjects ? { 'activeobjects.xml': activeObjects } : {}),
  });
  const sink = new RecordingSink();
  await readJiraBackup(file, sink);
  return sink;
}

describe('the Jira backup reader', () => {
  it('reads directories, users, keys, groups and direct and nested memberships', async () => {
    const sink = await read(ENTITIES);
    expect(sink.directories.map((d) => [d.id, d.position, d.active])).toEqual([
      ['1', 0, true],
      ['10000', 1, true],
    ]);
    expect(sink.users).toEqual([
      { directoryId: '1', userName: 'admin', active: true, displayName: 'Admin', email: 'admin@example.com', updated: '' },
      { directoryId: '1', userName: 'Bob', active: false, displayName: 'Bob', email: ' bob@example.com', updated: '2020-01-01 10:00:00.000' },
    ]);
    expect(sink.userKeys.map((k) => k.userKey)).toEqual(['admin', 'JIRAUSER10001', 'JIRAUSER10002']);
    expect(sink.memberships).toContainEqual({ directoryId: '1', parent: 'jira-software-users', child: 'team', childIsGroup: true });
    expect(sink.memberships).toHaveLength(3);
  });

  it('never keeps credentials or the export header', async () => {
    const sink = await read(ENTITIES);
    expect(JSON.stringify(sink)).not.toMatch(/secret|PKCS5S2/);
  });

  it('reads global permissions, application roles, scheme grants and project roles', async () => {
    const sink = await read(ENTITIES);
    expect(sink.grants).toEqual(
      expect.arrayContaining([
        { subjectType: 'group', subject: 'jira-administrators', permission: 'ADMINISTER', scope: 'global', scopeKey: '' },
        { subjectType: 'group', subject: 'jira-software-users', permission: 'jira-software', scope: 'application', scopeKey: '' },
        { subjectType: 'group', subject: 'Jira Users Old', permission: 'ADMINISTER_PROJECTS', scope: 'permission-scheme', scopeKey: 'Default Permission Scheme' },
        { subjectType: 'user', subject: 'JIRAUSER10001', permission: 'BROWSE_PROJECTS', scope: 'permission-scheme', scopeKey: 'Default Permission Scheme' },
        { subjectType: 'group', subject: 'jira-administrators', permission: 'Administrators', scope: 'project-role', scopeKey: 'TST/Administrators' },
      ]),
    );
    // A global permission without a group means "anyone": no grant.
    expect(sink.grants.filter((g) => g.permission === 'USE')).toEqual([]);
  });

  it('resolves issue references to project and issue keys through the workspace', async () => {
    const dir = tempDir();
    const file = await writeZip(path.join(dir, 'backup.zip'), { 'entities.xml': ENTITIES, 'activeobjects.xml': ACTIVE_OBJECTS });
    const workspace = openWorkspace(path.join(dir, 'ws'));
    await replaceSnapshot(workspace, { name: 'jira', kind: 'jira-backup', location: file, product: 'jira' }, (sink) => readJiraBackup(file, sink));
    const rows = workspace.db.prepare('SELECT user_key AS key, kind, container, item FROM resolved_refs ORDER BY kind, key').all();
    workspace.close();
    expect(rows).toEqual(
      expect.arrayContaining([
        { key: 'JIRAUSER10001', kind: 'comment-author', container: 'TST', item: 'TST-12' },
        { key: 'JIRAUSER10002', kind: 'assignee', container: 'TST', item: 'TST-12' },
        { key: 'admin', kind: 'reporter', container: 'TST', item: 'TST-12' },
        { key: 'admin', kind: 'history-author', container: 'TST', item: 'TST-12' },
        { key: 'JIRAUSER10001', kind: 'watcher', container: 'TST', item: 'TST-12' },
        { key: 'JIRAUSER10001', kind: 'worklog-author', container: 'TST', item: 'TST-12' },
        { key: 'JIRAUSER10002', kind: 'user-picker:Reviewer', container: 'TST', item: 'TST-12' },
        { key: 'JIRAUSER10001', kind: 'component-lead', container: 'TST', item: 'Server' },
        { key: 'admin', kind: 'project-lead', container: 'TST', item: 'TST' },
        { key: 'JIRAUSER10001', kind: 'project-role', container: 'TST', item: 'Administrators' },
        { key: 'JIRAUSER10001', kind: 'permission-scheme-grant', container: '', item: 'Default Permission Scheme: BROWSE_PROJECTS' },
        { key: 'JIRAUSER10002', kind: 'filter-owner', container: '', item: 'My bugs' },
        { key: 'JIRAUSER10001', kind: 'jsm-organization-member', container: 'Globex', item: 'Globex' },
      ]),
    );
    expect(rows.filter((row) => (row as { kind: string }).kind.startsWith('user-picker'))).toHaveLength(1);
  });

  it('stores the same memberships through the workspace as by name, whatever the ids say', async () => {
    // Membership rows name their member by childId too; the workspace finds users that way, but only
    // where the User row spells the name as the membership does. Here: admin by id; Bob by id under a
    // different case ("bob"); carol by an id that is someone else's; dave by an id no row has; erin by none.
    const entities = `<?xml version="1.0" encoding="UTF-8"?>
<entity-engine-xml>
    <Directory id="1" directoryName="Jira Internal Directory" active="1" type="INTERNAL" position="0"/>
    <Group id="10000" groupName="team" lowerGroupName="team" active="1" directoryId="1"/>
    <Group id="10001" groupName="all" lowerGroupName="all" active="1" directoryId="1"/>
    <Membership id="1" parentId="10000" childId="10000" membershipType="GROUP_USER" parentName="team" childName="admin" directoryId="1"/>
    <Membership id="2" parentId="10000" childId="10001" membershipType="GROUP_USER" parentName="team" childName="bob" directoryId="1"/>
    <Membership id="3" parentId="10000" childId="10000" membershipType="GROUP_USER" parentName="team" childName="carol" directoryId="1"/>
    <Membership id="4" parentId="10000" childId="99999" membershipType="GROUP_USER" parentName="team" childName="dave" directoryId="1"/>
    <Membership id="5" parentId="10000" membershipType="GROUP_USER" parentName="team" childName="erin" directoryId="1"/>
    <Membership id="6" parentId="10001" childId="10000" membershipType="GROUP_GROUP" parentName="all" childName="team" directoryId="1"/>
    <Membership id="7" parentId="10001" childId="10002" membershipType="GROUP_USER" parentName="all" childName="carol" directoryId="1"/>
    <User id="10000" directoryId="1" userName="admin" lowerUserName="admin" active="1" emailAddress="admin@example.com"/>
    <User id="10001" directoryId="1" userName="Bob" lowerUserName="bob" active="1" emailAddress="bob@example.com"/>
    <User id="10002" directoryId="1" userName="carol" lowerUserName="carol" active="1" emailAddress="carol@example.com"/>
    <User id="10003" directoryId="1" userName="dave" lowerUserName="dave" active="1" emailAddress="dave@example.com"/>
    <User id="10004" directoryId="1" userName="erin" lowerUserName="erin" active="1" emailAddress="erin@example.com"/>
</entity-engine-xml>
`;
    const dir = tempDir();
    const file = await writeZip(path.join(dir, 'backup.zip'), { 'entities.xml': entities });
    const workspace = openWorkspace(path.join(dir, 'ws'));
    await replaceSnapshot(workspace, { name: 'jira', kind: 'jira-backup', location: file, product: 'jira' }, (sink) => readJiraBackup(file, sink));
    const estate = buildEstate(loadEstate(workspace.db));
    workspace.close();
    const source = estate.sources[0]!;
    const members = (group: string) => [...source.groupsByLowerName.get(group)!.directUsers].map((index) => source.users[index]!.userName);
    expect(members('team')).toEqual(['admin', 'Bob', 'carol', 'dave', 'erin']);
    expect(members('all')).toEqual(['carol']);
    expect([...source.flattened(source.groupsByLowerName.get('all')!)].length).toBe(5);
  });

  it('reads a bare entities.xml as well as a zip', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'entities.xml');
    fs.writeFileSync(file, ENTITIES);
    const sink = new RecordingSink();
    await readJiraBackup(file, sink);
    expect(sink.users).toHaveLength(2);
  });

  it('reads the real Jira 7.13.11 backup', async () => {
    const samples = process.env.USERMIG_SAMPLES;
    if (!samples) return; // the fixture lives outside the repository; .ci/run points at it
    const sink = new RecordingSink();
    await readJiraBackup(path.join(samples, 'atlassian.net-sdk', 'TestData_7.13.11.zip'), sink);
    expect(sink.users.map((u) => u.userName).sort()).toEqual(['admin', 'test']);
    expect(sink.groups.map((g) => g.name).sort()).toEqual(['jira-administrators', 'jira-developers', 'jira-users']);
    expect(sink.memberships).toHaveLength(5);
    expect(sink.grants.filter((g) => g.scope === 'application').map((g) => `${g.permission}:${g.subject}`).sort()).toEqual([
      'jira-core:jira-administrators',
      'jira-core:jira-users',
      'jira-software:jira-administrators',
      'jira-software:jira-users',
    ]);
  });
});

describe('bad Jira backups', () => {
  const failure = async (entities: string) => {
    try {
      await read(entities);
    } catch (error) {
      return error as Error & { kind?: string };
    }
    throw new Error('expected the read to fail');
  };

  it('names the line of an element missing a required attribute', async () => {
    const error = await failure('<entity-engine-xml>\n<User id="1" directoryId="1"/>\n</entity-engine-xml>');
    expect(error.kind).toBe('input');
    expect(error.message).toMatch(/backup\.zip!entities\.xml: line 2: <User> has no userName attribute/);
  });

  it('names the line of a membership whose group does not exist', async () => {
    const error = await failure(
      '<entity-engine-xml>\n<Group groupName="a" directoryId="1"/>\n<Membership membershipType="GROUP_USER" parentName="ghost" childName="bob" directoryId="1"/>\n</entity-engine-xml>',
    );
    expect(error.message).toMatch(/line 3: <Membership> names group "ghost" in directory 1, which the backup does not contain/);
  });

  it('accepts a membership that comes before its group', async () => {
    const sink = await read(
      '<entity-engine-xml>\n<Membership membershipType="GROUP_USER" parentName="late" childName="bob" directoryId="1"/>\n<Group groupName="Late" directoryId="1"/>\n</entity-engine-xml>',
    );
    expect(sink.memberships).toHaveLength(1);
  });

  it('reports malformed XML with its line and column', async () => {
    const error = await failure('<entity-engine-xml>\n<User userName="a" directoryId="1"\n<Group/>\n</entity-engine-xml>');
    expect(error.kind).toBe('input');
    expect(error.message).toMatch(/entities\.xml: malformed XML at line 3, column \d+/);
  });

  it('recognises a Confluence export given as a Jira backup', async () => {
    const error = await failure('<hibernate-generic datetime="2020-01-01 00:00:00"></hibernate-generic>');
    expect(error.message).toMatch(/not a Jira backup \(the root element is <hibernate-generic>/);
  });

  it('rejects a zip without entities.xml, a truncated zip, and a file that is no backup at all', async () => {
    const dir = tempDir();
    const noEntities = await writeZip(path.join(dir, 'other.zip'), { 'readme.txt': 'hello' });
    await expect(readJiraBackup(noEntities, new RecordingSink())).rejects.toThrow(/other\.zip: the zip has no entities\.xml \(it holds readme\.txt\)/);

    const whole = await writeZip(path.join(dir, 'whole.zip'), { 'entities.xml': ENTITIES.repeat(1) });
    const truncated = path.join(dir, 'truncated.zip');
    fs.writeFileSync(truncated, fs.readFileSync(whole).subarray(0, 400));
    await expect(readJiraBackup(truncated, new RecordingSink())).rejects.toThrow(/truncated\.zip: not a readable zip archive .*truncated or damaged/);

    // Damage inside the compressed data: the zip opens, but entities.xml cannot be inflated.
    const big = await writeZip(path.join(dir, 'big.zip'), { 'entities.xml': ENTITIES.repeat(1).replace('</entity-engine-xml>', `${'<Group groupName="g" directoryId="1"/>\n'.repeat(2000)}</entity-engine-xml>`) });
    const damaged = fs.readFileSync(big);
    for (let i = 200; i < 600; i++) damaged[i] = (damaged[i] as number) ^ 0x5a;
    const damagedFile = path.join(dir, 'damaged.zip');
    fs.writeFileSync(damagedFile, damaged);
    await expect(readJiraBackup(damagedFile, new RecordingSink())).rejects.toThrow(/damaged\.zip!entities\.xml: (the file is truncated or damaged|malformed XML)/);

    const png = path.join(dir, 'picture.png');
    fs.writeFileSync(png, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
    await expect(readJiraBackup(png, new RecordingSink())).rejects.toThrow(/picture\.png: not an XML backup/);

    await expect(readJiraBackup(path.join(dir, 'missing.zip'), new RecordingSink())).rejects.toThrow(/missing\.zip: no such file/);
  });
});
