/**
 * Directory drift through the CLI: an Active-Directory-like directory in a real slapd (127.0.0.1) and a
 * Jira backup whose LDAP directory is that directory (its ldap.url and ldap.basedn name the same host and
 * base DN) but whose synced copy differs in known ways — an email changed, a user disabled on one side
 * only, a user missing on each side. `scan` both, `assess --json`: one `directory-drift` warning with a
 * subject per difference. usermig.json's externalDirectories replaces the pairing (or turns it off), and
 * its mistakes exit 2 naming the setting. A Crowd source (contract server on 127.0.0.1) pairs with the
 * product directory whose crowd.server.url is its URL.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDirectoryDrift, comparableCrowdUrl, comparableDn, ldapBaseDn, ldapHosts } from '../src/assess/checks/directory-drift.js';
import { buildEstate } from '../src/assess/estate.js';
import { usermig } from './support/cli.js';
import { crowdRoute, type CrowdDirectory } from './support/crowd-contract.js';
import { basic, startContractServer, usermigAsync } from './support/rest-contract.js';
import { tempDir } from './support/files.js';
import { source } from './support/snapshot.js';
import { AD_EXTRA_SCHEMA, adGroup, adUser, ou, startTestSlapd, type Slapd } from './support/slapd.js';

const SUFFIX = 'DC=corp,DC=example';
const LDAP_SECRET = 'directory-bind-secret-77';

const LDIF = [
  ou(`OU=Staff,${SUFFIX}`),
  ou(`OU=Groups,${SUFFIX}`),
  adGroup(SUFFIX, { cn: 'Domain Users', rid: 513 }),
  adUser(SUFFIX, { cn: 'Alice Adams', sam: 'alice', mail: 'alice@corp.example', rid: 1001, uac: 512 }),
  adUser(SUFFIX, { cn: 'Bob Brown', sam: 'bob', mail: 'bob@corp.example', rid: 1002, uac: 512 }),
  adUser(SUFFIX, { cn: 'Carol Clark', sam: 'carol', mail: 'carol@corp.example', rid: 1003, uac: 514 }),
  adUser(SUFFIX, { cn: 'Dave Dunn', sam: 'dave', mail: 'dave.dunn@corp.example', rid: 1004, uac: 512 }),
  adUser(SUFFIX, { cn: 'Erin Evans', sam: 'erin', mail: 'erin@corp.example', rid: 1005, uac: 512 }),
];

/** A Jira backup's entities.xml: an internal directory and an LDAP directory whose synced users differ from the LDAP source. */
function jiraEntities(ldapUrl: string, baseDn: string): string {
  const user = (id: number, dir: number, name: string, email: string, active: boolean) =>
    `<User id="${id}" directoryId="${dir}" userName="${name}" lowerUserName="${name}" active="${active ? 1 : 0}" displayName="${name}" emailAddress="${email}" updatedDate="2026-01-01 00:00:00.0"/>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<entity-engine-xml date="1700000000000">
  <Directory id="1" directoryName="Jira Internal Directory" active="1" type="INTERNAL" position="0"/>
  <Directory id="10100" directoryName="Corporate AD" active="1" type="CONNECTOR" position="1"/>
  <DirectoryAttribute directoryId="10100" name="ldap.url" value="${ldapUrl}"/>
  <DirectoryAttribute directoryId="10100" name="ldap.basedn" value="${baseDn}"/>
  <DirectoryAttribute directoryId="10100" name="ldap.userdn" value="CN=svc-jira,${SUFFIX}"/>
  <DirectoryAttribute directoryId="10100" name="ldap.password" value="${LDAP_SECRET}"/>
  ${user(1, 1, 'admin', 'admin@corp.example', true)}
  ${user(2, 10100, 'alice', 'alice@corp.example', true)}
  ${user(3, 10100, 'bob', 'bob@corp.example', false)}
  ${user(4, 10100, 'carol', 'carol@corp.example', true)}
  ${user(5, 10100, 'dave', 'dave@corp.example', true)}
  ${user(6, 10100, 'frank', 'frank@corp.example', true)}
  <ApplicationUser id="1" userKey="admin" lowerUserName="admin"/>
</entity-engine-xml>
`;
}

interface Assessed {
  summary: Record<string, unknown>;
  findings: Array<{ code: string; severity: string; message: string; fix: string; subjects: Array<{ type: string; id: string; source?: string; detail?: string }> }>;
}

