/**
 * How usermig reads an LDAP directory: the source URL (which carries the base DN) and the mapping — where
 * users and groups live, which object classes and filters select them, and which attributes hold the
 * username, email, display name and memberships — much like Jira's and Crowd's directory screens
 * (SOURCES.md §6). A preset gives the defaults (`openldap` or `ad`); the `ldap` section of the
 * configuration file overrides any setting. Every error names the setting (exit code 2).
 */
import { FilterParser } from 'ldapts';
import type { UsermigConfig } from '../config.js';
import { usageError } from '../model/errors.js';

export const LDAP_PRESETS = ['openldap', 'ad'] as const;
export type LdapPreset = (typeof LDAP_PRESETS)[number];

export interface LdapMapping {
  preset: LdapPreset;
  /** Where users live, relative to the base DN of the URL ('' = the base DN itself), like Jira's "Additional User DN". */
  userDn: string;
  /** A user entry has any of these object classes. */
  userObjectClass: string[];
  /** An extra filter every user entry must also match ('' = none). */
  userFilter: string;
  usernameAttribute: string;
  emailAttribute: string;
  displayNameAttribute: string;
  /** The stable identifier that becomes the user key (entryUUID, objectGUID); '' = the entry's DN. */
  uniqueIdAttribute: string;
  /** The time of the entry's last change ('' = not read). */
  updatedAttribute: string;
  groupDn: string;
  groupObjectClass: string[];
  groupFilter: string;
  groupNameAttribute: string;
  /** Group attributes whose values are member DNs (users or, nested, groups). */
  memberAttributes: string[];
  /** Group attribute whose values are usernames (posixGroup's memberUid); '' = none. */
  memberUidAttribute: string;
  /** The user (and group) attribute listing the groups an entry belongs to. */
  memberOfAttribute: string;
  /** Read memberships from memberOf instead of the groups' member attributes (needs the memberOf back-link). */
  useMemberOf: boolean;
  /** Keep group-in-group memberships (false: member values that are groups are ignored). */
  nestedGroups: boolean;
  /** Active Directory: the attribute whose bit 0x2 (ACCOUNTDISABLE) marks a disabled user ('' = none). */
  userAccountControlAttribute: string;
  /** Active Directory: add each user's primary group (primaryGroupID), which memberOf and member leave out. */
  primaryGroups: boolean;
  /** Entries per page of the simple paged results control (the search of the groups' members asks for at most 100). */
  pageSize: number;
  /** Seconds to wait for the server to connect or answer one request. */
  timeoutSeconds: number;
}

const OPENLDAP: LdapMapping = {
  preset: 'openldap',
  userDn: '',
  userObjectClass: ['inetOrgPerson'],
  userFilter: '',
  usernameAttribute: 'uid',
  emailAttribute: 'mail',
  displayNameAttribute: 'displayName',
  uniqueIdAttribute: 'entryUUID',
  updatedAttribute: 'modifyTimestamp',
  groupDn: '',
  groupObjectClass: ['groupOfNames', 'groupOfUniqueNames', 'posixGroup'],
  groupFilter: '',
  groupNameAttribute: 'cn',
  memberAttributes: ['member', 'uniqueMember'],
  memberUidAttribute: 'memberUid',
  memberOfAttribute: 'memberOf',
  useMemberOf: false,
  nestedGroups: true,
  userAccountControlAttribute: '',
  primaryGroups: false,
  pageSize: 1000,
  timeoutSeconds: 60,
};

const ACTIVE_DIRECTORY: LdapMapping = {
  ...OPENLDAP,
  preset: 'ad',
  userObjectClass: ['user'],
  // Jira's default is (&(objectCategory=Person)(sAMAccountName=*)); objectClass=user minus computers
  // selects the same entries without relying on AD expanding objectCategory's short name.
  userFilter: '(&(!(objectClass=computer))(sAMAccountName=*))',
  usernameAttribute: 'sAMAccountName',
  uniqueIdAttribute: 'objectGUID',
  updatedAttribute: 'whenChanged',
  groupObjectClass: ['group'],
  memberAttributes: ['member'],
  memberUidAttribute: '',
  userAccountControlAttribute: 'userAccountControl',
  primaryGroups: true,
};

