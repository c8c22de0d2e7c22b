/**
 * Reads an LDAP directory (OpenLDAP, Active Directory, or any LDAPv3 server) into snapshot records: one
 * directory, its users (with their user keys), its groups, and the memberships — user-in-group and, for
 * nested groups, group-in-group — the same records the backup readers produce.
 *
 * Source spec `ldap:ldap://host:389/dc=example,dc=com` (or ldaps://); the bind DN and password come from
 * USERMIG_LDAP_BIND_DN and USERMIG_LDAP_PASSWORD only (anonymous when unset); the mapping from the preset
 * and the configuration file (ldap-mapping.ts). TLS certificates are verified; `--ca FILE` trusts a
 * private CA.
 *
 * User key: the entry's stable unique identifier (entryUUID on OpenLDAP, objectGUID on Active Directory,
 * as AD writes GUIDs), so that decisions follow a renamed or moved user; the DN when the entry has none.
 *
 * Three paged searches (simple paged results control), each page handed to the sink before the next is
 * asked for, honouring the sink's backpressure:
 * 1. groups, names only: DN → group name (and objectSid → name for AD primary groups);
 * 2. users: the user records, DN → username (what member DNs resolve against);
 * 3. groups with their members, resolved as they arrive: memberships stream, never gathered in memory.
 * So memory holds two indexes (one entry per user and per group: DN → user or group, lower-case name →
 * user or group), not the memberships; their keys lie in typed arrays outside the JavaScript heap
 * (TextIndex in ldap-values.ts): some 115 bytes per user with the benchmark's DNs of 41 characters.
 * Large member attributes are read through AD's range retrieval. With `useMemberOf`, memberships come
 * from the users' and groups' memberOf attribute instead, and the third search is not needed.
 */
import fs from 'node:fs';
import { Client, type SearchResult } from 'ldapts';
import { UsermigError, usageError } from '../model/errors.js';
import type { SnapshotSink } from '../model/snapshot.js';
import { MembershipTable, type MembershipTableSink } from './membership-table.js';
import type { SourceContext } from './index.js';
import { classFilter, parseLdapUrl, resolveLdapMapping, underBase, type LdapLocation, type LdapMapping } from './ldap-mapping.js';
import {
  TextIndex,
  attributesOf,
  domainOfSid,
  firstBuffer,
  firstRdnValue,
  firstText,
  formatGuid,
  formatSid,
  generalizedTime,
  isDisabledAccount,
  rangeRequest,
  rangedValues,
  stripUniqueIdentifier,
  type LdapEntry,
} from './ldap-values.js';

export const LDAP_BIND_DN_VARIABLE = 'USERMIG_LDAP_BIND_DN';
export const LDAP_PASSWORD_VARIABLE = 'USERMIG_LDAP_PASSWORD';

/** The directory id the records of an LDAP source carry (one directory per source). */
export const LDAP_DIRECTORY_ID = 'ldap';

/** Names of the LDAP result codes (RFC 4511 §4.1.9) an administrator may meet. */
const RESULT_CODES: Record<number, string> = {
  1: 'operationsError',
  2: 'protocolError',
  3: 'timeLimitExceeded',
  4: 'sizeLimitExceeded',
  7: 'authMethodNotSupported',
  8: 'strongerAuthRequired',
  10: 'referral',
  11: 'adminLimitExceeded',
  12: 'unavailableCriticalExtension',
  13: 'confidentialityRequired',
  32: 'noSuchObject',
  34: 'invalidDNSyntax',
  48: 'inappropriateAuthentication',
  49: 'invalidCredentials',
  50: 'insufficientAccessRights',
  51: 'busy',
  52: 'unavailable',
  53: 'unwillingToPerform',
  80: 'other',
};

export function resultCodeText(code: number): string {
  return `${RESULT_CODES[code] ?? 'result code'} (${code})`;
}

export type LdapProgress = (entries: number, total: number) => void;

