/**
 * The pure parts of the LDAP reader. Range retrieval is tested here, not against slapd: OpenLDAP never
 * answers with ranges (only Active Directory does, above MaxValRange = 1500 values), so these tests
 * feed the reader's parser the attribute names AD returns.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';
import { classFilter, parseLdapUrl, resolveLdapMapping } from '../src/sources/ldap-mapping.js';
import {
  attributesOf,
  firstRdnValue,
  formatGuid,
  formatSid,
  generalizedTime,
  isDisabledAccount,
  normaliseDn,
  rangeRequest,
  rangedValues,
  stripUniqueIdentifier,
  TextIndex,
  type LdapEntry,
} from '../src/sources/ldap-values.js';

const entry = (attributes: Record<string, string | string[]>): LdapEntry => ({ dn: 'cn=g,dc=x', ...attributes }) as LdapEntry;

describe('range retrieval (Active Directory)', () => {
  it('reads a first range and says where the next starts', () => {
    const values = Array.from({ length: 1500 }, (_, i) => `cn=u${i},dc=x`);
    const first = rangedValues(attributesOf(entry({ 'member;range=0-1499': values, member: [] })), 'member');
    expect(first.values).toHaveLength(1500);
    expect(first.next).toBe(1500);
    expect(rangeRequest('member', first.next as number)).toBe('member;range=1500-*');
  });
  it('stops at the last range (…-*) and accepts any case and the ;binary option', () => {
    expect(rangedValues(attributesOf(entry({ 'Member;Range=3000-*': ['cn=a,dc=x', 'cn=b,dc=x'] })), 'member')).toEqual({ values: ['cn=a,dc=x', 'cn=b,dc=x'], next: undefined });
    expect(rangedValues(attributesOf(entry({ 'member;binary;range=10-19': ['cn=a,dc=x'] })), 'member')).toEqual({ values: ['cn=a,dc=x'], next: 20 });
  });
  it('takes a plain attribute whole and ignores other attributes that merely start alike', () => {
    expect(rangedValues(attributesOf(entry({ member: 'cn=a,dc=x', memberOf: 'cn=p,dc=x', 'memberuid;range=0-1': ['x'] })), 'member')).toEqual({ values: ['cn=a,dc=x'], next: undefined });
  });
});

describe('LDAP values', () => {
  it('compares DNs whatever their case, spacing, escapes and RDN order', () => {
    expect(normaliseDn('CN=Alice Adams,OU=Staff,DC=corp,DC=example')).toBe('cn=alice adams,ou=staff,dc=corp,dc=example');
    expect(normaliseDn('UID=Bob, OU=People , DC=Example')).toBe('uid=bob,ou=people,dc=example');
    expect(normaliseDn('sn=Kroker+cn=Amy Wong,ou=people')).toBe(normaliseDn('cn=Amy Wong+sn=Kroker,ou=people'));
    expect(normaliseDn('cn=Rodr\\C3\\ADguez,ou=people')).toBe('cn=rodríguez,ou=people');
    expect(normaliseDn('cn=Smith\\, John,ou=people')).toBe('cn=smith\\, john,ou=people');
    expect(normaliseDn('cn=Smith\\2C John,ou=people')).toBe('cn=smith\\, john,ou=people');
    expect(stripUniqueIdentifier("uid=bob,dc=x#'0101'B")).toBe('uid=bob,dc=x');
    expect(stripUniqueIdentifier('cn=a\\#b,dc=x')).toBe('cn=a\\#b,dc=x');
    expect(firstRdnValue('cn=Amy Wong+sn=Kroker,ou=people')).toBe('Amy Wong');
  });
  it('reads userAccountControl, objectGUID, objectSid and generalized time as AD writes them', () => {
    expect([512, 514, 66048, 66050, -2147483646].map((v) => isDisabledAccount(String(v)))).toEqual([false, true, false, true, true]);
    expect(isDisabledAccount('')).toBe(false);
    const guid = Buffer.from('0f8a7b3c5d4e6f708192a3b4c5d6e7f8', 'hex');
    expect(formatGuid(guid)).toBe('3c7b8a0f-4e5d-706f-8192-a3b4c5d6e7f8');
    const sid = Buffer.from('010500000000000515000000dcf4dc3b833d2b46828ba62801020000', 'hex');
    expect(formatSid(sid)).toBe('S-1-5-21-1004336348-1177238915-682003330-513');
    expect(generalizedTime('20240131120000.0Z')).toBe('2024-01-31T12:00:00Z');
    expect(generalizedTime('20240131120000+0200')).toBe('2024-01-31T12:00:00+02:00');
    expect(generalizedTime('yesterday')).toBe('');
  });
});

describe("the reader's index of DNs and names", () => {
  /** A deterministic generator (mulberry32). */
  const random = (seed: number) => () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };

  it('finds a DN as a Map keyed by normaliseDn does, however it is written', () => {
    const next = random(5);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
    // Spellings of the same DNs: case, spaces, escapes, '+', quotes, non-ASCII, a uniqueMember suffix.
    const values = ['amy', 'Amy', 'AMY', 'Rodríguez', 'Rodr\\C3\\ADguez', 'Smith\\, John', 'Smith\\2C John', '"Smith, John"', '李', 'x#\'01\'B'];
    const rdn = () =>
      `${pick(['cn', 'CN', 'uid', ' cn'])}=${pick(['', '', ' '])}${next() < 0.6 ? pick(values.slice(0, 3)) : pick(values)}${Math.floor(next() * 50)}${pick(['', '', '+sn=K', '+SN=k'])}`;
    // Half of them plain (what normaliseDn only lower-cases), half not.
    const plain = () => `${pick(['cn', 'CN', 'uid'])}=${pick(values.slice(0, 3))}${Math.floor(next() * 50)},${pick(['ou=People', 'OU=PEOPLE'])},${pick(['dc=example,dc=com', 'DC=Example,DC=Com'])}`;
    const messy = () =>
      [rdn(), pick(['ou=People', 'OU=PEOPLE', ' ou=people']), pick(['dc=example,dc=com', 'DC=Example,DC=Com', 'DC=Example, DC=Com'])].join(pick([',', ',', ', ', ';']));
    const dn = () => (next() < 0.5 ? plain() : messy());
    const index = new TextIndex();
    const map = new Map<string, number>();
    for (let i = 0; i < 5000; i++) {
      const written = dn();
      if (next() < 0.5) {
        index.setDn(written, i);
        map.set(normaliseDn(written), i);
      }
      expect(index.getDn(written)).toBe(map.get(normaliseDn(written)) ?? -1);
    }
    expect(index.size).toBe(map.size);
  });

  it('keeps any text: many keys, wide characters, keys longer than a page, replaced values', () => {
    const index = new TextIndex();
    const keys = Array.from({ length: 50_000 }, (_, i) => `user${i}${i % 7 === 0 ? 'é' : ''}${i % 11 === 0 ? '李🚀' : ''}`);
    keys.forEach((key, i) => index.set(key, i));
    const long = 'x'.repeat(1_500_000);
    index.set(long, 7);
    index.set(`${long}李`, 8);
    index.set('user3', 33);
    expect(keys.every((key, i) => index.get(key) === (i === 3 ? 33 : i))).toBe(true);
    expect([index.get(long), index.get(`${long}李`), index.get(`${long}x`), index.get('USER1'), index.get('')]).toEqual([7, 8, -1, -1, -1]);
    expect(index.size).toBe(50_002);
  });
});