export const LDAP_PRESET_DEFAULTS: Record<LdapPreset, LdapMapping> = { openldap: OPENLDAP, ad: ACTIVE_DIRECTORY };

type Kind = 'dn' | 'classes' | 'filter' | 'attribute' | 'optional-attribute' | 'attributes' | 'boolean' | 'page' | 'seconds' | 'preset';

const SETTINGS: Record<keyof LdapMapping, Kind> = {
  preset: 'preset',
  userDn: 'dn',
  userObjectClass: 'classes',
  userFilter: 'filter',
  usernameAttribute: 'attribute',
  emailAttribute: 'attribute',
  displayNameAttribute: 'attribute',
  uniqueIdAttribute: 'optional-attribute',
  updatedAttribute: 'optional-attribute',
  groupDn: 'dn',
  groupObjectClass: 'classes',
  groupFilter: 'filter',
  groupNameAttribute: 'attribute',
  memberAttributes: 'attributes',
  memberUidAttribute: 'optional-attribute',
  memberOfAttribute: 'attribute',
  useMemberOf: 'boolean',
  nestedGroups: 'boolean',
  userAccountControlAttribute: 'optional-attribute',
  primaryGroups: 'boolean',
  pageSize: 'page',
  timeoutSeconds: 'seconds',
};

export const LDAP_SETTINGS = Object.keys(SETTINGS) as Array<keyof LdapMapping>;

const ATTRIBUTE = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)$/;

export function parsePreset(value: unknown, where: string): LdapPreset {
  if (typeof value === 'string' && (LDAP_PRESETS as readonly string[]).includes(value)) return value as LdapPreset;
  throw usageError(`${where} must be one of ${LDAP_PRESETS.join(', ')}, not ${JSON.stringify(value)}`);
}

/**
 * The mapping for an LDAP source: the preset (--ldap-preset wins over the file's `ldap.preset`, default
 * openldap), then every setting of the file's `ldap` section.
 */
export function resolveLdapMapping(config: UsermigConfig | undefined, presetOption: string | undefined): LdapMapping {
  const file = config?.file ?? 'the configuration';
  const section = config?.ldap ?? {};
  const preset =
    presetOption !== undefined
      ? parsePreset(presetOption, '--ldap-preset')
      : section.preset !== undefined
        ? parsePreset(section.preset, `${file}: ldap.preset`)
        : 'openldap';
  const mapping: LdapMapping = { ...LDAP_PRESET_DEFAULTS[preset], preset };
  const target = mapping as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(section)) {
    if (key === 'preset') continue;
    const kind = SETTINGS[key as keyof LdapMapping];
    if (!kind) {
      throw usageError(`${file}: "ldap.${key}" is not an LDAP setting (settings: ${LDAP_SETTINGS.join(', ')})`);
    }
    target[key] = checkSetting(kind, value, `${file}: ldap.${key}`);
  }
  if (mapping.useMemberOf && mapping.memberUidAttribute && section.memberUidAttribute) {
    throw usageError(`${file}: ldap.useMemberOf reads memberships from ${mapping.memberOfAttribute}; ldap.memberUidAttribute cannot be used with it`);
  }
  return mapping;
}