export async function readLdap(
  location: string,
  sink: SnapshotSink & Partial<MembershipTableSink>,
  onProgress?: LdapProgress,
  context?: SourceContext,
): Promise<void> {
  const name = context?.name ?? 'ldap';
  const options = context?.options ?? {};
  const env = options.env ?? process.env;
  const where = parseLdapUrl(location);
  const mapping = resolveLdapMapping(options.config, options.ldapPreset);
  const bindDn = env[LDAP_BIND_DN_VARIABLE] ?? '';
  const password = env[LDAP_PASSWORD_VARIABLE] ?? '';
  if (password && !bindDn) {
    throw usageError(`${LDAP_PASSWORD_VARIABLE} is set but ${LDAP_BIND_DN_VARIABLE} is not: set the bind DN too (or neither, to bind anonymously)`);
  }
  let ca: Buffer | undefined;
  if (options.caFile) {
    try {
      ca = fs.readFileSync(options.caFile);
    } catch (error) {
      throw usageError(`cannot read the CA file given with --ca (${options.caFile}): ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  const timeout = mapping.timeoutSeconds * 1000;
  const client = new Client({
    url: where.server,
    timeout,
    connectTimeout: Math.min(timeout, 15_000),
    tlsOptions: where.secure ? { rejectUnauthorized: true, ...(ca ? { ca: [ca] } : {}) } : undefined,
  });
  const reader = new LdapReader(client, where, mapping, sink, onProgress);
  try {
    if (bindDn) {
      reader.phase = 'bind';
      await client.bind(bindDn, password);
    }
    await reader.read();
  } catch (error) {
    throw explain(error, reader, { name, location, bindDn, hasCa: Boolean(ca), secure: where.secure, hasSnapshot: context?.hasSnapshot ?? true });
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

type Phase = 'connect' | 'bind' | 'groups' | 'users' | 'members';

/**
 * Groups per page of the search of the groups' members (or the mapping's pageSize when smaller). ldapts
 * hands over a page only when all of it has come, and a page of groups holds every member value of its
 * groups: at 1,000 groups of 100 members, 100,000 values (some 20 MB of parsed messages) lived through
 * several young-generation collections, and V8 grew its old generation to a few times that. At 100 groups
 * a page, the reader's heap stays about the same whatever the size of the directory; 10,000 groups take
 * 100 round trips.
 */
const MEMBERS_PAGE_SIZE = 100;

class LdapReader {
  phase: Phase = 'connect';
  entries = 0;
  users = 0;
  groups = 0;
  memberships = 0;
  /** Member values that name no user or group of the mapping (e.g. deleted entries, other OUs). */
  dangling = 0;

  /** The group names passed to the sink, in order: a group's number is its place here. */
  private readonly groupList: string[] = [];
  /** DN (compared normalised) → the group's number. */
  private readonly groupByDn = new TextIndex();
  /** Lower-case group name → the group's number (two entries of one name are one group, named as first seen). */
  private readonly groupNames = new TextIndex();
  /** objectSid → group name, for AD primary groups. */
  private readonly groupBySid = new Map<string, string>();
  /** DN (compared normalised) → the user's place among the users passed to the sink. */
  private readonly userByDn = new TextIndex();
  /**
   * The usernames passed to the sink, in order, for a sink that takes memberships one by one (by name);
   * undefined with a membership table, whose rows name a user by its place alone.
   */
  private readonly userList: string[] | undefined;
  /**
   * With a sink that takes memberships as a table (the workspace's does): user-in-group rows name the
   * member by its place, so the writer finds it by index instead of by name (src/sources/membership-table.ts).
   */
  private readonly table: MembershipTable | undefined;
  /** Lower-case username → its place among the users (dedupe, and posixGroup memberUid values). */
  private readonly userNames = new TextIndex();
  /** With useMemberOf: each group's memberOf values, resolved once every group is known. */
  private readonly groupParents: Array<[string, string[]]> = [];
  private readonly bufferAttributes: string[];

  constructor(
    private readonly client: Client,
    private readonly where: LdapLocation,
    private readonly mapping: LdapMapping,
    private readonly sink: SnapshotSink & Partial<MembershipTableSink>,
    private readonly onProgress: LdapProgress | undefined,
  ) {
    const takeTable = sink.membershipTable?.bind(sink);
    this.table = takeTable ? new MembershipTable(takeTable) : undefined;
    this.userList = this.table ? undefined : [];
    const binary = ['objectGUID', 'objectSid'];
    if (/^object(guid|sid)$/i.test(mapping.uniqueIdAttribute)) binary.push(mapping.uniqueIdAttribute);
    this.bufferAttributes = [...binary, ...binary.map((a) => a.toLowerCase())];
  }

  async read(): Promise<void> {
    const m = this.mapping;
    this.phase = 'connect';
    this.sink.directory({
      id: LDAP_DIRECTORY_ID,
      name: `${m.preset === 'ad' ? 'Active Directory' : 'LDAP'} ${this.where.server}/${this.where.baseDn}`,
      position: 0,
      active: true,
      type: 'CONNECTOR',
    });
    this.phase = 'groups';
    await this.search(underBase(m.groupDn, this.where.baseDn), classFilter(m.groupObjectClass, m.groupFilter), this.groupNameAttributes(), (e) =>
      this.groupName(e),
    );
    if (m.useMemberOf) this.groupParentsByMemberOf();
    this.phase = 'users';
    await this.search(underBase(m.userDn, this.where.baseDn), classFilter(m.userObjectClass, m.userFilter), this.userAttributes(), (e) => this.user(e));
    if (!m.useMemberOf) {
      this.phase = 'members';
      const attributes = [m.groupNameAttribute, ...m.memberAttributes, ...(m.memberUidAttribute ? [m.memberUidAttribute] : [])];
      const base = underBase(m.groupDn, this.where.baseDn);
      await this.search(base, classFilter(m.groupObjectClass, m.groupFilter), attributes, (e) => this.groupMembers(e), Math.min(m.pageSize, MEMBERS_PAGE_SIZE));
    }
    this.table?.finish();
  }

  /** A paged search (`pageSize` entries a page); each page is handled, then the sink may hold the next one back. */
  private async search(
    base: string,
    filter: string,
    attributes: string[],
    handle: (entry: LdapEntry) => void | Promise<void>,
    pageSize = this.mapping.pageSize,
  ): Promise<void> {
    const pages: AsyncGenerator<SearchResult> = this.client.searchPaginated(base, {
      scope: 'sub',
      filter,
      attributes,
      explicitBufferAttributes: this.bufferAttributes,
      paged: { pageSize },
    });
    for await (const page of pages) {
      const entries = page.searchEntries;
      for (let i = 0; i < entries.length; i++) {
        const entry = entries[i] as LdapEntry;
        // Let go of each entry once handled, and of the page before the next one comes.
        (entries as unknown[])[i] = undefined;
        this.entries++;
        const pending = handle(entry);
        if (pending) await pending;
      }
      entries.length = 0;
      this.onProgress?.(this.entries, 0);
      const ready = this.sink.ready?.();
      if (ready) await ready;
    }
  }

  private groupNameAttributes(): string[] {
    const m = this.mapping;
    return [m.groupNameAttribute, ...(m.primaryGroups ? ['objectSid'] : []), ...(m.useMemberOf && m.nestedGroups ? [m.memberOfAttribute] : [])];
  }

  private userAttributes(): string[] {
    const m = this.mapping;
    const list = [m.usernameAttribute, m.emailAttribute, m.displayNameAttribute, 'cn'];
    for (const optional of [m.uniqueIdAttribute, m.updatedAttribute, m.userAccountControlAttribute]) if (optional) list.push(optional);
    if (m.primaryGroups) list.push('primaryGroupID', 'objectSid');
    if (m.useMemberOf) list.push(m.memberOfAttribute);
    return list;
  }

  private async groupName(entry: LdapEntry): Promise<void> {
    const attributes = attributesOf(entry);
    const written = firstText(attributes, this.mapping.groupNameAttribute) || firstRdnValue(entry.dn);
    const lower = written.toLowerCase();
    let group = this.groupNames.get(lower);
    if (group < 0) {
      group = this.groupList.length;
      this.groupList.push(written);
      this.groupNames.set(lower, group);
      this.groups++;
      this.sink.group({ directoryId: LDAP_DIRECTORY_ID, name: written });
    }
    const name = this.groupList[group] as string;
    this.groupByDn.setDn(entry.dn, group);
    if (this.mapping.primaryGroups) {
      const sid = firstBuffer(attributes, 'objectSid');
      const text = sid && formatSid(sid);
      if (text) this.groupBySid.set(text, name);
    }
    if (this.mapping.useMemberOf && this.mapping.nestedGroups) {
      const parents = await this.allValues(entry.dn, attributes, this.mapping.memberOfAttribute);
      if (parents.length > 0) this.groupParents.push([name, parents]);
    }
  }

  private groupParentsByMemberOf(): void {
    for (const [child, parents] of this.groupParents) {
      for (const dn of parents) {
        const parent = this.groupByDn.getDn(dn);
        if (parent < 0) this.dangling++;
        else if (this.groupList[parent] !== child) this.membership(this.groupList[parent] as string, child, true);
      }
    }
    this.groupParents.length = 0;
  }

  private async user(entry: LdapEntry): Promise<void> {
    const m = this.mapping;
    const attributes = attributesOf(entry);
    const userName = firstText(attributes, m.usernameAttribute);
    if (!userName) return; // not a user usermig can name (e.g. a service entry without the username attribute)
    const lower = userName.toLowerCase();
    if (this.userNames.get(lower) >= 0) return; // a second entry of the same username: the first one wins, as in Jira
    const slot = this.users;
    this.userNames.set(lower, slot);
    this.userList?.push(userName);
    this.userByDn.setDn(entry.dn, slot);
    this.table?.addUser(slot, userName);
    this.users++;
    this.sink.user({
      directoryId: LDAP_DIRECTORY_ID,
      userName,
      active: !(m.userAccountControlAttribute && isDisabledAccount(firstText(attributes, m.userAccountControlAttribute))),
      displayName: firstText(attributes, m.displayNameAttribute) || firstText(attributes, 'cn') || userName,
      email: firstText(attributes, m.emailAttribute),
      updated: m.updatedAttribute ? generalizedTime(firstText(attributes, m.updatedAttribute)) : '',
    });
    this.sink.userKey({ userKey: this.userKey(entry.dn, attributes), lowerUserName: lower });
    if (m.primaryGroups) {
      const rid = firstText(attributes, 'primaryGroupID');
      const sid = firstBuffer(attributes, 'objectSid');
      const userSid = sid && formatSid(sid);
      const group = rid && userSid ? this.groupBySid.get(`${domainOfSid(userSid)}-${rid}`) : undefined;
      if (group !== undefined) this.membership(group, userName, false, slot);
    }
    if (m.useMemberOf) {
      for (const dn of await this.allValues(entry.dn, attributes, m.memberOfAttribute)) {
        const group = this.groupByDn.getDn(dn);
        if (group < 0) this.dangling++;
        else this.membership(this.groupList[group] as string, userName, false, slot);
      }
    }
  }

  private userKey(dn: string, attributes: Map<string, Array<string | Buffer>>): string {
    const attribute = this.mapping.uniqueIdAttribute;
    if (!attribute) return dn;
    if (/^objectguid$/i.test(attribute)) {
      const guid = firstBuffer(attributes, attribute);
      return guid ? formatGuid(guid) : dn;
    }
    return firstText(attributes, attribute) || dn;
  }

  private async groupMembers(entry: LdapEntry): Promise<void> {
    const m = this.mapping;
    const attributes = attributesOf(entry);
    const group = this.groupByDn.getDn(entry.dn);
    if (group < 0) return; // appeared after the first search
    const parent = this.groupList[group] as string;
    // Members seen: users by their place, groups by -1 - their number.
    const seen = new Set<number>();
    for (const attribute of m.memberAttributes) {
      const values = await this.allValues(entry.dn, attributes, attribute);
      for (const value of values) {
        // A uniqueMember value may end with `#'…'B`: the DN is what comes before, unless a user's DN is the whole value.
        const dn = stripUniqueIdentifier(value);
        let slot = this.userByDn.getDn(value);
        if (slot < 0 && dn !== value) slot = this.userByDn.getDn(dn);
        if (slot >= 0) {
          if (!seen.has(slot)) {
            seen.add(slot);
            this.userMembership(parent, slot);
          }
          continue;
        }
        const child = this.groupByDn.getDn(dn);
        if (child < 0) this.dangling++;
        else if (m.nestedGroups && child !== group && !seen.has(-1 - child)) {
          seen.add(-1 - child);
          this.membership(parent, this.groupList[child] as string, true);
        }
      }
    }
    if (m.memberUidAttribute) {
      for (const value of attributes.get(m.memberUidAttribute.toLowerCase()) ?? []) {
        const slot = this.userNames.get(String(value).trim().toLowerCase());
        if (slot < 0) this.dangling++;
        else if (!seen.has(slot)) {
          seen.add(slot);
          this.userMembership(parent, slot);
        }
      }
    }
  }

  /** A membership of the user at `slot` (its place among the users passed to the sink). */
  private userMembership(parent: string, slot: number): void {
    this.membership(parent, this.userList?.[slot] ?? '', false, slot);
  }

  /** `slot`: the member user's place among the users passed to the sink, when known (with a table, it names the user). */
  private membership(parent: string, child: string, childIsGroup: boolean, slot = -1): void {
    this.memberships++;
    if (this.table) {
      if (childIsGroup || slot < 0) this.table.add(LDAP_DIRECTORY_ID, parent, child, -1, childIsGroup);
      else this.table.addUserMember(LDAP_DIRECTORY_ID, parent, slot);
    }
    else this.sink.membership({ directoryId: LDAP_DIRECTORY_ID, parent, child, childIsGroup });
  }

  /**
   * Every value of a multi-valued attribute: when the server answered with a range (Active Directory's
   * `member;range=0-1499`), asks for the next ranges of that entry until the last one (`…-*`).
   */
  private async allValues(dn: string, attributes: Map<string, Array<string | Buffer>>, attribute: string): Promise<string[]> {
    let { values, next } = rangedValues(attributes, attribute);
    while (next !== undefined) {
      const result = await this.client.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: [rangeRequest(attribute, next)] });
      const entry = result.searchEntries[0] as LdapEntry | undefined;
      if (!entry) break;
      const more = rangedValues(attributesOf(entry), attribute);
      if (more.values.length === 0) break;
      values = values.concat(more.values);
      next = more.next !== undefined && more.next > next ? more.next : undefined;
    }
    return values;
  }

  /** How far the read got, for messages. */
  progress(): string {
    return `${this.entries.toLocaleString('en-US')} entries read (${this.users.toLocaleString('en-US')} users, ${this.groups.toLocaleString('en-US')} groups, ${this.memberships.toLocaleString('en-US')} memberships)`;
  }
}