describe('the LDAP mapping', () => {
  it('takes the preset defaults and the configuration file over them', () => {
    const ad = resolveLdapMapping(undefined, 'ad');
    expect(ad).toMatchObject({ usernameAttribute: 'sAMAccountName', uniqueIdAttribute: 'objectGUID', primaryGroups: true, userAccountControlAttribute: 'userAccountControl' });
    const openldap = resolveLdapMapping(parseConfig('{"ldap":{"groupObjectClass":"Group","pageSize":50}}', 'u.json'), undefined);
    expect(openldap).toMatchObject({ preset: 'openldap', usernameAttribute: 'uid', groupObjectClass: ['Group'], pageSize: 50 });
    expect(classFilter(['groupOfNames', 'posixGroup'], '(cn=a*)')).toBe('(&(|(objectClass=groupOfNames)(objectClass=posixGroup))(cn=a*))');
    // --ldap-preset wins over the file's preset
    expect(resolveLdapMapping(parseConfig('{"ldap":{"preset":"openldap"}}', 'u.json'), 'ad').preset).toBe('ad');
  });
  it('names the file and the setting at fault', () => {
    const bad = (text: string) => () => resolveLdapMapping(parseConfig(text, 'u.json'), undefined);
    expect(bad('{"ldap":{"emailAttribute":"e mail"}}')).toThrow('u.json: ldap.emailAttribute must be an LDAP attribute name');
    expect(bad('{"ldap":{"nestedGroups":"yes"}}')).toThrow('u.json: ldap.nestedGroups must be true or false');
    expect(bad('{"ldap":{"userObjectClass":[]}}')).toThrow('u.json: ldap.userObjectClass must be an object class name or a non-empty list');
    expect(bad('{"ldap":{"userFilter":"objectClass=x"}}')).toThrow('u.json: ldap.userFilter is not a valid LDAP filter');
    expect(bad('{"ldap":{"preset":"novell"}}')).toThrow('u.json: ldap.preset must be one of openldap, ad');
    expect(() => parseConfig('{"ldapp":{}}', 'u.json')).toThrow('u.json: "ldapp" is not a setting of usermig');
    expect(() => parseConfig('{"ldap":', 'u.json')).toThrow('u.json is not valid JSON');
  });
  it('parses the source URL: server and base DN', () => {
    expect(parseLdapUrl('ldaps://dc1.corp.example:636/DC=corp,DC=example')).toEqual({ server: 'ldaps://dc1.corp.example:636', secure: true, baseDn: 'DC=corp,DC=example' });
    expect(parseLdapUrl('ldap://h/ou=A%20B,dc=x').baseDn).toBe('ou=A B,dc=x');
    expect(() => parseLdapUrl('ldap://h')).toThrow('has no base DN');
    expect(() => parseLdapUrl('http://h/dc=x')).toThrow('is not an LDAP source');
    expect(() => parseLdapUrl('ldap://admin:pw@h/dc=x')).toThrow('cannot carry credentials');
  });
});
