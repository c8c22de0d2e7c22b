/**
 * Writes the Jira half of an estate as Jira's backup writes it (SOURCES.md §5.1): entities.xml with one
 * element per row, attributes named as in a real Jira 7/8 export, element kinds grouped and sorted by
 * name, long text as CDATA child elements; and activeobjects.xml holding JSM organizations. Both are
 * produced line by line, so their size is not limited by memory.
 */
import type { Estate, JiraEstate, People } from './estate-types.js';
import { hash32, pseudoUuid } from './random.js';
import { EXPORT_TIME_MS, HISTORY_START_MS, formatTimestamp } from './vocabulary.js';
import { attr, attributes, cdata } from './xml-text.js';

const INDENT = '    ';
const USER_PICKER_FIELD = 10200;
const YEAR_MS = 365 * 24 * 3600 * 1000;

type Row = readonly (readonly [string, string | number | undefined])[];
const element = (name: string, row: Row) => `${INDENT}<${name}${attributes(row)}/>\n`;

/** Deterministic timestamps for a row: created somewhen in the estate's history, updated later. */
function stamps(seed: number, label: string, id: number): [string, string] {
  const span = EXPORT_TIME_MS - HISTORY_START_MS - YEAR_MS;
  const created = HISTORY_START_MS + (hash32(seed, label, id) % Math.floor(span / 1000)) * 1000 + (id % 1000);
  const updated = created + (hash32(seed, label, id, 'u') % Math.floor(YEAR_MS / 1000)) * 1000;
  return [formatTimestamp(created), formatTimestamp(updated)];
}

/** How many lines entities.xml will have (for progress). */
export function jiraEntityLineCount(jira: JiraEstate): number {
  return (
    jira.entries.length +
    jira.appUsers.length +
    jira.groups.length +
    jira.memberships.count +
    jira.groupLinks.length +
    jira.issues.count * 1 +
    jira.comments.count +
    jira.worklogs.count +
    jira.changeGroups.count +
    jira.watchers.count +
    jira.voters.count +
    jira.userPickerValues.count +
    200
  );
}

export function* jiraEntityLines(estate: Estate): Generator<string> {
  const { jira, people, size } = estate;
  const seed = size.seed;
  yield '<?xml version="1.0" encoding="UTF-8"?>\n';
  yield `<!--\n     Synthetic Jira backup written by usermig generate: seed ${size.seed}, ${size.users} users, ${size.groups} groups,\n     ${size.memberships} memberships. Invented people and data, for testing only.\n-->\n`;
  yield `<entity-engine-xml date="${EXPORT_TIME_MS}">\n`;
  const writers: Record<string, () => Generator<string>> = {
    Action: () => actions(jira, seed),
    ApplicationUser: () => applicationUsers(jira),
    ChangeGroup: () => issueRows(jira, 'ChangeGroup', jira.changeGroups, seed),
    Component: () => componentRows(jira),
    CustomField: () => customFields(),
    CustomFieldValue: () => customFieldValues(jira),
    Directory: () => directories(jira),
    GlobalPermissionEntry: () => globalPermissions(jira),
    Group: () => groups(jira, seed),
    Issue: () => issues(jira, seed),
    LicenseRoleDefault: () => licenseRoleDefaults(),
    LicenseRoleGroup: () => licenseRoleGroups(jira),
    Membership: () => memberships(jira, people),
    NodeAssociation: () => nodeAssociations(jira),
    PermissionScheme: () => permissionSchemes(jira),
    Project: () => projects(jira),
    ProjectRole: () => projectRoles(jira),
    ProjectRoleActor: () => projectRoleActors(jira),
    SchemePermissions: () => schemePermissions(jira),
    User: () => users(jira, people, seed),
    UserAssociation: () => userAssociations(jira, seed),
    Worklog: () => issueRows(jira, 'Worklog', jira.worklogs, seed),
  };
  const names = Object.keys(writers).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const name of names) yield* writers[name]!();
  yield '</entity-engine-xml>\n';
}

const keyOf = (jira: JiraEstate, appUser: number) => jira.appUsers[appUser]!.key;

