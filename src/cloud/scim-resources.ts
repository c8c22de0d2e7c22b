/**
 * SCIM resources as Atlassian's user-provisioning API writes and reads them (TARGETS 1.4, the spec's
 * `ScimUser` and `ScimGroup`): parsing and checking a user sent by a client (userName required, exactly one
 * primary email, `schemas` present), rendering users and groups with Atlassian's extensions
 * (`urn:scim:schemas:extension:atlassian-external:1.0` carries the account id), and the `attributes` /
 * `excludedAttributes` projection.
 */
import { normaliseEmail } from '../model/email.js';
import { invalid, Refusal } from './refusal.js';

export const SCHEMA = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  enterprise: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  atlassian: 'urn:scim:schemas:extension:atlassian-external:1.0',
  list: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  patch: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
} as const;

export interface MultiValue {
  value: string;
  type?: string;
  primary?: boolean;
}

export type NameParts = Partial<Record<'formatted' | 'familyName' | 'givenName' | 'middleName' | 'honorificPrefix' | 'honorificSuffix', string>>;

/** The writable attributes of a SCIM user as stored (userName, externalId and active live in columns). */
export interface UserAttributes {
  name?: NameParts;
  displayName?: string;
  nickName?: string;
  title?: string;
  preferredLanguage?: string;
  department?: string;
  organization?: string;
  timezone?: string;
  emails: MultiValue[];
  phoneNumbers?: MultiValue[];
  enterprise?: { organization?: string; department?: string };
}

export interface UserInput {
  userName: string;
  externalId: string | null;
  active: boolean | null;
  attributes: UserAttributes;
}

const STRING_ATTRIBUTES = ['displayName', 'nickName', 'title', 'preferredLanguage', 'department', 'organization', 'timezone'] as const;
const NAME_PARTS = ['formatted', 'familyName', 'givenName', 'middleName', 'honorificPrefix', 'honorificSuffix'] as const;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Looks a key up case-insensitively, as SCIM attribute names are (RFC 7643 §2.1). */
export function field(object: Record<string, unknown>, name: string): unknown {
  if (name in object) return object[name];
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(object)) if (key.toLowerCase() === lower) return value;
  return undefined;
}