describe('directory-drift: an LDAP source against the product copy of it', () => {
  let slapd: Slapd;
  let dir: string;
  let env: Record<string, string>;
  let workspace: string;

  const assess = (): { code: number; json?: Assessed; stderr: string } => {
    const result = usermig(['assess', '--json', '--workspace', workspace]);
    return { code: result.code, stderr: result.stderr, ...(result.stdout ? { json: JSON.parse(result.stdout) as Assessed } : {}) };
  };
  const drift = (assessed: Assessed | undefined) => assessed?.findings.filter((f) => f.code === 'directory-drift') ?? [];
  const writeConfig = (value: unknown) => fs.writeFileSync(path.join(workspace, 'usermig.json'), JSON.stringify(value));

  beforeAll(async () => {
    slapd = await startTestSlapd({ suffix: SUFFIX, schemas: ['msuser'], extraSchema: AD_EXTRA_SCHEMA, ldif: LDIF });
    dir = tempDir();
    env = { USERMIG_LDAP_BIND_DN: slapd.readerDn, USERMIG_LDAP_PASSWORD: slapd.readerPassword };
    workspace = path.join(dir, 'ws');
    // Jira knows the directory by the same host, with the base DN written in another case and spacing.
    fs.writeFileSync(path.join(dir, 'entities.xml'), jiraEntities(`ldap://dc1.corp.example:389 ${slapd.url}`, 'dc=corp, dc=example'));
    // A second Jira whose directory names another host: not paired unless usermig.json says so.
    fs.writeFileSync(path.join(dir, 'other.xml'), jiraEntities('ldaps://elsewhere.example:636', 'dc=corp,dc=example'));
    const scanned = usermig(
      ['scan', `jira-backup:${path.join(dir, 'entities.xml')}`, `eu=jira-backup:${path.join(dir, 'other.xml')}`, `corp=ldap:${slapd.url}/${SUFFIX}`, '--ldap-preset', 'ad', '--workspace', workspace],
      env,
    );
    expect(scanned.code, scanned.stderr).toBe(0);
  });
  afterAll(async () => {
    await slapd?.destroy();
  });

  it('pairs by host and base DN and names every difference: email changed, disabled on one side, missing on each side', () => {
    const { code, json, stderr } = assess();
    expect([0, 1], stderr).toContain(code);
    const findings = drift(json);
    expect(findings).toHaveLength(1);
    const [finding] = findings;
    expect(finding?.severity).toBe('warning');
    expect(finding?.message).toBe(
      `corp (LDAP) differs from jira's synced copy of it, the directory "Corporate AD" (same host 127.0.0.1 and base DN ${SUFFIX}): ` +
        '1 email changed, 1 user disabled in LDAP but active in jira, 1 user active in LDAP but disabled in jira, 1 user missing in jira, 1 user missing in LDAP',
    );
    expect(finding?.subjects.map((s) => `${s.source}:${s.id} ${s.detail}`).sort()).toEqual([
      'corp:bob active in LDAP, disabled in jira',
      'corp:carol disabled in LDAP, active in jira',
      'corp:dave email changed: dave.dunn@corp.example in LDAP, dave@corp.example in jira',
      'corp:erin in LDAP, missing in jira\'s copy',
      "jira:frank in jira's copy, missing in LDAP",
    ]);
    expect(finding?.fix).toMatch(/Synchronise the directory in jira/);
    // The summary keeps its fields.
    expect(json?.summary).toMatchObject({ sources: 3 });
  });

  it('keeps only the directory settings that name the directory, never its password', () => {
    const stored = fs
      .readdirSync(workspace)
      .filter((name) => name.startsWith('workspace.db'))
      .map((name) => fs.readFileSync(path.join(workspace, name)).toString('latin1'))
      .join('');
    expect(stored).toContain('ldap.basedn');
    expect(stored).not.toContain(LDAP_SECRET);
  });

  it("usermig.json's externalDirectories replaces the pairing, or turns it off with []", () => {
    writeConfig({ externalDirectories: { corp: ['eu:Corporate AD'] } });
    const named = drift(assess().json);
    expect(named.map((f) => f.message.replace(/:.*/, ''))).toEqual([`corp (LDAP) differs from eu's synced copy of it, the directory "Corporate AD" (usermig.json`]);
    writeConfig({ externalDirectories: { corp: ['eu:10100', 'jira:10100'] } });
    expect(drift(assess().json)).toHaveLength(2);
    writeConfig({ externalDirectories: { corp: [] } });
    expect(drift(assess().json)).toEqual([]);
    fs.rmSync(path.join(workspace, 'usermig.json'));
  });

  it('assess --config FILE reads the pairing from that file instead of the workspace folder', () => {
    const file = path.join(dir, 'elsewhere.json');
    fs.writeFileSync(file, JSON.stringify({ externalDirectories: { corp: [] } }));
    const configured = usermig(['assess', '--json', '--workspace', workspace, '--config', file]);
    expect(drift(JSON.parse(configured.stdout) as Assessed)).toEqual([]);
    expect(drift(assess().json)).toHaveLength(1);
  });

  it('mistakes in externalDirectories exit 2 naming the setting', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ corp: ['jira:nope'] }, /usermig\.json: externalDirectories\.corp\[0\]: jira has no directory with the id or name "nope" \(its directories: 1 \(Jira Internal Directory\), 10100 \(Corporate AD\)\)/],
      [{ corp: ['jira'] }, /externalDirectories\.corp\[0\] must be written SOURCE:DIRECTORY/],
      [{ corp: ['crm:1'] }, /externalDirectories\.corp\[0\]: the workspace has no product source named "crm"/],
      [{ ad: ['jira:1'] }, /externalDirectories\.ad: the workspace has no source named "ad" \(LDAP and Crowd sources: corp\)/],
      [{ jira: ['eu:1'] }, /externalDirectories\.jira: "jira" is a jira-backup source, not an LDAP or Crowd source/],
      [{ corp: 7 }, /externalDirectories\.corp must be a list of product directories/],
    ];
    try {
      for (const [section, message] of cases) {
        writeConfig({ externalDirectories: section });
        const result = usermig(['assess', '--json', '--workspace', workspace]);
        expect(result.code, JSON.stringify(section)).toBe(2);
        expect(result.stderr).toMatch(message);
        expect(result.stderr).not.toMatch(/\n\s+at /);
      }
    } finally {
      fs.rmSync(path.join(workspace, 'usermig.json'), { force: true });
    }
  });
});