function* actions(jira: JiraEstate, seed: number): Generator<string> {
  const { comments } = jira;
  for (let n = 0; n < comments.count; n++) {
    const id = 10000 + n;
    const issue = 10000 + comments.issue[n]!;
    const author = keyOf(jira, comments.user[n]!);
    const [created, updated] = stamps(seed, 'action', id);
    const row: Row = [
      ['id', id],
      ['issue', issue],
      ['author', author],
      ['type', 'comment'],
      ['created', created],
      ['updateauthor', author],
      ['updated', updated],
    ];
    if (n % 10 === 0) {
      // Multi-line text goes into a child element, as Jira writes it.
      const body = `Looked into this.\n\n* checked the logs\n* <b>no</b> errors & nothing in "dmesg" ]]> either\nComment ${n + 1}`;
      yield `${INDENT}<Action${attributes(row)}>\n${INDENT}${INDENT}<body>${cdata(body)}</body>\n${INDENT}</Action>\n`;
    } else {
      yield element('Action', [...row.slice(0, 4), ['body', `Comment ${n + 1} on this issue`], ...row.slice(4)]);
    }
  }
}

function* applicationUsers(jira: JiraEstate): Generator<string> {
  for (const u of jira.appUsers) yield element('ApplicationUser', [['id', u.id], ['userKey', u.key], ['lowerUserName', u.lowerUserName]]);
}

function* issueRows(jira: JiraEstate, name: 'ChangeGroup' | 'Worklog', rows: JiraEstate['worklogs'], seed: number): Generator<string> {
  for (let n = 0; n < rows.count; n++) {
    const id = 10000 + n;
    const author = keyOf(jira, rows.user[n]!);
    const [created, updated] = stamps(seed, name, id);
    if (name === 'ChangeGroup') {
      yield element(name, [['id', id], ['issue', 10000 + rows.issue[n]!], ['author', author], ['created', created]]);
    } else {
      yield element(name, [
        ['id', id],
        ['issue', 10000 + rows.issue[n]!],
        ['author', author],
        ['updateauthor', author],
        ['body', 'Working on it'],
        ['startdate', created],
        ['timeworked', 900 * (1 + (n % 16))],
        ['created', created],
        ['updated', updated],
      ]);
    }
  }
}

function* componentRows(jira: JiraEstate): Generator<string> {
  for (const c of jira.components) {
    yield element('Component', [
      ['id', c.id],
      ['project', c.project],
      ['name', c.name],
      ['description', `The ${c.name.toLowerCase()} component`],
      ['lead', keyOf(jira, c.lead)],
      ['assigneetype', 0],
    ]);
  }
}

function* customFields(): Generator<string> {
  yield element('CustomField', [
    ['id', USER_PICKER_FIELD],
    ['customfieldtypekey', 'com.atlassian.jira.plugin.system.customfieldtypes:userpicker'],
    ['customfieldsearcherkey', 'com.atlassian.jira.plugin.system.customfieldtypes:userpickergroupsearcher'],
    ['name', 'Approver'],
  ]);
  yield element('CustomField', [
    ['id', USER_PICKER_FIELD + 1],
    ['customfieldtypekey', 'com.atlassian.jira.plugin.system.customfieldtypes:textfield'],
    ['customfieldsearcherkey', 'com.atlassian.jira.plugin.system.customfieldtypes:textsearcher'],
    ['name', 'Customer reference'],
  ]);
}

function* customFieldValues(jira: JiraEstate): Generator<string> {
  const values = jira.userPickerValues;
  for (let n = 0; n < values.count; n++) {
    yield element('CustomFieldValue', [
      ['id', 10000 + n],
      ['issue', 10000 + values.issue[n]!],
      ['customfield', USER_PICKER_FIELD],
      ['stringvalue', keyOf(jira, values.user[n]!)],
    ]);
  }
}

function* directories(jira: JiraEstate): Generator<string> {
  const sorted = jira.directories.slice().sort((a, b) => a.id - b.id);
  for (const d of sorted) {
    const when = formatTimestamp(HISTORY_START_MS + d.id * 1000);
    yield element('Directory', [
      ['id', d.id],
      ['directoryName', d.name],
      ['lowerDirectoryName', d.name.toLowerCase()],
      ['createdDate', when],
      ['updatedDate', when],
      ['active', d.active ? 1 : 0],
      ['description', d.description],
      ['implementationClass', d.implementationClass],
      ['lowerImplementationClass', d.implementationClass.toLowerCase()],
      ['type', d.type],
      ['position', d.position],
    ]);
  }
}

function* globalPermissions(jira: JiraEstate): Generator<string> {
  let id = 10000;
  for (const p of jira.globalPermissions) yield element('GlobalPermissionEntry', [['id', id++], ['permission', p.permission], ['group_id', p.groupName]]);
}

function* groups(jira: JiraEstate, seed: number): Generator<string> {
  for (const g of jira.groups) {
    const [created, updated] = stamps(seed, 'group', g.id);
    yield element('Group', [
      ['id', g.id],
      ['groupName', g.name],
      ['lowerGroupName', g.name.toLowerCase()],
      ['active', 1],
      ['local', 0],
      ['createdDate', created],
      ['updatedDate', updated],
      ['description', ''],
      ['type', 'GROUP'],
      ['directoryId', g.directoryId],
    ]);
  }
}