function optionalString(object: Record<string, unknown>, name: string, where = name): string | undefined {
  const value = field(object, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(`${where} must be a string`);
  return value;
}

/** Accepts real booleans and Entra's "True"/"False" strings. */
export function booleanOf(value: unknown, where: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw invalid(`${where} must be a boolean`);
}

function multiValues(raw: unknown, where: string): MultiValue[] {
  if (!Array.isArray(raw)) throw invalid(`${where} must be an array`);
  return raw.map((item, index) => {
    if (!isObject(item)) throw invalid(`${where}[${index}] must be an object`);
    const value = optionalString(item, 'value', `${where}[${index}].value`);
    if (value === undefined || value.trim() === '') throw invalid(`${where}[${index}].value is required`);
    const type = optionalString(item, 'type', `${where}[${index}].type`);
    const primaryRaw = field(item, 'primary');
    const entry: MultiValue = { value };
    if (type !== undefined) entry.type = type;
    if (primaryRaw !== undefined && primaryRaw !== null) entry.primary = booleanOf(primaryRaw, `${where}[${index}].primary`);
    return entry;
  });
}

/** Checks that `schemas` is present and names `required` (Atlassian requires it on create and update). */
export function requireSchemas(body: Record<string, unknown>, required: string): void {
  const schemas = field(body, 'schemas');
  if (!Array.isArray(schemas) || !schemas.some((schema) => typeof schema === 'string' && schema.toLowerCase() === required.toLowerCase())) {
    throw new Refusal(400, `"schemas" must be an array that contains ${required}`, { scimType: 'invalidSyntax' });
  }
}

/** Parses a user sent to POST or PUT /Users (read-only attributes are ignored, unknown ones too). */
export function parseUserInput(body: unknown): UserInput {
  if (!isObject(body)) throw new Refusal(400, 'the body must be a JSON object', { scimType: 'invalidSyntax' });
  requireSchemas(body, SCHEMA.user);
  const userName = optionalString(body, 'userName');
  if (userName === undefined || userName.trim() === '') throw invalid('userName is required');
  const emailsRaw = field(body, 'emails');
  if (emailsRaw === undefined || emailsRaw === null) throw invalid('emails is required, with one primary address');
  const emails = multiValues(emailsRaw, 'emails');
  const primaries = emails.filter((email) => email.primary === true);
  if (primaries.length !== 1) throw invalid(`exactly one of emails must be primary (found ${primaries.length})`);
  for (const email of emails) {
    if (!normaliseEmail(email.value).valid) throw invalid(`${JSON.stringify(email.value)} is not a valid email address`);
  }
  const attributes: UserAttributes = { emails };
  for (const name of STRING_ATTRIBUTES) {
    const value = optionalString(body, name);
    if (value !== undefined) attributes[name] = value;
  }
  const nameRaw = field(body, 'name');
  if (nameRaw !== undefined && nameRaw !== null) {
    if (!isObject(nameRaw)) throw invalid('name must be an object');
    const name: NameParts = {};
    for (const part of NAME_PARTS) {
      const value = optionalString(nameRaw, part, `name.${part}`);
      if (value !== undefined) name[part] = value;
    }
    attributes.name = name;
  }
  const phones = field(body, 'phoneNumbers');
  if (phones !== undefined && phones !== null) attributes.phoneNumbers = multiValues(phones, 'phoneNumbers');
  const enterprise = field(body, SCHEMA.enterprise);
  if (isObject(enterprise)) {
    const organization = optionalString(enterprise, 'organization', `${SCHEMA.enterprise}.organization`);
    const department = optionalString(enterprise, 'department', `${SCHEMA.enterprise}.department`);
    attributes.enterprise = {
      ...(organization !== undefined ? { organization } : {}),
      ...(department !== undefined ? { department } : {}),
    };
  }
  const externalId = optionalString(body, 'externalId');
  const active = field(body, 'active');
  return {
    userName: userName.trim(),
    externalId: externalId ?? null,
    active: active === undefined || active === null ? null : booleanOf(active, 'active'),
    attributes,
  };
}

export const primaryEmail = (attributes: UserAttributes): string =>
  (attributes.emails.find((email) => email.primary === true) ?? attributes.emails[0])?.value.trim() ?? '';

/** The account's display name from what the identity provider sent (displayName overwrites the name parts). */
export function displayNameOf(userName: string, attributes: UserAttributes): string {
  const parts = attributes.name;
  const joined = [parts?.givenName, parts?.familyName].filter((part) => part && part.trim() !== '').join(' ');
  return attributes.displayName?.trim() || parts?.formatted?.trim() || joined || userName;
}

/** The writable view of a stored user, in SCIM JSON (what PATCH operations are applied to). */
export function writableUser(userName: string, externalId: string | null, active: boolean, attributes: UserAttributes): Record<string, unknown> {
  const { enterprise, ...rest } = attributes;
  return {
    schemas: [SCHEMA.user, ...(enterprise ? [SCHEMA.enterprise] : [])],
    userName,
    ...(externalId !== null ? { externalId } : {}),
    ...structuredClone(rest),
    active,
    ...(enterprise ? { [SCHEMA.enterprise]: { ...enterprise } } : {}),
  };
}

export interface StoredUser {
  id: string;
  account_id: string;
  user_name: string;
  external_id: string | null;
  active: number;
  attributes: string;
  created_at: string;
  updated_at: string;
}

export interface GroupRef {
  id: string;
  displayName: string;
}

/** A SCIM user as the API returns it. */
export function renderUser(user: StoredUser, groups: readonly GroupRef[], base: string): Record<string, unknown> {
  const attributes = JSON.parse(user.attributes) as UserAttributes;
  const { enterprise, ...rest } = attributes;
  return {
    schemas: [SCHEMA.user, ...(enterprise ? [SCHEMA.enterprise] : []), SCHEMA.atlassian],
    id: user.id,
    ...(user.external_id !== null ? { externalId: user.external_id } : {}),
    userName: user.user_name,
    ...rest,
    active: user.active === 1,
    groups: groups.map((group) => ({ type: 'direct', value: group.id, display: group.displayName, $ref: `${base}/Groups/${group.id}` })),
    ...(enterprise ? { [SCHEMA.enterprise]: enterprise } : {}),
    [SCHEMA.atlassian]: { atlassianAccountId: user.account_id },
    meta: { resourceType: 'User', location: `${base}/Users/${user.id}`, created: user.created_at, lastModified: user.updated_at },
  };
}

export interface StoredGroup {
  id: string;
  display_name: string;
  external_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface MemberRef {
  id: string;
  display: string;
}

/** A SCIM group as the API returns it; members carry `type: "User"` and `$ref`, as in the spec's example. */
export function renderGroup(group: StoredGroup, members: readonly MemberRef[], base: string): Record<string, unknown> {
  return {
    schemas: [SCHEMA.group],
    id: group.id,
    ...(group.external_id !== null ? { externalId: group.external_id } : {}),
    displayName: group.display_name,
    members: members.map((member) => ({ type: 'User', value: member.id, display: member.display, $ref: `${base}/Users/${member.id}` })),
    meta: { resourceType: 'Group', location: `${base}/Groups/${group.id}`, created: group.created_at, lastModified: group.updated_at },
  };
}

const ALWAYS_RETURNED = new Set(['id', 'schemas']);
const CORE_URN = /^urn:ietf:params:scim:schemas:core:2\.0:(?:User|Group):/i;

/** Splits `emails.value` or `urn:…:enterprise:2.0:User:department` into the top-level key and a sub-attribute. */
function attributePath(resource: Record<string, unknown>, raw: string): [string, string | undefined] | null {
  const text = raw.trim().replace(CORE_URN, '');
  for (const key of Object.keys(resource)) {
    if (!key.startsWith('urn:')) continue;
    if (text.toLowerCase() === key.toLowerCase()) return [key, undefined];
    if (text.toLowerCase().startsWith(`${key.toLowerCase()}:`)) return [key, text.slice(key.length + 1)];
  }
  const [top, sub] = text.split('.', 2) as [string, string | undefined];
  const key = Object.keys(resource).find((candidate) => candidate.toLowerCase() === top.toLowerCase());
  return key === undefined ? null : [key, sub];
}

const pickSub = (value: unknown, sub: string): unknown => {
  const pick = (item: unknown) => {
    if (!isObject(item)) return item;
    const key = Object.keys(item).find((candidate) => candidate.toLowerCase() === sub.toLowerCase());
    return key === undefined ? {} : { [key]: item[key] };
  };
  return Array.isArray(value) ? value.map(pick) : pick(value);
};

/** Applies `attributes` (only these, plus id and schemas) or `excludedAttributes` (all but these). */
export function project(resource: Record<string, unknown>, attributes?: string | null, excluded?: string | null): Record<string, unknown> {
  if (attributes && attributes.trim() !== '') {
    const out: Record<string, unknown> = {};
    for (const key of ALWAYS_RETURNED) if (key in resource) out[key] = resource[key];
    for (const raw of attributes.split(',')) {
      const path = attributePath(resource, raw);
      if (!path) continue;
      const [key, sub] = path;
      if (sub === undefined) out[key] = resource[key];
      else out[key] = out[key] === undefined ? pickSub(resource[key], sub) : mergeSub(out[key], pickSub(resource[key], sub));
    }
    return out;
  }
  if (excluded && excluded.trim() !== '') {
    const out = { ...resource };
    for (const raw of excluded.split(',')) {
      const path = attributePath(resource, raw);
      if (!path || ALWAYS_RETURNED.has(path[0])) continue;
      const [key, sub] = path;
      if (sub === undefined) delete out[key];
      else out[key] = dropSub(out[key], sub);
    }
    return out;
  }
  return resource;
}

function mergeSub(current: unknown, addition: unknown): unknown {
  if (Array.isArray(current) && Array.isArray(addition)) return current.map((item, index) => ({ ...(item as object), ...(addition[index] as object) }));
  if (isObject(current) && isObject(addition)) return { ...current, ...addition };
  return addition;
}

function dropSub(value: unknown, sub: string): unknown {
  const drop = (item: unknown) => {
    if (!isObject(item)) return item;
    return Object.fromEntries(Object.entries(item).filter(([key]) => key.toLowerCase() !== sub.toLowerCase()));
  };
  return Array.isArray(value) ? value.map(drop) : drop(value);
}
