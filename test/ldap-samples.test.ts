/**
 * The Planet Express test directory (rroemhild/docker-test-openldap, ../shared/samples/docker-test-openldap)
 * loaded into a real slapd with the upstream image's own AD-style schema addition (config_msad.ldif:
 * groupType and the `Group` class) and scanned with the openldap preset, its group object classes
 * extended to `Group` in usermig.json. The samples hold three of the seven people, so some member DNs
 * dangle on purpose; Amy's DN is multi-valued (cn=Amy Wong+sn=Kroker), Fry carries a 30 KB jpegPhoto.
 * Read through USERMIG_SAMPLES (set by .ci/run); skipped with a warning when the samples are absent.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usermig } from './support/cli.js';
import { tempDir } from './support/files.js';
import { startTestSlapd, storedSource, type Slapd } from './support/slapd.js';

const samples = process.env.USERMIG_SAMPLES;
const folder = samples ? path.join(samples, 'docker-test-openldap') : '';
const present = Boolean(samples) && fs.existsSync(folder);
if (!present) console.warn('ldap-samples.test.ts: USERMIG_SAMPLES is not set (or has no docker-test-openldap): the Planet Express case is skipped');

// config_msad.ldif's definitions, in slapd.conf syntax.
const MSAD_SCHEMA = `attributetype ( 1.2.840.113556.1.4.750 NAME 'groupType' SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
objectclass ( 1.2.840.113556.1.5.8 NAME 'Group' DESC 'a group of users' SUP top STRUCTURAL MUST ( groupType $ cn ) MAY ( member ) )
`;

describe.skipIf(!present)('the Planet Express sample directory', () => {
  let slapd: Slapd;
  let dir: string;

  beforeAll(async () => {
    const files = ['00_people.ldif', '10_people_amy.ldif', '10_people_fry.ldif', '10_people_hermes.ldif', '30_groups_admin.ldif', '30_groups_crew.ldif'];
    slapd = await startTestSlapd({
      suffix: 'dc=planetexpress,dc=com',
      extraSchema: MSAD_SCHEMA,
      ldif: files.map((file) => fs.readFileSync(path.join(folder, file), 'utf8')),
    });
    dir = tempDir();
  });
  afterAll(async () => {
    await slapd?.destroy();
  });

  it('scans and assesses it', () => {
    const workspace = path.join(dir, 'ws');
    fs.mkdirSync(workspace);
    fs.writeFileSync(path.join(workspace, 'usermig.json'), JSON.stringify({ ldap: { groupObjectClass: ['groupOfNames', 'groupOfUniqueNames', 'Group'] } }));
    const env = { USERMIG_LDAP_BIND_DN: slapd.readerDn, USERMIG_LDAP_PASSWORD: slapd.readerPassword };
    const scanned = usermig(['scan', `planetexpress=ldap:${slapd.url}/dc=planetexpress,dc=com`, '--workspace', workspace], env);
    expect(scanned.code, scanned.stderr).toBe(0);
    const stored = storedSource(workspace, 'planetexpress');
    expect(stored.users.map((u) => [u.userName, u.email, u.displayName])).toEqual([
      ['amy', 'amy@planetexpress.com', 'Amy Wong'],
      ['fry', 'fry@planetexpress.com', 'Fry'],
      ['hermes', 'hermes@planetexpress.com', 'Hermes Conrad'],
    ]);
    // Farnsworth, Leela and Bender are not in the samples: their member DNs dangle and are left out.
    expect(stored.groups).toEqual({ admin_staff: { users: ['hermes'], groups: [] }, ship_crew: { users: ['fry'], groups: [] } });
    const assessed = usermig(['assess', '--json', '--workspace', workspace]);
    expect([0, 1]).toContain(assessed.code);
    expect((JSON.parse(assessed.stdout) as { summary: Record<string, unknown> }).summary).toMatchObject({ sources: 1, users: 3, groups: 2, directMemberships: 2 });
  });
});