function* issues(jira: JiraEstate, seed: number): Generator<string> {
  const { issues: is } = jira;
  for (let i = 0; i < is.count; i++) {
    const id = 10000 + i;
    const project = jira.projects[is.project[i]!]!;
    const assignee = is.assignee[i]!;
    const [created, updated] = stamps(seed, 'issue', id);
    yield element('Issue', [
      ['id', id],
      ['key', `${project.key}-${is.number[i]}`],
      ['number', is.number[i]!],
      ['project', project.id],
      ['reporter', keyOf(jira, is.reporter[i]!)],
      ['assignee', assignee >= 0 ? keyOf(jira, assignee) : undefined],
      ['creator', keyOf(jira, is.creator[i]!)],
      ['type', 1 + (i % 3)],
      ['summary', `${project.name}: task ${is.number[i]}`],
      ['priority', 3],
      ['status', 1],
      ['created', created],
      ['updated', updated],
      ['votes', i % 5 === 0 ? 1 : 0],
      ['watches', 1],
      ['workflowId', id],
    ]);
  }
}

function* licenseRoleDefaults(): Generator<string> {
  yield element('LicenseRoleDefault', [['id', 10000], ['licenseRoleName', 'jira-software']]);
}

function* licenseRoleGroups(jira: JiraEstate): Generator<string> {
  let id = 10000;
  for (const r of jira.licenseRoles) {
    yield element('LicenseRoleGroup', [['id', id++], ['licenseRoleName', r.licenseRoleName], ['groupId', r.groupName], ['primaryGroup', r.primary ? 'Y' : 'N']]);
  }
}

function* memberships(jira: JiraEstate, people: People): Generator<string> {
  let id = 10000;
  for (const link of jira.groupLinks) {
    const parent = jira.groups[link.parent]!;
    const child = jira.groups[link.child]!;
    yield element('Membership', [
      ['id', id++],
      ['parentId', parent.id],
      ['childId', child.id],
      ['membershipType', 'GROUP_GROUP'],
      ['parentName', parent.name],
      ['lowerParentName', parent.name.toLowerCase()],
      ['childName', child.name],
      ['lowerChildName', child.name.toLowerCase()],
      ['directoryId', parent.directoryId],
    ]);
  }
  // The bulk of the document: precompute the text of both ends once.
  const groupText = jira.groups.map((g) => `" parentId="${g.id}" childId="`);
  const groupNames = jira.groups.map((g) => `" parentName="${attr(g.name)}" lowerParentName="${attr(g.name.toLowerCase())}`);
  const entryText = jira.entries.map((e) => {
    const name = people.userName[e.person]!;
    return [`${e.id}" membershipType="GROUP_USER`, `" childName="${attr(name)}" lowerChildName="${attr(name.toLowerCase())}" directoryId="${e.directoryId}"/>\n`] as const;
  });
  const { group, entry, count } = jira.memberships;
  for (let n = 0; n < count; n++) {
    const g = group[n]!;
    const [head, tail] = entryText[entry[n]!]!;
    yield `${INDENT}<Membership id="${id++}${groupText[g]}${head}${groupNames[g]}${tail}`;
  }
}

function* nodeAssociations(jira: JiraEstate): Generator<string> {
  for (const p of jira.projects) {
    yield element('NodeAssociation', [
      ['sourceNodeId', p.id],
      ['sourceNodeEntity', 'Project'],
      ['sinkNodeId', p.schemeId],
      ['sinkNodeEntity', 'PermissionScheme'],
      ['associationType', 'ProjectScheme'],
    ]);
  }
}

function* permissionSchemes(jira: JiraEstate): Generator<string> {
  for (const s of jira.permissionSchemes) yield element('PermissionScheme', [['id', s.id], ['name', s.name], ['description', s.description]]);
}

function* projects(jira: JiraEstate): Generator<string> {
  for (const p of jira.projects) {
    yield element('Project', [
      ['id', p.id],
      ['name', p.name],
      ['url', ''],
      ['lead', keyOf(jira, p.lead)],
      ['description', ''],
      ['key', p.key],
      ['counter', p.counter],
      ['assigneetype', 2],
      ['originalkey', p.key],
      ['projecttype', 'software'],
    ]);
  }
}

function* projectRoles(jira: JiraEstate): Generator<string> {
  for (const r of jira.projectRoles) yield element('ProjectRole', [['id', r.id], ['name', r.name], ['description', r.description]]);
}

