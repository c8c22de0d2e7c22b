/**
 * Small hand-written backups for scoping tests: a Jira entities.xml in which every reference kind the
 * reader collects names its own user in project APO, a project BET for a second wave, a service desk HELP
 * with customers, a MIG-2590-shaped group (`staff`: one scoped user among 1,156), nested groups, a deleted
 * and an inactive-directory user; and a Confluence export whose space ENG names users in every way.
 */
import fs from 'node:fs';
import path from 'node:path';

/** User (name) → the reference kind that names them in APO, as the plan's reasons phrase it. */
export const JIRA_KIND_USERS: Record<string, string> = {
  ann: 'reporter of',
  bob: 'assignee of',
  cid: 'creator of',
  dan: 'author of 1 comment',
  eve: 'author of 1 worklog',
  fay: 'watcher of',
  gus: 'voter on',
  hal: 'author of 1 change',
  ivy: 'named in the field "Approver"',
  jon: 'lead of project APO',
  kim: 'lead of component "Backend"',
  lee: 'in the role Administrators of APO',
  mia: 'granted ADMINISTER_PROJECTS in APO',
  nat: 'author of 1 attachment',
};

export const STAFF_SIZE = 1156;
export const staffMember = (i: number) => `s${String(i).padStart(4, '0')}`;

const licensed = [...Object.keys(JIRA_KIND_USERS), 'oli', 'pat', 'rt1', 'rt2', 'aa1'];

export function jiraScopeXml(): string {
  const users = [...licensed, 'agent', 'cus1', 'cus2'];
  for (let i = 1; i < STAFF_SIZE; i++) users.push(staffMember(i));
  const rows: string[] = [
    '<Directory id="1" directoryName="Internal" active="1" type="INTERNAL" position="0"/>',
    '<Directory id="2" directoryName="Legacy" active="0" type="CROWD" position="1"/>',
    ...users.map((name, i) => `<User id="${i + 1}" directoryId="1" userName="${name}" active="1" emailAddress="${name}@example.com"/>`),
    '<User id="9001" directoryId="2" userName="old" active="1" emailAddress="old@example.com"/>',
    '<ApplicationUser id="9100" userKey="JIRAUSER99" lowerUserName="ghost"/>',
  ];
  const groups = ['jira-software-users', 'jira-servicedesk-users', 'jira-developers', 'eng', 'role-team', 'apo-admins', 'staff', 'bet-team'];
  rows.push(...groups.map((g) => `<Group groupName="${g}" directoryId="1"/>`));
  const member = (group: string, name: string) => `<Membership membershipType="GROUP_USER" parentName="${group}" childName="${name}" directoryId="1"/>`;
  rows.push(...licensed.map((name) => member('jira-software-users', name)));
  rows.push(member('jira-servicedesk-users', 'agent'));
  rows.push('<Membership membershipType="GROUP_GROUP" parentName="jira-developers" childName="eng" directoryId="1"/>');
  rows.push(member('eng', 'bob'), member('role-team', 'rt1'), member('role-team', 'rt2'), member('apo-admins', 'aa1'), member('bet-team', 'oli'), member('bet-team', 'ann'));
  rows.push(member('staff', 'ann'));
  for (let i = 1; i < STAFF_SIZE; i++) rows.push(member('staff', staffMember(i)));
  rows.push(
    '<LicenseRoleGroup id="1" licenseRoleName="jira-software" groupId="jira-software-users"/>',
    '<LicenseRoleGroup id="2" licenseRoleName="jira-servicedesk" groupId="jira-servicedesk-users"/>',
    '<Project id="10000" key="APO" name="Apollo" lead="jon" projecttype="software"/>',
    '<Project id="10001" key="BET" name="Beta" lead="oli" projecttype="software"/>',
    '<Project id="10002" key="HELP" name="Help desk" lead="agent" projecttype="service_desk"/>',
    '<Component id="1" project="10000" name="Backend" lead="kim"/>',
    '<ProjectRole id="10001" name="Developers"/>',
    '<ProjectRole id="10002" name="Administrators"/>',
    '<ProjectRoleActor id="1" pid="10000" projectroleid="10002" roletype="atlassian-user-role-actor" roletypeparameter="lee"/>',
    '<ProjectRoleActor id="2" pid="10000" projectroleid="10001" roletype="atlassian-group-role-actor" roletypeparameter="role-team"/>',
    '<ProjectRoleActor id="3" pid="10001" projectroleid="10001" roletype="atlassian-group-role-actor" roletypeparameter="bet-team"/>',
    '<PermissionScheme id="10000" name="APO scheme"/>',
    '<SchemePermissions id="1" scheme="10000" permissionKey="ADMINISTER_PROJECTS" type="user" parameter="mia"/>',
    '<SchemePermissions id="2" scheme="10000" permissionKey="BROWSE_PROJECTS" type="group" parameter="apo-admins"/>',
    '<NodeAssociation sourceNodeId="10000" sourceNodeEntity="Project" sinkNodeId="10000" sinkNodeEntity="PermissionScheme" associationType="ProjectScheme"/>',
    '<CustomField id="10100" customfieldtypekey="com.atlassian.jira.plugin.system.customfieldtypes:userpicker" name="Approver"/>',
    '<Issue id="100" project="10000" key="APO-1" number="1" reporter="ann" assignee="bob" creator="cid"/>',
    '<Issue id="101" project="10000" key="APO-2" number="2" reporter="JIRAUSER99" assignee="old" creator="JIRAUSER99"/>',
    '<Issue id="102" project="10000" key="APO-3" number="3" reporter="ann" assignee="bob"/>',
    '<Action id="1" issue="100" type="comment" author="dan"/>',
    '<Worklog id="1" issue="100" author="eve"/>',
    '<UserAssociation sourceName="fay" sinkNodeId="100" sinkNodeEntity="Issue" associationType="WatchIssue"/>',
    '<UserAssociation sourceName="gus" sinkNodeId="100" sinkNodeEntity="Issue" associationType="VoteIssue"/>',
    '<ChangeGroup id="1" issue="100" author="hal"/>',
    '<CustomFieldValue id="1" issue="100" customfield="10100" stringvalue="ivy"/>',
    '<FileAttachment id="1" issue="100" author="nat"/>',
    '<Issue id="200" project="10001" key="BET-1" number="1" reporter="pat" assignee="ann"/>',
    '<Issue id="300" project="10002" key="HELP-1" number="1" reporter="cus1" assignee="agent"/>',
    '<Issue id="301" project="10002" key="HELP-2" number="2" reporter="agent"/>',
    '<Issue id="302" project="10002" key="HELP-3" number="3" reporter="cus2"/>',
  );
  return `<entity-engine-xml>\n${rows.join('\n')}\n</entity-engine-xml>\n`;
}

