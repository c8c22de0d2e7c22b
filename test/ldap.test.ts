/**
 * `usermig scan ldap:…` against a real OpenLDAP server (slapd on 127.0.0.1, started for this file): the
 * three group schemas of the openldap preset, nested groups, paging past the server's size limit, ldaps
 * with a private CA, and the failures — wrong password, unreachable server, a connection lost halfway
 * (through a loopback proxy that cuts it), a bad mapping — each keeping the previous snapshot.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInBackground as usermigAsync, usermig } from './support/cli.js';
import { tempDir } from './support/files.js';
import { ou, person, startTestSlapd, storedSource, type Slapd } from './support/slapd.js';

const SUFFIX = 'dc=example,dc=com';
const people = `ou=people,${SUFFIX}`;
const groups = `ou=groups,${SUFFIX}`;
const STAFF = Array.from({ length: 30 }, (_, i) => `u${String(i + 1).padStart(2, '0')}`);

const LDIF = [
  ou(people),
  ou(groups),
  person(`uid=alice,${people}`, 'alice', 'Alice Archer', 'alice@example.com', 'displayName: Alice A.\n'),
  person(`uid=bob,${people}`, 'bob', 'Bob Baker', 'bob@example.com'),
  ...STAFF.map((uid) => person(`uid=${uid},${people}`, uid, `Staff ${uid}`, `${uid}@example.com`)),
  // groupOfNames: a user, a nested group, a member that does not exist
  `dn: cn=developers,${groups}\nobjectClass: groupOfNames\ncn: developers\nmember: uid=alice,${people}\nmember: cn=operations,${groups}\nmember: uid=nobody,${people}\n`,
  // groupOfUniqueNames: a member with the optional unique identifier suffix, DN written with other spacing and case
  `dn: cn=operations,${groups}\nobjectClass: groupOfUniqueNames\ncn: operations\nuniqueMember: UID=Bob, OU=People, DC=Example, DC=Com#'0101'B\n`,
  // posixGroup: memberUid holds usernames
  `dn: cn=posix-users,${groups}\nobjectClass: posixGroup\ncn: posix-users\ngidNumber: 5000\nmemberUid: alice\nmemberUid: U01\nmemberUid: ghost\n`,
  `dn: cn=staff,${groups}\nobjectClass: groupOfNames\ncn: staff\n${STAFF.map((uid) => `member: uid=${uid},${people}\n`).join('')}`,
];

const ALL_USERS = ['alice', 'bob', ...STAFF].sort();

describe('scan an OpenLDAP directory', () => {
  let slapd: Slapd;
  let dir: string;
  let env: Record<string, string>;
  let source: string;

  beforeAll(async () => {
    slapd = await startTestSlapd({ suffix: SUFFIX, ldif: LDIF, sizeLimit: 5, tls: true });
    dir = tempDir();
    env = { USERMIG_LDAP_BIND_DN: slapd.readerDn, USERMIG_LDAP_PASSWORD: slapd.readerPassword };
    source = `dir=ldap:${slapd.url}/${SUFFIX}`;
  });
  afterAll(async () => {
    await slapd?.destroy();
  });

  const noSecret = (result: { stdout: string; stderr: string }) => {
    expect(result.stdout + result.stderr).not.toContain(slapd.readerPassword);
    expect(result.stdout + result.stderr).not.toContain('wrong-password-123');
  };

  it('reads users and the three group schemas, nested groups included, paging past the size limit of 5', () => {
    const workspace = path.join(dir, 'plain');
    const scanned = usermig(['scan', source, '--workspace', workspace], env);
    expect(scanned.code, scanned.stderr).toBe(0);
    expect(scanned.stdout).toMatch(/scanned dir \(ldap:ldap:\/\/127\.0\.0\.1:\d+\/dc=example,dc=com\) in .*: 1 directories, 32 users, 4 groups, 35 memberships/);
    noSecret(scanned);
    const stored = storedSource(workspace, 'dir');
    expect(stored.users.map((u) => u.userName)).toEqual(ALL_USERS);
    const alice = stored.users.find((u) => u.userName === 'alice');
    expect(alice).toMatchObject({ email: 'alice@example.com', displayName: 'Alice A.', active: true });
    expect(alice?.userKey).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/); // entryUUID
    expect(alice?.updated).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(stored.users.find((u) => u.userName === 'bob')?.displayName).toBe('Bob Baker'); // no displayName: cn
    expect(stored.groups).toEqual({
      developers: { users: ['alice'], groups: ['operations'] },
      operations: { users: ['bob'], groups: [] },
      'posix-users': { users: ['alice', 'u01'], groups: [] },
      staff: { users: STAFF, groups: [] },
    });
  });

  it('assess, decide, plan and apply work on the LDAP source as on any other', () => {
    const workspace = path.join(dir, 'plain');
    const assessed = usermig(['assess', '--json', '--workspace', workspace]);
    expect([0, 1]).toContain(assessed.code);
    const json = JSON.parse(assessed.stdout) as { summary: Record<string, unknown>; findings: Array<{ code: string }> };
    expect(json.summary).toMatchObject({ sources: 1, users: 32, activeUsers: 32, groups: 4, directMemberships: 34, nestedGroups: 1, invalidEmails: 0 });
    expect(json.findings.map((f) => f.code)).toContain('domain-untrusted');
    expect(usermig(['domains', 'trust', '--all', '--workspace', workspace]).code).toBe(0);
    const planned = usermig(['plan', '--workspace', workspace]);
    expect(planned.code, planned.stderr + planned.stdout).toBe(0);
    expect(planned.stdout).toContain('+ account alice@example.com  (dir:alice)');
    // 32 accounts and 4 groups; developers gets bob through the nested operations group.
    expect(planned.stdout).toContain('+ developers: 2 members');
    expect(planned.stdout).toMatch(/36 to create, 0 to link, 35 memberships to add/);
    const applied = usermig(['apply', '--yes', '--workspace', workspace]);
    expect(applied.code, applied.stderr + applied.stdout).toBe(0);
  });

  it('reads over ldaps:// when --ca names the private CA, and refuses the certificate without it', () => {
    const workspace = path.join(dir, 'tls');
    const secure = `dir=ldap:${slapd.ldapsUrl}/${SUFFIX}`;
    const refused = usermig(['scan', secure, '--workspace', workspace], env);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/LDAP source "dir" .*TLS certificate was not trusted.*--ca FILE/);
    const scanned = usermig(['scan', secure, '--ca', slapd.caFile as string, '--workspace', workspace], env);
    expect(scanned.code, scanned.stderr).toBe(0);
    expect(storedSource(workspace, 'dir').users).toHaveLength(32);
  });

  it('wrong credentials: exit 3 naming the source and the LDAP result, no secret printed', () => {
    const workspace = path.join(dir, 'plain');
    const result = usermig(['scan', source, '--workspace', workspace], { ...env, USERMIG_LDAP_PASSWORD: 'wrong-password-123' });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('LDAP source "dir"');
    expect(result.stderr).toContain('invalidCredentials (49)');
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    noSecret(result);
    expect(storedSource(workspace, 'dir').users).toHaveLength(32);
  });

  it('a bad mapping in the configuration: exit 2 naming the setting, before anything is read', () => {
    const workspace = path.join(dir, 'plain');
    const config = path.join(dir, 'bad.json');
    fs.writeFileSync(config, JSON.stringify({ ldap: { usernameAtribute: 'uid' } }));
    const unknown = usermig(['scan', source, '--config', config, '--workspace', workspace], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('"ldap.usernameAtribute" is not an LDAP setting');
    fs.writeFileSync(config, JSON.stringify({ ldap: { pageSize: 0, groupFilter: '(cn=x' } }));
    const page = usermig(['scan', source, '--config', config, '--workspace', workspace], env);
    expect(page.code).toBe(2);
    expect(page.stderr).toContain('ldap.pageSize must be a whole number from 1 to 100000');
    fs.writeFileSync(config, JSON.stringify({ ldap: { groupFilter: '(cn=x' } }));
    expect(usermig(['scan', source, '--config', config, '--workspace', workspace], env).stderr).toContain('ldap.groupFilter is not a valid LDAP filter');
    const preset = usermig(['scan', source, '--ldap-preset', 'novell', '--workspace', workspace], env);
    expect(preset.code).toBe(2);
    expect(preset.stderr).toContain('--ldap-preset must be one of openldap, ad');
    expect(usermig(['scan', `ldap:${slapd.url}`, '--workspace', workspace], env).stderr).toContain('has no base DN');
  });

  it('a connection lost halfway: exit 3 saying how far it got, and the previous snapshot stays', async () => {
    const workspace = path.join(dir, 'cut');
    expect(usermig(['scan', source, '--workspace', workspace], env).code).toBe(0);
    // A new user appears; the next scan breaks off before the end, so the stored snapshot must not have it.
    const admin = new Client({ url: slapd.url });
    await admin.bind(slapd.rootDn, slapd.rootPassword);
    await admin.add(`uid=zed,${people}`, { objectClass: 'inetOrgPerson', uid: 'zed', cn: 'Zed Z', sn: 'Z', mail: 'zed@example.com' });
    await admin.unbind();

    const proxy = await cuttingProxy(slapd.port, 6000);
    try {
      fs.writeFileSync(path.join(workspace, 'usermig.json'), JSON.stringify({ ldap: { pageSize: 3 } }));
      const result = await usermigAsync(['scan', `dir=ldap:ldap://127.0.0.1:${proxy.port}/${SUFFIX}`, '--workspace', workspace], env);
      expect(result.code, result.stderr).toBe(3);
      expect(result.stderr).toMatch(/LDAP source "dir" .*lost the connection to the server.*stopped after [\d,]+ entries read \(\d+ users, \d+ groups, \d+ memberships\), the previous snapshot of "dir" is kept/);
      noSecret(result);
    } finally {
      await proxy.close();
    }
    const kept = storedSource(workspace, 'dir');
    expect(kept.users.map((u) => u.userName)).toEqual(ALL_USERS);

    const again = usermig(['scan', source, '--workspace', workspace], env);
    expect(again.code, again.stderr).toBe(0);
    expect(storedSource(workspace, 'dir').users.map((u) => u.userName)).toContain('zed');
  });

  it('a server that is stopped: exit 3, the previous snapshot stays; started again, the scan works', async () => {
    const workspace = path.join(dir, 'plain');
    await slapd.stop();
    try {
      const result = usermig(['scan', source, '--workspace', workspace], env);
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(/LDAP source "dir" \(ldap:\/\/127\.0\.0\.1:\d+\/dc=example,dc=com\): cannot reach the server: .*ECONNREFUSED.*nothing was changed/);
      expect(storedSource(workspace, 'dir').users).toHaveLength(32);
    } finally {
      await slapd.restart();
    }
    expect(usermig(['scan', source, '--workspace', workspace], env).code).toBe(0);
  });
});

/** A loopback TCP proxy to slapd that closes both sides once `limit` bytes have come back from the server. */
async function cuttingProxy(targetPort: number, limit: number): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort });
    sockets.add(client).add(upstream);
    let sent = 0;
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk: Buffer) => {
      const room = limit - sent;
      if (room <= 0) return;
      client.write(chunk.subarray(0, room));
      sent += Math.min(room, chunk.length);
      if (sent >= limit) {
        client.destroy();
        upstream.destroy();
      }
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