function* projectRoleActors(jira: JiraEstate): Generator<string> {
  let id = 10000;
  for (const a of jira.roleActors) {
    yield element('ProjectRoleActor', [
      ['id', id++],
      ['pid', a.pid],
      ['projectroleid', a.roleId],
      ['roletype', a.kind === 'user' ? 'atlassian-user-role-actor' : 'atlassian-group-role-actor'],
      ['roletypeparameter', a.parameter],
    ]);
  }
}

function* schemePermissions(jira: JiraEstate): Generator<string> {
  let id = 10000;
  for (const p of jira.schemePermissions) {
    yield element('SchemePermissions', [
      ['id', id++],
      ['scheme', p.scheme],
      ['permission', p.permission],
      ['type', p.type],
      ['parameter', p.parameter],
      ['permissionKey', p.permissionKey],
    ]);
  }
}

function* users(jira: JiraEstate, people: People, seed: number): Generator<string> {
  for (const e of jira.entries) {
    const p = e.person;
    const name = people.userName[p]!;
    const first = people.firstName[p]!;
    const last = people.lastName[p]!;
    const display = people.displayName[p]!;
    const [created, updated] = stamps(seed, 'user', e.id);
    yield element('User', [
      ['id', e.id],
      ['directoryId', e.directoryId],
      ['userName', name],
      ['lowerUserName', name.toLowerCase()],
      ['active', e.active ? 1 : 0],
      ['createdDate', created],
      ['updatedDate', updated],
      ['firstName', first],
      ['lowerFirstName', first.toLowerCase()],
      ['lastName', last],
      ['lowerLastName', last.toLowerCase()],
      ['displayName', display],
      ['lowerDisplayName', display.toLowerCase()],
      ['emailAddress', e.email],
      ['lowerEmailAddress', e.email.toLowerCase()],
      ['credential', ''],
      ['externalId', pseudoUuid(seed, `user-${e.directoryId}`, e.id)],
    ]);
  }
}

function* userAssociations(jira: JiraEstate, seed: number): Generator<string> {
  const kinds: [JiraEstate['watchers'], string][] = [
    [jira.watchers, 'WatchIssue'],
    [jira.voters, 'VoteIssue'],
  ];
  for (const [rows, type] of kinds) {
    for (let n = 0; n < rows.count; n++) {
      const issue = 10000 + rows.issue[n]!;
      yield element('UserAssociation', [
        ['sourceName', keyOf(jira, rows.user[n]!)],
        ['sinkNodeId', issue],
        ['sinkNodeEntity', 'Issue'],
        ['associationType', type],
        ['created', stamps(seed, type, issue)[0]],
      ]);
    }
  }
}

/** activeobjects.xml with the JSM organizations (AO_54307E_*). */
export function* jiraActiveObjectsLines(jira: JiraEstate): Generator<string> {
  const column = (name: string, primary: boolean, sqlType: number, precision: number) =>
    `    <column name="${name}" primaryKey="${primary}" autoIncrement="${primary}" sqlType="${sqlType}" precision="${precision}"/>\n`;
  yield '<?xml version="1.0" encoding="UTF-8"?>\n';
  yield '<backup xmlns="http://www.atlassian.com/ao" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n';
  yield '  <database>\n    <meta key="database.name" value="PostgreSQL"/>\n    <meta key="database.version" value="14.10"/>\n  </database>\n';
  yield '  <table name="AO_54307E_ORGANIZATION">\n';
  yield column('ID', true, -5, 19);
  yield column('NAME', false, 12, 255);
  yield '  </table>\n';
  yield '  <table name="AO_54307E_ORGANIZATION_MEMBER">\n';
  yield column('ID', true, -5, 19);
  yield column('ORGANIZATION_ID', false, -5, 19);
  yield column('USER_KEY', false, 12, 255);
  yield '  </table>\n';
  yield '  <data tableName="AO_54307E_ORGANIZATION">\n    <column name="ID"/>\n    <column name="NAME"/>\n';
  for (const [i, org] of jira.organizations.entries()) {
    yield `    <row><integer>${i + 1}</integer><string>${attr(org.name)}</string></row>\n`;
  }
  yield '  </data>\n';
  yield '  <data tableName="AO_54307E_ORGANIZATION_MEMBER">\n    <column name="ID"/>\n    <column name="ORGANIZATION_ID"/>\n    <column name="USER_KEY"/>\n';
  let id = 1;
  for (const [i, org] of jira.organizations.entries()) {
    for (const member of org.members) {
      yield `    <row><integer>${id++}</integer><integer>${i + 1}</integer><string>${attr(keyOf(jira, member))}</string></row>\n`;
    }
  }
  yield '  </data>\n';
  yield '</backup>\n';
}
