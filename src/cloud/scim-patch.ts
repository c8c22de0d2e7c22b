/**
 * SCIM PATCH (RFC 7644 §3.5.2) as Atlassian takes it (TARGETS 1.5): a PatchOp body whose operations array
 * is spelt `Operations` (the RFC and every IdP) or `operations` (Atlassian's OpenAPI file); ops compared
 * without case (Entra sends "Add"); paths `attr`, `attr.sub`, `attr[filter]`, `attr[filter].sub` and
 * extension-qualified ones. Users are patched as plain SCIM JSON and then checked as a PUT would be; groups
 * take `members` add / remove (RFC filter form, or Entra's value array) / replace, `externalId`, and refuse
 * a new `displayName` (Atlassian cannot rename a synced group).
 */
import { invalid, Refusal } from './refusal.js';
import { field, requireSchemas, SCHEMA } from './scim-resources.js';

export type PatchOp = 'add' | 'remove' | 'replace';

export interface PatchOperation {
  op: PatchOp;
  path: string | null;
  value: unknown;
}

export interface PatchPath {
  attribute: string;
  filter: { attribute: string; value: unknown } | null;
  sub: string | null;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const noTarget = (detail: string) => new Refusal(400, detail, { scimType: 'noTarget' });
const invalidPath = (detail: string) => new Refusal(400, detail, { scimType: 'invalidPath' });

/** Reads a PatchOp body; throws 400 for anything malformed. */
export function parsePatchBody(body: unknown): PatchOperation[] {
  if (!isObject(body)) throw new Refusal(400, 'the body must be a JSON object', { scimType: 'invalidSyntax' });
  requireSchemas(body, SCHEMA.patch);
  const operations = field(body, 'Operations');
  if (!Array.isArray(operations) || operations.length === 0) {
    throw new Refusal(400, '"Operations" must be a non-empty array', { scimType: 'invalidSyntax' });
  }
  return operations.map((raw, index) => {
    if (!isObject(raw)) throw new Refusal(400, `Operations[${index}] must be an object`, { scimType: 'invalidSyntax' });
    const op = field(raw, 'op');
    if (typeof op !== 'string' || !['add', 'remove', 'replace'].includes(op.toLowerCase())) {
      throw new Refusal(400, `Operations[${index}].op must be add, remove or replace`, { scimType: 'invalidSyntax' });
    }
    const path = field(raw, 'path');
    if (path !== undefined && path !== null && typeof path !== 'string') throw invalidPath(`Operations[${index}].path must be a string`);
    const normalisedPath = typeof path === 'string' && path.trim() !== '' ? path.trim() : null;
    if (op.toLowerCase() === 'remove' && normalisedPath === null) throw noTarget(`Operations[${index}]: remove needs a path`);
    return { op: op.toLowerCase() as PatchOp, path: normalisedPath, value: field(raw, 'value') };
  });
}

const EXTENSIONS = [SCHEMA.enterprise, SCHEMA.atlassian];
const CORE = /^urn:ietf:params:scim:schemas:core:2\.0:(?:User|Group):/i;
const PLAIN = /^([A-Za-z$][\w$-]*)(?:\[\s*([A-Za-z$][\w$.-]*)\s+eq\s+(.+?)\s*\])?(?:\.([A-Za-z$][\w$-]*))?$/i;

export function parsePath(raw: string): PatchPath {
  for (const urn of EXTENSIONS) {
    if (raw.toLowerCase() === urn.toLowerCase()) return { attribute: urn, filter: null, sub: null };
    if (raw.toLowerCase().startsWith(`${urn.toLowerCase()}:`)) return { attribute: urn, filter: null, sub: raw.slice(urn.length + 1) };
  }
  const match = PLAIN.exec(raw.replace(CORE, ''));
  if (!match) throw invalidPath(`unsupported path ${JSON.stringify(raw)}`);
  const [, attribute, filterAttribute, literal, sub] = match as unknown as [string, string, string | undefined, string | undefined, string | undefined];
  let filter: PatchPath['filter'] = null;
  if (filterAttribute !== undefined) {
    let value: unknown;
    try {
      value = JSON.parse(literal as string);
    } catch {
      throw invalidPath(`unsupported value filter in ${JSON.stringify(raw)}`);
    }
    filter = { attribute: filterAttribute, value };
  }
  return { attribute, filter, sub: sub ?? null };
}

/** The attributes of a path-less operation's value; Okta repeats `id` (and some clients `schemas`) there, which changes nothing. */
const valueAttributes = (value: Record<string, unknown>): Array<[string, unknown]> =>
  Object.entries(value).filter(([name]) => !['id', 'schemas', 'meta'].includes(name.toLowerCase()));

const READ_ONLY = new Set(['id', 'meta', 'groups', 'schemas', SCHEMA.atlassian.toLowerCase()]);

const keyIn = (object: Record<string, unknown>, name: string): string =>
  Object.keys(object).find((key) => key.toLowerCase() === name.toLowerCase()) ?? name;

const matches = (item: unknown, filter: NonNullable<PatchPath['filter']>): boolean => {
  if (!isObject(item)) return false;
  const actual = item[keyIn(item, filter.attribute)];
  return typeof actual === 'string' && typeof filter.value === 'string' ? actual.toLowerCase() === filter.value.toLowerCase() : actual === filter.value;
};

/** Applies operations to a user's writable SCIM JSON, in order; returns the new JSON (the input is not changed). */
export function applyUserPatch(resource: Record<string, unknown>, operations: readonly PatchOperation[]): Record<string, unknown> {
  const result = structuredClone(resource);
  for (const operation of operations) {
    if (operation.path === null) {
      if (!isObject(operation.value)) throw invalid(`${operation.op} without a path needs an object value`);
      for (const [name, value] of valueAttributes(operation.value)) applyAt(result, operation.op, parsePath(name), value, name);
    } else {
      applyAt(result, operation.op, parsePath(operation.path), operation.value, operation.path);
    }
  }
  return result;
}

function applyAt(resource: Record<string, unknown>, op: PatchOp, path: PatchPath, value: unknown, text: string): void {
  if (READ_ONLY.has(path.attribute.toLowerCase())) throw new Refusal(400, `${path.attribute} is read-only`, { scimType: 'mutability' });
  const key = keyIn(resource, path.attribute);
  if (path.filter) {
    const list = resource[key];
    const items = Array.isArray(list) ? list : [];
    const hits = items.filter((item) => matches(item, path.filter as NonNullable<PatchPath['filter']>));
    if (hits.length === 0) {
      if (op === 'remove') return;
      throw noTarget(`no value matches ${text}`);
    }
    if (path.sub !== null) {
      for (const hit of hits as Array<Record<string, unknown>>) setOrRemove(hit, op, path.sub, value);
    } else if (op === 'remove') {
      resource[key] = items.filter((item) => !hits.includes(item));
    } else {
      if (!isObject(value)) throw invalid(`${text} needs an object value`);
      resource[key] = items.map((item) => (hits.includes(item) ? (op === 'replace' ? value : { ...(item as object), ...value }) : item));
    }
    return;
  }
  if (path.sub !== null) {
    const parent = isObject(resource[key]) ? (resource[key] as Record<string, unknown>) : {};
    setOrRemove(parent, op, path.sub, value);
    resource[key] = parent;
    return;
  }
  const current = resource[key];
  if (op === 'remove') {
    if (Array.isArray(current) && Array.isArray(value)) {
      const values = new Set(value.map((item) => (isObject(item) ? String(item.value).toLowerCase() : String(item).toLowerCase())));
      resource[key] = current.filter((item) => !(isObject(item) && values.has(String(item.value).toLowerCase())));
    } else {
      delete resource[key];
    }
  } else if (op === 'add' && Array.isArray(current)) {
    resource[key] = [...current, ...(Array.isArray(value) ? value : [value])];
  } else if (op === 'add' && isObject(current) && isObject(value)) {
    resource[key] = { ...current, ...value };
  } else {
    resource[key] = value;
  }
}

function setOrRemove(target: Record<string, unknown>, op: PatchOp, name: string, value: unknown): void {
  const key = keyIn(target, name);
  if (op === 'remove') delete target[key];
  else target[key] = value;
}

/** The parts of a group that PATCH may change. */
export interface GroupState {
  displayName: string;
  externalId: string | null;
  memberIds: string[];
}

const memberValues = (value: unknown, text: string): string[] => {
  const items = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return items.map((item, index) => {
    const id = isObject(item) ? field(item, 'value') : item;
    if (typeof id !== 'string' || id === '') throw invalid(`${text}: value[${index}] needs a "value" with a user id`);
    return id;
  });
};

/** Applies operations to a group; member ids are not checked here (the caller answers 404 for unknown users). */
export function applyGroupPatch(state: GroupState, operations: readonly PatchOperation[]): GroupState {
  const next: GroupState = { ...state, memberIds: [...state.memberIds] };
  for (const operation of operations) {
    if (operation.path === null) {
      if (!isObject(operation.value)) throw invalid(`${operation.op} without a path needs an object value`);
      for (const [name, value] of valueAttributes(operation.value)) applyToGroup(next, operation.op, parsePath(name), value, name);
    } else {
      applyToGroup(next, operation.op, parsePath(operation.path), operation.value, operation.path);
    }
  }
  return next;
}

function applyToGroup(group: GroupState, op: PatchOp, path: PatchPath, value: unknown, text: string): void {
  const attribute = path.attribute.toLowerCase();
  if (attribute === 'members') {
    if (path.sub !== null) throw invalidPath(`unsupported path ${JSON.stringify(text)}`);
    if (path.filter) {
      if (op !== 'remove' || path.filter.attribute.toLowerCase() !== 'value' || typeof path.filter.value !== 'string') {
        throw invalidPath(`unsupported path ${JSON.stringify(text)}: use remove with members[value eq "<id>"]`);
      }
      const id = path.filter.value;
      group.memberIds = group.memberIds.filter((member) => member !== id);
      return;
    }
    if (op === 'add') {
      const present = new Set(group.memberIds);
      for (const id of memberValues(value, text)) {
        if (present.has(id)) continue;
        present.add(id);
        group.memberIds.push(id);
      }
    } else if (op === 'replace') {
      group.memberIds = [...new Set(memberValues(value, text))];
    } else if (value === undefined || value === null) {
      group.memberIds = [];
    } else {
      const gone = new Set(memberValues(value, text));
      group.memberIds = group.memberIds.filter((member) => !gone.has(member));
    }
    return;
  }
  if (attribute === 'displayname' && path.filter === null && path.sub === null) {
    if (op !== 'remove' && value === group.displayName) return;
    throw new Refusal(400, `a group's displayName cannot be changed once synced (${group.displayName}): create a new group, move the members, delete the old one`, {
      scimType: 'mutability',
    });
  }
  if (attribute === 'externalid' && path.filter === null && path.sub === null) {
    if (op === 'remove') group.externalId = null;
    else if (typeof value === 'string') group.externalId = value;
    else throw invalid('externalId must be a string');
    return;
  }
  throw invalidPath(`unsupported path ${JSON.stringify(text)} for a group`);
}

/** One membership change of a PATCH that changes nothing but members one by one. */
export type MemberChange = { add: string } | { remove: string };

/**
 * The membership changes of a PATCH made only of `add` to `members` and `remove` of
 * `members[value eq "…"]` (what provisioning clients send), in order; undefined for anything else (a
 * replace, a bulk remove, another attribute), which the caller then applies to the whole group. Lets a
 * store change a group of 100,000 members by 100 without reading it.
 */
export function memberChanges(operations: readonly PatchOperation[]): MemberChange[] | undefined {
  const changes: MemberChange[] = [];
  for (const operation of operations) {
    if (operation.path === null) return undefined;
    const path = parsePath(operation.path);
    if (path.attribute.toLowerCase() !== 'members' || path.sub !== null) return undefined;
    if (operation.op === 'add' && path.filter === null) {
      for (const id of memberValues(operation.value, operation.path)) changes.push({ add: id });
    } else if (
      operation.op === 'remove' &&
      path.filter !== null &&
      path.filter.attribute.toLowerCase() === 'value' &&
      typeof path.filter.value === 'string'
    ) {
      changes.push({ remove: path.filter.value });
    } else {
      return undefined;
    }
  }
  return changes;
}