describe('directory-drift: a Crowd source against the product directory that syncs from it', () => {
  it("pairs by the directory's crowd.server.url and names the differences, through the CLI", async () => {
    const crowdDirectory: CrowdDirectory = {
      users: [
        { username: 'alice', first_name: 'Alice', last_name: 'A', display_name: 'Alice', email: 'alice@example.com', active: true },
        { username: 'bob', first_name: 'Bob', last_name: 'B', display_name: 'Bob', email: 'bob@example.com', active: false },
      ],
      groups: [],
    };
    const crowd = await startContractServer(crowdRoute(crowdDirectory), basic('usermig', 'app-secret-42'));
    try {
      const dir = tempDir();
      const workspace = path.join(dir, 'ws');
      fs.writeFileSync(
        path.join(dir, 'entities.xml'),
        `<?xml version="1.0" encoding="UTF-8"?>
<entity-engine-xml date="1700000000000">
  <Directory id="10200" directoryName="Crowd Server" active="1" type="CROWD" position="0"/>
  <DirectoryAttribute directoryId="10200" name="crowd.server.url" value="${crowd.url.toUpperCase().replace('HTTP://', 'http://')}/crowd/"/>
  <DirectoryAttribute directoryId="10200" name="application.password" value="${LDAP_SECRET}"/>
  <User id="1" directoryId="10200" userName="alice" active="1" displayName="Alice" emailAddress="alice@old.example"/>
  <User id="2" directoryId="10200" userName="bob" active="1" displayName="Bob" emailAddress="bob@example.com"/>
</entity-engine-xml>
`,
      );
      const scanned = await usermigAsync(['scan', `jira-backup:${path.join(dir, 'entities.xml')}`, `crowd:${crowd.url}/crowd`, '--workspace', workspace], {
        USERMIG_CROWD_APP: 'usermig',
        USERMIG_CROWD_PASSWORD: 'app-secret-42',
      });
      expect(scanned.code, scanned.stderr).toBe(0);
      const assessed = await usermigAsync(['assess', '--json', '--workspace', workspace]);
      const findings = (JSON.parse(assessed.stdout) as Assessed).findings.filter((f) => f.code === 'directory-drift');
      expect(findings.map((f) => f.message)).toEqual([
        `crowd (Crowd) differs from jira's synced copy of it, the directory "Crowd Server" (same Crowd server ${crowd.url}/crowd): 1 email changed, 1 user disabled in Crowd but active in jira`,
      ]);
      expect(findings[0]?.subjects.map((s) => `${s.source}:${s.id} ${s.detail}`)).toEqual([
        'crowd:alice email changed: alice@example.com in Crowd, alice@old.example in jira',
        'crowd:bob disabled in Crowd, active in jira',
      ]);
    } finally {
      await crowd.close();
    }
  });
});

