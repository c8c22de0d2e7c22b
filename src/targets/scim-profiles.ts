/**
 * Dialect profiles of SCIM 2.0 service providers: what discovery (/ServiceProviderConfig, /ResourceTypes,
 * /Schemas) cannot tell and the big providers nonetheless differ on (TARGETS.md §6.5). `generic` speaks
 * RFC 7644 as written; the others speak the way each provider documents or is known to expect. Every
 * quirk carries the link to where it is documented.
 */
import { usageError } from '../model/errors.js';

export type ScimProfileName = 'generic' | 'atlassian' | 'entra' | 'okta' | 'aws';
export const SCIM_PROFILES: readonly ScimProfileName[] = ['generic', 'atlassian', 'entra', 'okta', 'aws'];

export interface Quirk {
  what: string;
  source: string;
}

export interface ScimProfile {
  name: ScimProfileName;
  /**
   * How a member is removed from a group: `filter` is RFC 7644 §3.5.2.2 (one `remove` per member with
   * `path: members[value eq "id"]`); `value-array` is `path: members` with the members in `value` (the
   * form Entra ID sends, which servers built for it accept).
   */
  memberRemove: 'filter' | 'value-array';
  /** The case of PATCH `op` values: RFC lower case, or Entra's historical capitalised `Add`/`Remove`/`Replace`. */
  opCase: 'lower' | 'capitalised';
  /** At most this many member changes in one PATCH request; larger changes are split. */
  maxMembersPerPatch: number;
  /** `active` sent as the strings "True"/"False" instead of a JSON boolean. */
  activeAsString: boolean;
  /**
   * How the service answers a filter that matches nothing: an empty ListResponse (RFC 7644 §3.4.2), or a
   * 404 that means "no such resource" (some services do). With `404`, a 404 on a filtered list is empty.
   */
  missingInFilter: 'empty-list' | '404';
  /** The largest page the service returns, whatever `count` asks for. */
  maxPageSize: number;
  /** Use /Bulk when the ServiceProviderConfig offers it (never for a provider known not to have it). */
  bulk: boolean;
  quirks: Quirk[];
}

const RFC7644 = 'https://www.rfc-editor.org/rfc/rfc7644';
const ENTRA = 'https://learn.microsoft.com/en-us/entra/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility';
const OKTA = 'https://docs.delinea.com/online-help/delinea-platform/scim/okta-scim-provisioning/okta-scim-endpoint-reference.htm';
const ATLASSIAN = 'https://developer.atlassian.com/cloud/admin/user-provisioning/rest/intro/';
const AWS_PATCH = 'https://docs.aws.amazon.com/singlesignon/latest/developerguide/patchgroup.html';
const AWS_LIST = 'https://docs.aws.amazon.com/singlesignon/latest/developerguide/listusers.html';

const BASE: Omit<ScimProfile, 'name' | 'quirks'> = {
  memberRemove: 'filter',
  opCase: 'lower',
  maxMembersPerPatch: 1000,
  activeAsString: false,
  missingInFilter: 'empty-list',
  maxPageSize: 100,
  bulk: true,
};

const PROFILES: Record<ScimProfileName, ScimProfile> = {
  generic: {
    ...BASE,
    name: 'generic',
    quirks: [
      { what: 'member removal by filter path members[value eq "id"], lower-case ops, boolean active', source: `${RFC7644}#section-3.5.2.2` },
      { what: 'a filter that matches nothing answers an empty ListResponse', source: `${RFC7644}#section-3.4.2` },
      { what: 'Bulk used when /ServiceProviderConfig offers it', source: `${RFC7644}#section-3.7` },
    ],
  },
  atlassian: {
    ...BASE,
    name: 'atlassian',
    maxMembersPerPatch: 100,
    bulk: false,
    quirks: [
      { what: 'no /Bulk endpoint; single eq filters on userName, externalId, displayName only; pages of at most 100', source: ATLASSIAN },
      { what: 'member removal: the RFC filter form (no documented example); keep PATCH batches at 100 members', source: ATLASSIAN },
      { what: '409 on a duplicate user or group name: adopt it', source: ATLASSIAN },
    ],
  },
  entra: {
    ...BASE,
    name: 'entra',
    memberRemove: 'value-array',
    opCase: 'capitalised',
    activeAsString: true,
    bulk: false,
    quirks: [
      { what: 'capitalised op values ("Add", "Remove", "Replace") and active as the string "True"/"False", as Entra ID sends them (before aadOptscim062020)', source: ENTRA },
      { what: 'members removed with path "members" and a value array, as Entra ID sends them', source: ENTRA },
      { what: 'Entra ID never sends Bulk: services built for it need not have it', source: ENTRA },
    ],
  },
  okta: {
    ...BASE,
    name: 'okta',
    bulk: false,
    quirks: [
      { what: 'existence checked with filter=userName eq; a missing user answers 200 with an empty list (totalResults 0)', source: OKTA },
      { what: 'group push changes members by PATCH add and remove; Okta never sends Bulk', source: OKTA },
    ],
  },
  aws: {
    ...BASE,
    name: 'aws',
    maxMembersPerPatch: 100,
    maxPageSize: 50,
    bulk: false,
    quirks: [
      { what: 'at most 100 membership changes in one PATCH request; replacing or removing all members at once is refused (400)', source: AWS_PATCH },
      { what: 'ListUsers and ListGroups return at most 50 results per request', source: AWS_LIST },
      { what: 'no /Bulk endpoint (none in the IAM Identity Center SCIM reference)', source: 'https://docs.aws.amazon.com/singlesignon/latest/developerguide/what-is-scim.html' },
    ],
  },
};

export function scimProfile(name: string | undefined): ScimProfile {
  const key = (name ?? 'generic').toLowerCase();
  if (!(SCIM_PROFILES as readonly string[]).includes(key)) throw usageError(`"${name}" is not a SCIM profile; use ${SCIM_PROFILES.join(', ')}`);
  return PROFILES[key as ScimProfileName];
}

/** A PATCH `op` value in the profile's case. */
export function opName(profile: ScimProfile, op: 'add' | 'remove' | 'replace'): string {
  return profile.opCase === 'lower' ? op : `${op[0]?.toUpperCase()}${op.slice(1)}`;
}

/** `active` as the profile sends it. */
export function activeValue(profile: ScimProfile, active: boolean): boolean | string {
  return profile.activeAsString ? (active ? 'True' : 'False') : active;
}