const NETWORK_CODES = /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|EPIPE|ECONNABORTED)$/;
const CERTIFICATE = /CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET)|ERR_TLS|certificate/i;

/** The administrator's message for a failure: which source, what the server said, how far the read got. */
function explain(
  error: unknown,
  reader: LdapReader,
  source: { name: string; location: string; bindDn: string; hasCa: boolean; secure: boolean; hasSnapshot: boolean },
): Error {
  if (error instanceof UsermigError) return error;
  const label = `LDAP source "${source.name}" (${source.location})`;
  const started = reader.entries > 0;
  const kept = started
    ? `; stopped after ${reader.progress()}, ${source.hasSnapshot ? `the previous snapshot of "${source.name}" is kept` : `nothing was written to the workspace (it has no snapshot of "${source.name}" yet)`}`
    : '; nothing was changed in the workspace';
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'number') {
    const result = resultCodeText(code);
    if (code === 49 || code === 48 || code === 50 || code === 7 || code === 8 || code === 13) {
      const who = source.bindDn ? `the bind DN ${source.bindDn} (from ${LDAP_BIND_DN_VARIABLE})` : `an anonymous bind (${LDAP_BIND_DN_VARIABLE} is not set)`;
      const what = reader.phase === 'bind' ? `the server refused the credentials of ${who}` : `the server refused ${who} access while reading ${reader.phase}`;
      return new UsermigError('auth', `${label}: ${what}: ${result}${kept}`, { cause: error });
    }
    if (code === 32 || code === 34) {
      return new UsermigError(
        'input',
        `${label}: the server has no entry at the base DN of the ${reader.phase === 'users' ? 'users (URL base DN + ldap.userDn)' : 'groups (URL base DN + ldap.groupDn)'}: ${result}${kept}`,
        { cause: error },
      );
    }
    return new UsermigError('unreachable', `${label}: the server answered ${result} while reading ${reader.phase}: ${stripCode(message)}${kept}`, { cause: error });
  }
  const systemCode = typeof code === 'string' ? code : '';
  if (CERTIFICATE.test(systemCode) || CERTIFICATE.test(message)) {
    const hint = source.hasCa ? 'check that --ca names the CA that signed the server certificate' : 'if the server uses a private CA, give it with --ca FILE';
    return new UsermigError('unreachable', `${label}: the server's TLS certificate was not trusted (${systemCode || message}); ${hint}${kept}`, { cause: error });
  }
  if (NETWORK_CODES.test(systemCode) || /connect|connection|socket|timeout|timed out/i.test(message)) {
    const what = reader.phase === 'connect' || reader.phase === 'bind' ? 'cannot reach the server' : 'lost the connection to the server';
    return new UsermigError('unreachable', `${label}: ${what}: ${message}${kept}`, { cause: error });
  }
  return new UsermigError('internal', `${label}: reading ${reader.phase} failed: ${message}${kept}`, { cause: error });
}

function stripCode(message: string): string {
  return message.replace(/\s*Code: 0x[0-9a-f]+$/i, '');
}