describe('directory-drift pairing (pure)', () => {
  it('reads hosts from one or several LDAP URLs and base DNs from a source URL, comparing DNs across case and spacing', () => {
    expect(ldapHosts('ldap://DC1.corp.example:389 ldaps://dc2.corp.example')).toEqual(['dc1.corp.example', 'dc2.corp.example']);
    expect(ldapBaseDn('ldap://127.0.0.1:389/DC=corp,%20DC=example')).toBe('DC=corp, DC=example');
    expect(comparableDn('DC=corp, DC=example')).toBe(comparableDn('dc=corp,dc=example'));
    // Crowd: the same server whatever the scheme, default port, case or trailing slash; another path is not
    expect(comparableCrowdUrl('HTTPS://Crowd.Example.com:443/crowd/')).toBe(comparableCrowdUrl('http://crowd.example.com/crowd'));
    expect(comparableCrowdUrl('https://crowd.example.com/crowd')).not.toBe(comparableCrowdUrl('https://crowd.example.com/'));
    expect(comparableCrowdUrl('https://crowd.example.com:8443/crowd')).not.toBe(comparableCrowdUrl('https://crowd.example.com/crowd'));
  });

  it('says nothing without an LDAP source, or when the copy matches', () => {
    const jira = {
      ...source({ directories: [{ id: '2', position: 0, name: 'AD' }], users: [['2', 'alice', 'alice@corp.example']] }),
      directoryAttributes: [
        { directoryId: '2', name: 'ldap.url', value: 'ldap://dc1.corp.example' },
        { directoryId: '2', name: 'ldap.basedn', value: 'dc=corp,dc=example' },
      ],
    };
    expect(checkDirectoryDrift(buildEstate({ sources: [jira] }))).toEqual([]);
    const ldap = { ...source({ name: 'corp', product: 'ldap', users: [['1', 'Alice', 'ALICE@corp.example']] }), kind: 'ldap', location: 'ldaps://DC1.corp.example:636/DC=corp,DC=example' };
    expect(checkDirectoryDrift(buildEstate({ sources: [jira, ldap] }))).toEqual([]);
    const moved = { ...ldap, location: 'ldap://dc9.corp.example/dc=corp,dc=example' };
    const changed = { ...source({ name: 'corp', product: 'ldap', users: [['1', 'alice', 'alice@new.example']] }), kind: 'ldap', location: ldap.location };
    expect(checkDirectoryDrift(buildEstate({ sources: [jira, moved] }))).toEqual([]);
    // An LDAP source read from the users' OU (Jira's Additional User DN under the base DN) is that directory too;
    // another OU is not.
    const withUserDn = { ...jira, directoryAttributes: [...jira.directoryAttributes, { directoryId: '2', name: 'ldap.user.dn', value: 'OU=Staff' }] };
    const staff = { ...source({ name: 'corp', product: 'ldap', users: [['1', 'alice', 'alice@new.example']] }), kind: 'ldap', location: 'ldap://dc1.corp.example/ou=staff,%20dc=corp,dc=example' };
    expect(checkDirectoryDrift(buildEstate({ sources: [withUserDn, staff] })).map((f) => f.message)).toEqual([
      'corp (LDAP) differs from jira\'s synced copy of it, the directory "AD" (same host dc1.corp.example and user DN ou=staff, dc=corp,dc=example): 1 email changed',
    ]);
    expect(checkDirectoryDrift(buildEstate({ sources: [jira, staff] }))).toEqual([]);
    // A delegating directory holds only who has logged in: the other LDAP users missing from it is no drift.
    const delegating = { ...jira, directories: [{ ...(jira.directories[0] as (typeof jira.directories)[number]), type: 'DELEGATING' }] };
    const more = { ...source({ name: 'corp', product: 'ldap', users: [['1', 'alice', 'alice@new.example'], ['1', 'bob', 'bob@corp.example']] }), kind: 'ldap', location: ldap.location };
    expect(checkDirectoryDrift(buildEstate({ sources: [delegating, more] })).map((f) => f.message)).toEqual([
      'corp (LDAP) differs from jira\'s synced copy of it, the directory "AD" (same host dc1.corp.example and base DN DC=corp,DC=example): 1 email changed (1 user of LDAP is not in "AD", a delegating directory, which holds only the users who have logged in: not counted as missing)',
    ]);
    expect(checkDirectoryDrift(buildEstate({ sources: [jira, more] }))[0]?.message).toMatch(/1 email changed, 1 user missing in jira$/);
    expect(checkDirectoryDrift(buildEstate({ sources: [withUserDn, { ...staff, location: 'ldap://dc1.corp.example/ou=Contractors,dc=corp,dc=example' }] }))).toEqual([]);
    expect(checkDirectoryDrift(buildEstate({ sources: [jira, changed] }))[0]?.subjects).toEqual([
      { type: 'user', id: 'alice', source: 'corp', detail: 'email changed: alice@new.example in LDAP, alice@corp.example in jira' },
    ]);
  });
});
