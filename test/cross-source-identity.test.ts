/**
 * Several sources, one estate (issue 6, part 3), through the CLI: a Jira backup, a Confluence backup, an
 * OpenLDAP directory in a real slapd and Crowd (REST contract server on 127.0.0.1) in one workspace.
 * RULES.md §6 S-04: the same email in several sources is one person (identity-linked-across-sources); the
 * same username with different emails makes two accounts (identity-email-mismatch-across-sources), until
 * a decision gives them one account (then reported as resolved). S-05 / GR-03: a same-name group in
 * several sources becomes one cloud group with the union of members, naming who gains membership and the
 * product access each occurrence grants.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crowdRoute, type CrowdDirectory } from './support/crowd-contract.js';
import { tempDir } from './support/files.js';
import { basic, startContractServer, usermigAsync, type ContractServer } from './support/rest-contract.js';
import { ou, person, startTestSlapd, type Slapd } from './support/slapd.js';

const SUFFIX = 'dc=example,dc=com';
const people = `ou=people,${SUFFIX}`;

const JIRA = `<?xml version="1.0" encoding="UTF-8"?>
<entity-engine-xml date="1700000000000">
  <Directory id="1" directoryName="Jira Internal Directory" active="1" type="INTERNAL" position="0"/>
  <User id="1" directoryId="1" userName="alice" active="1" displayName="Alice" emailAddress="alice@example.com"/>
  <User id="2" directoryId="1" userName="bob" active="1" displayName="Bob" emailAddress="bob@example.com"/>
  <User id="3" directoryId="1" userName="dave" active="1" displayName="Dave" emailAddress="dave@old.example"/>
  <Group id="10" directoryId="1" groupName="developers" lowerGroupName="developers"/>
  <Group id="11" directoryId="1" groupName="staff" lowerGroupName="staff"/>
  <Membership id="20" parentId="10" childId="1" membershipType="GROUP_USER" parentName="developers" lowerParentName="developers" childName="alice" lowerChildName="alice" directoryId="1"/>
  <Membership id="21" parentId="10" childId="2" membershipType="GROUP_USER" parentName="developers" lowerParentName="developers" childName="bob" lowerChildName="bob" directoryId="1"/>
  <Membership id="22" parentId="11" childId="1" membershipType="GROUP_USER" parentName="staff" lowerParentName="staff" childName="alice" lowerChildName="alice" directoryId="1"/>
  <LicenseRoleGroup id="30" licenseRoleName="jira-software" groupId="developers" primaryGroup="Y"/>
</entity-engine-xml>
`;

const cdata = (value: string) => `<![CDATA[${value}]]>`;
const prop = (name: string, value: string) => `<property name="${name}">${cdata(value)}</property>`;
const ref = (name: string, cls: string, id: string) => `<property name="${name}" class="${cls}" package="com.example"><id name="id">${id}</id></property>`;
const object = (cls: string, id: string, ...members: string[]) => `<object class="${cls}" package="com.example">\n  <id name="id">${id}</id>\n  ${members.join('\n  ')}\n</object>`;
const confluenceUser = (id: number, name: string, email: string) =>
  `<object class="ConfluenceUserImpl" package="com.atlassian.confluence.user">\n  <id name="key">${cdata(`8a7f808a6d5b2f4a016d5b2f8e8c000${id}`)}</id>\n  ${prop('name', name)}\n  ${prop('lowerName', name)}\n</object>\n` +
  object('InternalUser', String(100 + id), prop('name', name), '<property name="active">true</property>', prop('emailAddress', email), ref('directory', 'DirectoryImpl', '1'));

const CONFLUENCE = `<?xml version="1.0" encoding="UTF-8"?>
<hibernate-generic datetime="2026-11-29 10:00:00">
${object('DirectoryImpl', '1', prop('name', 'Confluence Internal Directory'), '<property name="active">true</property>', '<property name="type">INTERNAL</property>')}
${confluenceUser(1, 'alice', 'alice@example.com')}
${confluenceUser(2, 'bob', 'robert@example.com')}
${confluenceUser(3, 'carol', 'carol@example.com')}
${object('InternalGroup', '500', prop('name', 'developers'), '<property name="active">true</property>', ref('directory', 'DirectoryImpl', '1'))}
${object('HibernateMembership', '501', ref('parentGroup', 'InternalGroup', '500'), ref('userMember', 'InternalUser', '101'))}
${object('HibernateMembership', '502', ref('parentGroup', 'InternalGroup', '500'), ref('userMember', 'InternalUser', '103'))}
${object('SpacePermission', '600', prop('type', 'USECONFLUENCE'), prop('group', 'developers'))}
</hibernate-generic>
`;

const LDIF = [
  ou(people),
  ou(`ou=groups,${SUFFIX}`),
  person(`uid=alice,${people}`, 'alice', 'Alice Archer', 'Alice@Example.com'),
  person(`uid=dave,${people}`, 'dave', 'Dave Dunn', 'dave@new.example'),
  person(`uid=erin,${people}`, 'erin', 'Erin Evans', 'erin@example.com'),
  `dn: cn=staff,ou=groups,${SUFFIX}\nobjectClass: groupOfNames\ncn: staff\nmember: uid=alice,${people}\nmember: uid=erin,${people}\n`,
];

const CROWD: CrowdDirectory = {
  users: [
    { username: 'alice', first_name: 'Alice', last_name: 'A', display_name: 'Alice', email: 'alice@example.com', active: true },
    { username: 'bob', first_name: 'Bob', last_name: 'B', display_name: 'Bob', email: 'bob@example.com', active: true },
    { username: 'frank', first_name: 'Frank', last_name: 'F', display_name: 'Frank', email: 'frank@example.com', active: true },
  ],
  groups: [{ name: 'developers', group_members: [], user_members: ['alice', 'bob', 'frank'] }],
};

interface Assessed {
  summary: Record<string, unknown>;
  findings: Array<{ code: string; severity: string; resolved?: boolean; message: string; subjects: Array<{ type: string; id: string; source?: string; detail?: string }> }>;
}

describe('Jira, Confluence, LDAP and Crowd in one workspace', () => {
  let slapd: Slapd;
  let crowd: ContractServer;
  let workspace: string;

  const assess = async (): Promise<Assessed> => {
    const result = await usermigAsync(['assess', '--json', '--workspace', workspace]);
    expect([0, 1], result.stderr).toContain(result.code);
    return JSON.parse(result.stdout) as Assessed;
  };
  const subjects = (assessed: Assessed, code: string, severity: string) =>
    assessed.findings
      .filter((f) => f.code === code && f.severity === severity)
      .flatMap((f) => f.subjects.map((s) => `${s.source ? `${s.source}:` : ''}${s.id} ${s.detail ?? ''}`.trim()))
      .sort();

  beforeAll(async () => {
    slapd = await startTestSlapd({ suffix: SUFFIX, ldif: LDIF });
    crowd = await startContractServer(crowdRoute(CROWD), basic('usermig', 'app-secret-42'));
    const dir = tempDir();
    workspace = path.join(dir, 'ws');
    fs.writeFileSync(path.join(dir, 'jira.xml'), JIRA);
    fs.writeFileSync(path.join(dir, 'confluence.xml'), CONFLUENCE);
    const scanned = await usermigAsync(
      [
        'scan',
        `jira-backup:${path.join(dir, 'jira.xml')}`,
        `confluence-backup:${path.join(dir, 'confluence.xml')}`,
        `corp=ldap:${slapd.url}/${SUFFIX}`,
        `crowd:${crowd.url}/crowd`,
        '--workspace',
        workspace,
      ],
      { USERMIG_LDAP_BIND_DN: slapd.readerDn, USERMIG_LDAP_PASSWORD: slapd.readerPassword, USERMIG_CROWD_APP: 'usermig', USERMIG_CROWD_PASSWORD: 'app-secret-42' },
    );
    expect(scanned.code, scanned.stderr).toBe(0);
  });
  afterAll(async () => {
    await crowd?.close();
    await slapd?.destroy();
  });

  it('links the same email across all four sources as one person, and warns about usernames with different emails (S-04)', async () => {
    const assessed = await assess();
    expect(assessed.summary).toMatchObject({ sources: 4 });
    expect(subjects(assessed, 'identity-linked-across-sources', 'info')).toEqual(['alice@example.com jira, confluence, corp, crowd', 'bob@example.com jira, crowd']);
    expect(subjects(assessed, 'identity-email-mismatch-across-sources', 'warning')).toEqual([
      'confluence:bob robert@example.com',
      'corp:dave dave@new.example',
      'crowd:bob bob@example.com',
      'jira:bob bob@example.com',
      'jira:dave dave@old.example',
    ]);
    expect(assessed.findings.find((f) => f.code === 'identity-email-mismatch-across-sources')?.message).toMatch(/^2 usernames have different emails/);
  });

  it('a decision that gives the entries one account settles the mismatch, reported as resolved with the decision', async () => {
    const decided = await usermigAsync(['users', 'decide', 'confluence:bob', 'new-email', 'bob@example.com', '--reason', 'same person', '--workspace', workspace]);
    expect(decided.code, decided.stderr).toBe(0);
    const assessed = await assess();
    expect(subjects(assessed, 'identity-email-mismatch-across-sources', 'warning')).toEqual(['corp:dave dave@new.example', 'jira:dave dave@old.example']);
    expect(subjects(assessed, 'identity-email-mismatch-across-sources', 'info')).toEqual([
      'confluence:bob robert@example.com → new-email bob@example.com',
      'crowd:bob bob@example.com → keeps the address',
      'jira:bob bob@example.com → keeps the address',
    ]);
    expect(assessed.findings.find((f) => f.code === 'identity-email-mismatch-across-sources' && f.severity === 'info')?.resolved).toBe(true);
    // bob is now one person in three sources.
    expect(subjects(assessed, 'identity-linked-across-sources', 'info')).toContain('bob@example.com jira, confluence, crowd');
  });

  it('same-name groups across products are shown as the one cloud group they become, with who gains and what each grants (S-05, GR-03)', async () => {
    const assessed = await assess();
    const merges = assessed.findings.filter((f) => f.code === 'group-merged-across-products');
    const developers = merges.find((f) => f.message.startsWith('group developers'));
    expect(developers?.severity).toBe('warning');
    expect(developers?.message).toMatch(/^group developers exists in jira and confluence and crowd with different members/);
    expect(developers?.message).toMatch(/it grants jira-software in jira, confluence in confluence, no product in crowd.*\(GR-03\)/);
    const detail = (source: string, id: string) => developers?.subjects.find((s) => s.type === 'group' && s.source === source && s.id === id)?.detail;
    expect(detail('jira', 'developers')).toBe('2 members, grants jira-software');
    expect(detail('confluence', 'developers')).toBe('2 members, grants confluence');
    expect(detail('crowd', 'developers')).toBe('3 members');
    const gains = developers?.subjects.filter((s) => s.type === 'user').map((s) => `${s.source}:${s.id} ${s.detail}`).sort();
    expect(gains).toEqual([
      "confluence:carol gains crowd's developers",
      "confluence:carol gains jira's developers",
      "crowd:frank gains confluence's developers",
      "crowd:frank gains jira's developers",
      "jira:bob gains confluence's developers",
    ]);
    const staff = merges.find((f) => f.message.startsWith('group staff'));
    expect(staff?.message).toMatch(/^group staff exists in jira and corp with different members/);
    expect(staff?.subjects.filter((s) => s.type === 'user').map((s) => `${s.source}:${s.id} ${s.detail}`)).toEqual(["corp:erin gains jira's staff"]);
  });
});
