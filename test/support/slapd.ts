/**
 * A real OpenLDAP server for the LDAP tests (src/bench/slapd.ts starts it), LDIF builders for an
 * OpenLDAP layout and an Active-Directory-like layout, and a view of what a scan stored.
 *
 * The AD-like layout uses OpenLDAP's own port of the Active Directory schema (/etc/ldap/schema/msuser.schema:
 * user, group, sAMAccountName, userAccountControl, objectGUID, objectSid, primaryGroupID, memberOf…).
 * What OpenLDAP cannot imitate: memberOf is written into the LDIF (AD computes it), objectCategory holds
 * the DN but cannot be matched by its short name, and there is no range retrieval (ranges are unit-tested).
 */
import { expect } from 'vitest';
import { slapdAvailable, startSlapd, type Slapd, type SlapdOptions } from '../../src/bench/slapd.js';
import { withEstate } from '../../src/cli/workspace-estate.js';

export { startSlapd, type Slapd };

/** Starts slapd, failing with a clear message when it is not installed (.ci/run installs it). */
export async function startTestSlapd(options: SlapdOptions): Promise<Slapd> {
  expect(
    slapdAvailable(),
    'slapd is not installed: DEBIAN_FRONTEND=noninteractive apt-get install -y slapd ldap-utils (.ci/run does it)',
  ).toBe(true);
  return startSlapd(options);
}

export interface StoredSource {
  users: Array<{ userName: string; userKey: string; active: boolean; email: string; displayName: string; updated: string }>;
  /** group name → sorted direct member usernames and member group names */
  groups: Record<string, { users: string[]; groups: string[] }>;
  directMemberships: number;
}

/** What the workspace holds for a source, through the same loader assess uses. */
export function storedSource(workspace: string, name: string): StoredSource {
  return withEstate(workspace, ({ estate }) => {
    const source = estate.sources.find((s) => s.name === name);
    if (!source) throw new Error(`no source ${name} in ${workspace}`);
    const groups: StoredSource['groups'] = {};
    for (const group of source.groups) {
      groups[group.name] = {
        users: [...group.directUsers].map((i) => source.users[i]?.userName ?? `#${i}`).sort(),
        groups: [...group.children].map((i) => source.groups[i]?.name ?? `#${i}`).sort(),
      };
    }
    return {
      users: source.users
        .map((u) => ({ userName: u.userName, userKey: u.userKey, active: u.active, email: u.rawEmail, displayName: u.displayName, updated: u.updated }))
        .sort((a, b) => a.userName.localeCompare(b.userName)),
      groups,
      directMemberships: source.directMemberships,
    };
  });
}

/** An inetOrgPerson entry. */
export function person(dn: string, uid: string, cn: string, mail: string, extra = ''): string {
  return `dn: ${dn}\nobjectClass: inetOrgPerson\nuid: ${uid}\ncn: ${cn}\nsn: ${cn.split(' ').pop()}\nmail: ${mail}\n${extra}`;
}

/** A SID as AD stores it: S-1-5-21-a-b-c-rid. */
export function sidBytes(domain: [number, number, number], rid: number): Buffer {
  const parts = [21, ...domain, rid];
  const buffer = Buffer.alloc(8 + 4 * parts.length);
  buffer[0] = 1;
  buffer[1] = parts.length;
  buffer.writeUIntBE(5, 2, 6);
  parts.forEach((part, i) => buffer.writeUInt32LE(part, 8 + 4 * i));
  return buffer;
}

export function guidBytes(n: number): Buffer {
  const buffer = Buffer.alloc(16);
  buffer.writeUInt32LE(0x1000_0000 + n, 0);
  buffer.writeUInt16LE(0xabcd, 4);
  buffer.writeUInt16LE(0x4ef0, 6);
  buffer.writeUInt32BE(0x8000_0000 + n, 8);
  buffer.writeUInt32BE(n, 12);
  return buffer;
}

/**
 * msuser.schema lacks AD's auxiliary class securityPrincipal (objectSid, sAMAccountName, which AD's user
 * and group classes get through it): defined here as AD defines it, with AD's OID.
 */
export const AD_EXTRA_SCHEMA = `objectclass ( 1.2.840.113556.1.5.6 NAME 'securityPrincipal' SUP top AUXILIARY
  MUST ( objectSid $ sAMAccountName ) )
`;

/** The AD-required attributes of every object (msuser.schema's mstop). */
export function adObject(category: 'Person' | 'Group', suffix: string): string {
  return `instanceType: 4\nnTSecurityDescriptor:: AQAEgA==\nobjectCategory: CN=${category},CN=Schema,CN=Configuration,${suffix}\n`;
}

export const AD_DOMAIN: [number, number, number] = [1004336348, 1177238915, 682003330];

export function adUser(
  suffix: string,
  options: { cn: string; sam: string; mail: string; rid: number; uac: number; primaryGroup?: number; memberOf?: string[]; ou?: string },
): string {
  const dn = `CN=${options.cn},${options.ou ?? 'OU=Staff'},${suffix}`;
  return (
    `dn: ${dn}\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: user\nobjectClass: securityPrincipal\n` +
    `cn: ${options.cn}\nsn: ${options.cn.split(' ').pop()}\n${adObject('Person', suffix)}` +
    `sAMAccountName: ${options.sam}\nuserPrincipalName: ${options.sam}@corp.example\nmail: ${options.mail}\ndisplayName: ${options.cn}\n` +
    `userAccountControl: ${options.uac}\nprimaryGroupID: ${options.primaryGroup ?? 513}\n` +
    `objectSid:: ${sidBytes(AD_DOMAIN, options.rid).toString('base64')}\nobjectGUID:: ${guidBytes(options.rid).toString('base64')}\n` +
    `whenChanged: 20240131120000.0Z\n` +
    (options.memberOf ?? []).map((group) => `memberOf: ${group}\n`).join('')
  );
}

export function adGroup(suffix: string, options: { cn: string; rid: number; members?: string[]; memberOf?: string[]; ou?: string }): string {
  const dn = `CN=${options.cn},${options.ou ?? 'OU=Groups'},${suffix}`;
  return (
    `dn: ${dn}\nobjectClass: top\nobjectClass: group\nobjectClass: securityPrincipal\ncn: ${options.cn}\ngroupType: -2147483646\n${adObject('Group', suffix)}` +
    `sAMAccountName: ${options.cn}\nobjectSid:: ${sidBytes(AD_DOMAIN, options.rid).toString('base64')}\nobjectGUID:: ${guidBytes(100_000 + options.rid).toString('base64')}\n` +
    (options.members ?? []).map((member) => `member: ${member}\n`).join('') +
    (options.memberOf ?? []).map((group) => `memberOf: ${group}\n`).join('')
  );
}

export function ou(dn: string): string {
  const name = /^ou=([^,]+)/i.exec(dn)?.[1] ?? dn;
  return `dn: ${dn}\nobjectClass: organizationalUnit\nou: ${name}\n`;
}
