/**
 * An Active-Directory-like directory in a real slapd (OpenLDAP's msuser.schema), scanned with
 * `--ldap-preset ad`: sAMAccountName usernames, objectGUID user keys, the disabled bit of
 * userAccountControl, primary groups (primaryGroupID → the group whose objectSid has that RID), nested
 * groups, computers left out, and the memberOf mode. The server's size limit (3) is far below the
 * directory, so the reads only succeed through the paged results control.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatGuid } from '../src/sources/ldap-values.js';
import { usermig } from './support/cli.js';
import { tempDir } from './support/files.js';
import { AD_DOMAIN, AD_EXTRA_SCHEMA, sidBytes, adGroup, adObject, adUser, guidBytes, ou, startTestSlapd, storedSource, type Slapd } from './support/slapd.js';

const SUFFIX = 'DC=corp,DC=example';
const group = (cn: string) => `CN=${cn},OU=Groups,${SUFFIX}`;
const user = (cn: string) => `CN=${cn},OU=Staff,${SUFFIX}`;

const LDIF = [
  ou(`OU=Staff,${SUFFIX}`),
  ou(`OU=Groups,${SUFFIX}`),
  ou(`OU=Computers,${SUFFIX}`),
  adGroup(SUFFIX, { cn: 'Domain Users', rid: 513 }),
  adGroup(SUFFIX, { cn: 'Contractors', rid: 1104 }),
  adGroup(SUFFIX, { cn: 'Engineering', rid: 1101, members: [user('Alice Adams'), group('Backend')] }),
  adGroup(SUFFIX, { cn: 'Backend', rid: 1102, members: [user('Bob Brown'), user('Carol Clark')], memberOf: [group('Engineering')] }),
  adGroup(SUFFIX, { cn: 'Admins', rid: 1103, members: [user('Dave Dunn'), `CN=Gone Away,OU=Staff,${SUFFIX}`] }),
  adUser(SUFFIX, { cn: 'Alice Adams', sam: 'alice', mail: 'alice@corp.example', rid: 1001, uac: 512, memberOf: [group('Engineering')] }),
  adUser(SUFFIX, { cn: 'Bob Brown', sam: 'bob', mail: 'bob@corp.example', rid: 1002, uac: 66048, memberOf: [group('Backend')] }),
  adUser(SUFFIX, { cn: 'Carol Clark', sam: 'carol', mail: 'carol@corp.example', rid: 1003, uac: 514, memberOf: [group('Backend')] }),
  adUser(SUFFIX, { cn: 'Dave Dunn', sam: 'dave', mail: 'dave@corp.example', rid: 1004, uac: 66050, memberOf: [group('Admins')] }),
  adUser(SUFFIX, { cn: 'Erin Evans', sam: 'erin', mail: 'erin@corp.example', rid: 1005, uac: 512, primaryGroup: 1104 }),
  // A computer is a user in AD's schema; the preset's filter leaves it out.
  `dn: CN=WS01,OU=Computers,${SUFFIX}\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: user\nobjectClass: computer\nobjectClass: securityPrincipal\n` +
    `cn: WS01\nsn: WS01\n${adObject('Person', SUFFIX)}sAMAccountName: WS01$\nuserAccountControl: 4096\nobjectSid:: ${sidBytes(AD_DOMAIN, 2001).toString('base64')}\n`,
];

const EXPECTED_GROUPS = {
  Admins: { users: ['dave'], groups: [] },
  Backend: { users: ['bob', 'carol'], groups: [] },
  Contractors: { users: ['erin'], groups: [] },
  'Domain Users': { users: ['alice', 'bob', 'carol', 'dave'], groups: [] },
  Engineering: { users: ['alice'], groups: ['Backend'] },
};

describe('an Active-Directory-like directory in a real slapd', () => {
  let slapd: Slapd;
  let dir: string;
  let env: Record<string, string>;
  let url: string;

  beforeAll(async () => {
    slapd = await startTestSlapd({ suffix: SUFFIX, schemas: ['msuser'], extraSchema: AD_EXTRA_SCHEMA, ldif: LDIF, sizeLimit: 3 });
    dir = tempDir();
    env = { USERMIG_LDAP_BIND_DN: slapd.readerDn, USERMIG_LDAP_PASSWORD: slapd.readerPassword };
    url = `ldap:${slapd.url}/${SUFFIX}`;
  });
  afterAll(async () => {
    await slapd?.destroy();
  });

  it('reads users, disabled accounts, primary groups and nested groups with the ad preset', () => {
    const workspace = path.join(dir, 'ad');
    const scanned = usermig(['scan', `corp=${url}`, '--ldap-preset', 'ad', '--workspace', workspace, '--json'], env);
    expect(scanned.code, scanned.stderr).toBe(0);
    const counts = (JSON.parse(scanned.stdout) as { sources: Array<{ counts: Record<string, number> }> }).sources[0]?.counts;
    expect(counts).toMatchObject({ directories: 1, users: 5, userKeys: 5, groups: 5, memberships: 10 });

    const stored = storedSource(workspace, 'corp');
    expect(stored.users.map((u) => [u.userName, u.active])).toEqual([
      ['alice', true],
      ['bob', true],
      ['carol', false],
      ['dave', false],
      ['erin', true],
    ]);
    const alice = stored.users[0];
    expect(alice).toMatchObject({ email: 'alice@corp.example', displayName: 'Alice Adams', updated: '2024-01-31T12:00:00Z' });
    // The user key is the objectGUID, written as AD writes GUIDs.
    expect(alice?.userKey).toBe(formatGuid(guidBytes(1001)));
    expect(alice?.userKey).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(stored.groups).toEqual(EXPECTED_GROUPS);

    const assessed = usermig(['assess', '--json', '--workspace', workspace]);
    expect([0, 1]).toContain(assessed.code);
    const summary = (JSON.parse(assessed.stdout) as { summary: Record<string, unknown> }).summary;
    expect(summary).toMatchObject({ sources: 1, users: 5, activeUsers: 3, groups: 5, directMemberships: 9, nestedGroups: 1 });
  });

  it('reads the same memberships from memberOf when the configuration says so', () => {
    const workspace = path.join(dir, 'memberof');
    fs.mkdirSync(workspace, { recursive: true });
    fs.writeFileSync(path.join(workspace, 'usermig.json'), JSON.stringify({ ldap: { preset: 'ad', useMemberOf: true, pageSize: 2 } }));
    const scanned = usermig(['scan', `corp=${url}`, '--workspace', workspace], env);
    expect(scanned.code, scanned.stderr).toBe(0);
    expect(storedSource(workspace, 'corp').groups).toEqual(EXPECTED_GROUPS);
  });

  it('without paging the reader could not see past the size limit (the limit is real)', async () => {
    const { Client } = await import('ldapts');
    const client = new Client({ url: slapd.url });
    await client.bind(slapd.readerDn, slapd.readerPassword);
    await expect(client.search(SUFFIX, { scope: 'sub', filter: '(objectClass=user)' })).rejects.toMatchObject({ code: 4 });
    await client.unbind();
  });
});