function checkSetting(kind: Kind, value: unknown, where: string): unknown {
  switch (kind) {
    case 'preset':
      return parsePreset(value, where);
    case 'boolean':
      if (typeof value !== 'boolean') throw usageError(`${where} must be true or false, not ${JSON.stringify(value)}`);
      return value;
    case 'page':
    case 'seconds': {
      const max = kind === 'page' ? 100_000 : 3600;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
        throw usageError(`${where} must be a whole number from 1 to ${max}, not ${JSON.stringify(value)}`);
      }
      return value;
    }
    case 'attribute':
    case 'optional-attribute':
      if (typeof value !== 'string' || !(ATTRIBUTE.test(value) || (kind === 'optional-attribute' && value === ''))) {
        throw usageError(
          `${where} must be an LDAP attribute name such as "mail"${kind === 'optional-attribute' ? ' (or "" for none)' : ''}, not ${JSON.stringify(value)}`,
        );
      }
      return value;
    case 'attributes':
    case 'classes': {
      const list = typeof value === 'string' ? [value] : value;
      if (!Array.isArray(list) || (kind === 'classes' && list.length === 0) || !list.every((item) => typeof item === 'string' && ATTRIBUTE.test(item))) {
        throw usageError(
          `${where} must be ${kind === 'classes' ? 'an object class name or a non-empty list of them' : 'an attribute name or a list of them'}, e.g. ${kind === 'classes' ? '["groupOfNames", "posixGroup"]' : '["member"]'}; got ${JSON.stringify(value)}`,
        );
      }
      return [...list] as string[];
    }
    case 'filter':
      if (typeof value !== 'string') throw usageError(`${where} must be an LDAP filter text such as "(department=IT)", or ""`);
      if (value !== '') {
        try {
          if (!value.startsWith('(')) throw new Error('a filter starts with "("');
          FilterParser.parseString(value);
        } catch (error) {
          throw usageError(`${where} is not a valid LDAP filter (${JSON.stringify(value)}): ${(error as Error).message}`);
        }
      }
      return value;
    case 'dn':
      if (typeof value !== 'string' || (value !== '' && !/^[^=,]+=[^,]*(,[^=,]+=.*)*$/.test(value))) {
        throw usageError(`${where} must be a DN relative to the base DN, such as "ou=people" (or "" for the base DN), not ${JSON.stringify(value)}`);
      }
      return value;
  }
}

export interface LdapLocation {
  /** scheme://host:port, what the client connects to. */
  server: string;
  secure: boolean;
  baseDn: string;
}

/** `ldap://host:389/dc=example,dc=com` or `ldaps://…`: the server and the base DN. */
export function parseLdapUrl(location: string): LdapLocation {
  const match = /^(ldaps?):\/\/([^/?#]+)(?:\/([^?#]*))?(?:\?.*)?$/i.exec(location);
  const example = 'e.g. ldap:ldap://ldap.example.com:389/dc=example,dc=com';
  if (!match) throw usageError(`"ldap:${location}" is not an LDAP source: write ldap:ldap://HOST[:PORT]/BASE_DN or ldap:ldaps://…, ${example}`);
  const scheme = (match[1] as string).toLowerCase();
  if (/@/.test(match[2] as string)) throw usageError('an LDAP source URL cannot carry credentials; set USERMIG_LDAP_BIND_DN and USERMIG_LDAP_PASSWORD');
  let baseDn: string;
  try {
    baseDn = decodeURIComponent(match[3] ?? '').trim();
  } catch {
    throw usageError(`the base DN in "${location}" is not valid URL text`);
  }
  if (!baseDn) throw usageError(`"ldap:${location}" has no base DN: the URL carries it after the host, ${example}`);
  return { server: `${scheme}://${match[2]}`, secure: scheme === 'ldaps', baseDn };
}

/** Joins a DN relative to the base with the base DN. */
export function underBase(relative: string, baseDn: string): string {
  return relative ? `${relative},${baseDn}` : baseDn;
}

/** The search filter for entries with any of `classes` that also match `extra`. */
export function classFilter(classes: string[], extra: string): string {
  const byClass = classes.length === 1 ? `(objectClass=${classes[0]})` : `(|${classes.map((c) => `(objectClass=${c})`).join('')})`;
  return extra ? `(&${byClass}${extra})` : byClass;
}