// --- Confluence ------------------------------------------------------------------------------------------

const cdata = (value: string) => `<![CDATA[${value}]]>`;
const prop = (name: string, value: string) => `<property name="${name}">${cdata(value)}</property>`;
const plain = (name: string, value: string) => `<property name="${name}">${value}</property>`;
const ref = (name: string, cls: string, id: string) => `<property name="${name}" class="${cls}" package="com.example"><id name="id">${id}</id></property>`;
const userRef = (name: string, key: string) =>
  `<property name="${name}" class="ConfluenceUserImpl" package="com.atlassian.confluence.user"><id name="key">${cdata(key)}</id></property>`;
const object = (cls: string, id: string, ...members: string[]) => `<object class="${cls}" package="com.example">\n  <id name="id">${id}</id>\n  ${members.join('\n  ')}\n</object>`;
const key = (name: string) => `key-${name}`;

/** User (name) → how space ENG names them. */
export const CONFLUENCE_KIND_USERS: Record<string, string> = {
  pia: 'holds 1 permission (VIEWSPACE) on space ENG',
  quin: 'on space ENG through the group wiki-team',
  rae: 'creator of 1 page in ENG',
  sam: 'last modifier of 1 page in ENG',
  tom: 'author of 1 comment in ENG',
  uma: 'mentioned on 1 page or comment in ENG',
  wes: 'creator of space ENG',
};

export function confluenceScopeXml(): string {
  const names = [...Object.keys(CONFLUENCE_KIND_USERS), 'ann', 'vic'];
  const objects = [object('DirectoryImpl', '1', prop('name', 'Confluence Internal Directory'), plain('active', 'true'), plain('type', 'INTERNAL'))];
  names.forEach((name, i) => {
    objects.push(
      `<object class="ConfluenceUserImpl" package="com.atlassian.confluence.user">\n  <id name="key">${cdata(key(name))}</id>\n  ${prop('name', name)}\n  ${prop('lowerName', name)}\n</object>`,
      object('InternalUser', String(100 + i), prop('name', name), plain('active', 'true'), prop('emailAddress', `${name}@example.com`), ref('directory', 'DirectoryImpl', '1')),
    );
  });
  objects.push(
    object('InternalGroup', '500', prop('name', 'wiki-team'), plain('active', 'true'), ref('directory', 'DirectoryImpl', '1')),
    object('HibernateMembership', '501', ref('parentGroup', 'InternalGroup', '500'), ref('userMember', 'InternalUser', String(100 + names.indexOf('quin')))),
    object('Space', '1000', prop('name', 'Engineering'), prop('key', 'ENG'), userRef('creator', key('wes'))),
    object('Space', '1001', prop('name', 'Operations'), prop('key', 'OPS')),
    object('SpacePermission', '1100', ref('space', 'Space', '1000'), prop('type', 'VIEWSPACE'), userRef('userSubject', key('pia'))),
    object('SpacePermission', '1101', ref('space', 'Space', '1000'), prop('type', 'VIEWSPACE'), prop('group', 'wiki-team')),
    object('Page', '2000', prop('title', 'Runbook'), ref('space', 'Space', '1000'), userRef('creator', key('rae')), userRef('lastModifier', key('sam'))),
    object('Comment', '3000', ref('containerContent', 'Page', '2000'), userRef('creator', key('tom'))),
    object('BodyContent', '4000', prop('body', `<p>ask <ac:link><ri:user ri:userkey="${key('uma')}"/></ac:link></p>`), ref('content', 'Page', '2000')),
    object('Page', '2001', prop('title', 'Pager'), ref('space', 'Space', '1001'), userRef('creator', key('vic'))),
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n<hibernate-generic datetime="2026-11-29 10:00:00">\n${objects.join('\n')}\n</hibernate-generic>\n`;
}

/** Writes both backups into dir; returns their scan specs. */
export function writeScopeBackups(dir: string): { jira: string; confluence: string } {
  const jira = path.join(dir, 'jira-entities.xml');
  const confluence = path.join(dir, 'confluence-entities.xml');
  fs.writeFileSync(jira, jiraScopeXml());
  fs.writeFileSync(confluence, confluenceScopeXml());
  return { jira: `jira-backup:${jira}`, confluence: `confluence-backup:${confluence}` };
}
