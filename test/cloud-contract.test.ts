/**
 * Contract tests of the local cloud against Atlassian's own OpenAPI files (samples/atlassian-openapi): every
 * operation of the user-provisioning spec, and the org-spec operations usermig needs, are routed; a sample
 * of exchanges — the request bodies we send and every answer we get — is checked against the operation's
 * schemas for that status, strictly (a property the schema does not name is an error). Where the spec and
 * Atlassian's live behaviour disagree, the allowance is listed below with its reason.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchRoute } from '../src/cloud/http.js';
import { routesOf, startCloud, type RunningCloud } from '../src/cloud/server.js';
import { tempDir } from './support/files.js';

// Atlassian's files are not vendored in the repository (they carry Atlassian's terms, not ours): they are
// read from USERMIG_OPENAPI_DIR, or from the shared samples next to the checkout; without them the
// contract tests are skipped, and say so.
const SPEC_DIRS = [
  process.env.USERMIG_OPENAPI_DIR ?? '',
  path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'shared', 'samples', 'atlassian-openapi'),
  '/work/shared/samples/atlassian-openapi',
].filter((dir) => dir !== '');
const SPEC_DIR = SPEC_DIRS.find((dir) => fs.existsSync(path.join(dir, 'admin_user_provisioning.json')) && fs.existsSync(path.join(dir, 'admin_organization.json')));
type Json = any;
const readSpec = (name: string): Json => (SPEC_DIR ? JSON.parse(fs.readFileSync(path.join(SPEC_DIR, name), 'utf8')) : { paths: {} });
const provisioning: Json = readSpec('admin_user_provisioning.json');
const organization: Json = readSpec('admin_organization.json');
if (!SPEC_DIR) console.warn(`cloud contract tests skipped: no Atlassian OpenAPI files in ${SPEC_DIRS.join(' or ')} (set USERMIG_OPENAPI_DIR)`);

// --- a small checker for the JSON-schema subset the specs use ---------------------------------------------

interface SchemaError {
  path: string;
  kind: 'type' | 'required' | 'enum' | 'unknown-property' | 'range' | 'any-of';
  message: string;
  value?: unknown;
}

function resolve(spec: Json, schema: Json): Json {
  let current = schema;
  while (current && typeof current.$ref === 'string') {
    current = (current.$ref as string)
      .replace(/^#\//, '')
      .split('/')
      .reduce((node: Json, key: string) => node?.[key], spec);
    if (current === undefined) throw new Error(`unresolved $ref ${schema.$ref}`);
  }
  return current;
}

/** Resolves $ref and folds allOf into one schema (properties, required, type, enum). */
function flatten(spec: Json, raw: Json): Json {
  const schema = resolve(spec, raw);
  if (!schema?.allOf) return schema;
  const { allOf, ...rest } = schema;
  return (allOf as Json[]).map((part) => flatten(spec, part)).reduce(
    (merged: Json, part: Json) => ({
      ...merged,
      ...part,
      properties: { ...merged.properties, ...part.properties },
      required: [...(merged.required ?? []), ...(part.required ?? [])],
    }),
    { ...rest, properties: { ...(rest.properties ?? {}) } },
  );
}

function validate(spec: Json, raw: Json, value: unknown, at = '$', errors: SchemaError[] = []): SchemaError[] {
  const schema = flatten(spec, raw);
  if (!schema || Object.keys(schema).length === 0) return errors;
  if (value === null && schema.nullable) return errors;
  if (schema.anyOf || schema.oneOf) {
    const branches: Json[] = schema.anyOf ?? schema.oneOf;
    if (!branches.some((branch) => validate(spec, branch, value, at).length === 0)) {
      errors.push({ path: at, kind: 'any-of', message: 'matches none of the alternatives', value });
    }
    return errors;
  }
  const type = schema.type ?? (schema.properties ? 'object' : undefined);
  const typeOk: Record<string, (v: unknown) => boolean> = {
    object: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
    array: Array.isArray,
    string: (v) => typeof v === 'string',
    integer: (v) => Number.isInteger(v),
    number: (v) => typeof v === 'number',
    boolean: (v) => typeof v === 'boolean',
  };
  if (type && typeOk[type] && !typeOk[type](value)) {
    errors.push({ path: at, kind: 'type', message: `expected ${type}`, value });
    return errors;
  }
  if (schema.enum && !schema.enum.includes(value)) errors.push({ path: at, kind: 'enum', message: `not one of ${schema.enum.join(', ')}`, value });
  if (typeof value === 'number' && ((schema.minimum !== undefined && value < schema.minimum) || (schema.maximum !== undefined && value > schema.maximum))) {
    errors.push({ path: at, kind: 'range', message: 'out of range', value });
  }
  if (schema.format === 'date-time' && typeof value === 'string' && Number.isNaN(Date.parse(value))) {
    errors.push({ path: at, kind: 'type', message: 'not a date-time', value });
  }
  if (type === 'array') {
    const items = value as unknown[];
    if ((schema.maxItems !== undefined && items.length > schema.maxItems) || (schema.minItems !== undefined && items.length < schema.minItems)) {
      errors.push({ path: at, kind: 'range', message: 'wrong number of items', value });
    }
    if (schema.items) items.forEach((item, index) => validate(spec, schema.items, item, `${at}[${index}]`, errors));
  }
  if (type === 'object') {
    const object = value as Record<string, unknown>;
    for (const name of schema.required ?? []) if (!(name in object)) errors.push({ path: `${at}.${name}`, kind: 'required', message: 'is required' });
    const properties: Record<string, Json> = schema.properties ?? {};
    for (const [name, item] of Object.entries(object)) {
      if (name in properties) validate(spec, properties[name], item, `${at}.${name}`, errors);
      else if (schema.additionalProperties && typeof schema.additionalProperties === 'object') validate(spec, schema.additionalProperties, item, `${at}.${name}`, errors);
      else if (!schema.additionalProperties && Object.keys(properties).length > 0) errors.push({ path: `${at}.${name}`, kind: 'unknown-property', message: 'not in the schema' });
    }
  }
  return errors;
}

// --- where the spec and Atlassian's behaviour part ways --------------------------------------------------

interface Allowance {
  reason: string;
  applies(error: SchemaError, exchange: Exchange): boolean;
}

const ALLOWANCES: Allowance[] = [
  {
    reason: 'meta.resourceType is typed USER|GROUP but live payloads say "User" and "Group" (TARGETS 1.8 #8)',
    applies: (error) => error.kind === 'enum' && error.path.endsWith('.meta.resourceType') && ['User', 'Group'].includes(error.value as string),
  },
  {
    reason: "a patch operation's value is typed as Jackson's JsonNode (an object describing a node); any JSON value is sent, as the spec's own example shows",
    applies: (error, exchange) => exchange.side === 'request' && error.kind === 'type' && /\.operations\[\d+\]\.value$/i.test(error.path),
  },
  {
    reason: 'the spec spells the PatchOp array "operations"; the RFC, its own example and every IdP send "Operations" (TARGETS 1.5)',
    applies: (error, exchange) => exchange.side === 'request' && error.kind === 'unknown-property' && error.path === '$.Operations',
  },
];

interface Exchange {
  spec: 'provisioning' | 'organization';
  side: 'request' | 'response';
  method: string;
  template: string;
  status: number;
}

// --- the spec's operations --------------------------------------------------------------------------------

function templateOf(spec: Json, concretePath: string): string {
  const segments = concretePath.split('/');
  const candidates = Object.keys(spec.paths).filter((template) => {
    const parts = template.split('/');
    return parts.length === segments.length && parts.every((part, index) => part.startsWith('{') || part === decodeURIComponent(segments[index] as string));
  });
  candidates.sort((a, b) => b.split('/').filter((p) => !p.startsWith('{')).length - a.split('/').filter((p) => !p.startsWith('{')).length);
  if (candidates.length === 0) throw new Error(`no operation in the spec for ${concretePath}`);
  return candidates[0] as string;
}

const contentSchema = (spec: Json, holder: Json): Json | undefined => {
  const resolved = resolve(spec, holder);
  const content = resolved?.content;
  if (!content) return undefined;
  return (content['application/json'] ?? content['application/scim+json'] ?? Object.values(content)[0])?.schema;
};

let cloud: RunningCloud;
const problems: string[] = [];
const checked: string[] = [];
const allowancesUsed = new Set<string>();

beforeAll(async () => {
  cloud = await startCloud({ dataDir: tempDir('usermig-cloud-contract-'), port: 0, verifiedDomains: ['example.com'] });
});
afterAll(async () => {
  await cloud?.close();
});

function checkAgainst(exchange: Exchange, schema: Json | undefined, value: unknown): void {
  const spec = exchange.spec === 'provisioning' ? provisioning : organization;
  if (schema === undefined) return;
  let target = value;
  // The spec types a few 400s as a bare ApplicationError where every other operation wraps it in
  // {errors: [...]}; the local cloud always wraps, so the first entry is what is checked.
  if (schema.$ref === '#/components/schemas/ApplicationError' && target && typeof target === 'object' && 'errors' in target) {
    target = (target as { errors: unknown[] }).errors[0];
  }
  // The spec types the discovery bodies only as "string"; they are SCIM JSON documents (RFC 7643 §5–7).
  if (resolve(spec, schema).type === 'string' && typeof target === 'object') return;
  const label = `${exchange.method} ${exchange.template} ${exchange.status} ${exchange.side}`;
  checked.push(label);
  for (const error of validate(spec, schema, target)) {
    const allowance = ALLOWANCES.find((candidate) => candidate.applies(error, exchange));
    if (allowance) {
      allowancesUsed.add(allowance.reason);
      continue;
    }
    problems.push(`${label}: ${error.path} ${error.message}${error.value !== undefined ? ` (${JSON.stringify(error.value)})` : ''}`);
  }
}

/** Sends a request, checks its body and the answer against the spec, returns the answer. */
async function exchange(method: string, urlPath: string, body?: unknown, token?: string | null): Promise<{ status: number; body: any }> {
  const isScim = urlPath.startsWith('/scim/') || urlPath.startsWith('/admin/user-provisioning/');
  const specName = isScim ? 'provisioning' : 'organization';
  const spec = isScim ? provisioning : organization;
  const specPath = (isScim ? urlPath : urlPath.replace(/^\/admin/, '')).split('?')[0] as string;
  const template = templateOf(spec, specPath);
  const operation = spec.paths[template][method.toLowerCase()];
  if (!operation) throw new Error(`the spec has no ${method} ${template}`);
  if (body !== undefined && operation.requestBody) {
    checkAgainst({ spec: specName, side: 'request', method, template, status: 0 }, contentSchema(spec, operation.requestBody), body);
  }
  const authorization = token === undefined ? (isScim && urlPath.startsWith('/scim/') ? cloud.scimToken : cloud.orgToken) : token;
  const response = await fetch(`${cloud.url}${urlPath}`, {
    method,
    headers: { ...(authorization ? { Authorization: `Bearer ${authorization}` } : {}), ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  const answer = text === '' ? undefined : JSON.parse(text);
  const documented = operation.responses[String(response.status)];
  if (!documented) problems.push(`${method} ${template}: status ${response.status} is not documented (${Object.keys(operation.responses).join(', ')})`);
  else checkAgainst({ spec: specName, side: 'response', method, template, status: response.status }, contentSchema(spec, documented), answer);
  return { status: response.status, body: answer };
}

describe.skipIf(!SPEC_DIR)('the schema checker', () => {
  it('reports wrong types, unknown properties, missing required ones and enum values', () => {
    const errors = validate(provisioning, { $ref: '#/components/schemas/ScimUser' }, { userName: 5, bogus: 1, emails: [{ value: 'a@b.c', primary: 'yes' }], meta: { resourceType: 'Person' } });
    expect(errors.map((error) => `${error.kind} ${error.path}`).sort()).toEqual([
      'enum $.meta.resourceType',
      'type $.emails[0].primary',
      'type $.userName',
      'unknown-property $.bogus',
    ]);
    expect(validate(organization, { $ref: '#/components/schemas/DomainModel' }, { id: 'x' }).map((error) => error.path)).toEqual(['$.type', '$.attributes', '$.links']);
  });
});

describe.skipIf(!SPEC_DIR)('routes cover the specs', () => {
  const concrete = (template: string) => template.replace(/\{[^}]+\}/g, 'x');

  it('serves every operation of the user-provisioning spec', () => {
    const routes = routesOf(cloud.org, cloud.scim);
    const missing: string[] = [];
    for (const [template, operations] of Object.entries<Json>(provisioning.paths)) {
      for (const method of Object.keys(operations).filter((key) => ['get', 'post', 'put', 'patch', 'delete'].includes(key))) {
        const match = matchRoute(routes, method.toUpperCase(), concrete(template));
        if (!match || 'methodNotAllowed' in match) missing.push(`${method.toUpperCase()} ${template}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('serves the org-spec operations usermig needs, and leaves out only events, policies and last-active dates', () => {
    const routes = routesOf(cloud.org, cloud.scim);
    const missing: string[] = [];
    for (const [template, operations] of Object.entries<Json>(organization.paths)) {
      for (const method of Object.keys(operations).filter((key) => ['get', 'post', 'put', 'patch', 'delete'].includes(key))) {
        const match = matchRoute(routes, method.toUpperCase(), `/admin${concrete(template)}`);
        if (!match || 'methodNotAllowed' in match) missing.push(`${method.toUpperCase()} ${template}`);
      }
    }
    expect(missing.filter((operation) => !/\/(events|event-actions|policies)|last-active-dates/.test(operation))).toEqual([]);
    expect(missing).toHaveLength(13);
  });
});

describe.skipIf(!SPEC_DIR)('exchanges match the OpenAPI schemas', () => {
  it('SCIM users, groups, errors and discovery', async () => {
    problems.length = 0;
    const dir = `/scim/directory/${cloud.directoryId}`;
    const user = {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'alice@example.com',
      externalId: 'jira:alice',
      name: { givenName: 'Alice', familyName: 'Anderson' },
      displayName: 'Alice Anderson',
      title: 'Engineer',
      timezone: 'Europe/Paris',
      emails: [{ value: 'alice@example.com', type: 'work', primary: true }],
      phoneNumbers: [{ value: '+33 1 23 45 67 89', type: 'work', primary: true }],
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'R&D', organization: 'Acme' },
      active: true,
    };
    const created = await exchange('POST', `${dir}/Users`, user);
    expect(created.status).toBe(201);
    expect((await exchange('POST', `${dir}/Users`, user)).status).toBe(409);
    const bob = await exchange('POST', `${dir}/Users`, { ...user, userName: 'bob@example.com', externalId: 'jira:bob', emails: [{ value: 'bob@example.com', primary: true }] });
    await exchange('GET', `${dir}/Users?filter=${encodeURIComponent('userName eq "alice@example.com"')}&startIndex=1&count=10`);
    expect((await exchange('GET', `${dir}/Users?filter=${encodeURIComponent('title eq "x"')}`)).status).toBe(400);
    await exchange('GET', `${dir}/Users/${created.body.id}?attributes=userName,emails.value`);
    expect((await exchange('GET', `${dir}/Users/00000000-0000-0000-0000-000000000000`)).status).toBe(404);
    const patchOp = { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'title', value: 'Lead' }] };
    expect((await exchange('PATCH', `${dir}/Users/${created.body.id}`, patchOp)).status).toBe(200);
    const lowerCase = { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], operations: [{ op: 'replace', path: 'active', value: true }] };
    expect((await exchange('PATCH', `${dir}/Users/${created.body.id}`, lowerCase)).status).toBe(200);
    expect((await exchange('PUT', `${dir}/Users/${created.body.id}`, user)).status).toBe(200);
    const group = await exchange('POST', `${dir}/Groups`, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Engineering', externalId: 'jira:eng' });
    expect(group.status).toBe(201);
    expect((await exchange('POST', `${dir}/Groups`, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'engineering' })).status).toBe(409);
    const add = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'add', path: 'members', value: [{ value: created.body.id, display: 'alice@example.com' }, { value: bob.body.id }] }],
    };
    expect((await exchange('PATCH', `${dir}/Groups/${group.body.id}`, add)).status).toBe(200);
    await exchange('GET', `${dir}/Groups?filter=${encodeURIComponent('displayName eq "Engineering"')}`);
    await exchange('GET', `${dir}/Groups/${group.body.id}`);
    expect(
      (await exchange('PUT', `${dir}/Groups/${group.body.id}`, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Engineering', members: [{ value: bob.body.id }] })).status,
    ).toBe(200);
    expect((await exchange('GET', `${dir}/Users`, undefined, null)).status).toBe(401);
    for (const discovery of ['ServiceProviderConfig', 'ResourceTypes', 'ResourceTypes/User', 'Schemas', 'Schemas/urn:ietf:params:scim:schemas:core:2.0:Group']) {
      expect((await exchange('GET', `${dir}/${discovery}`)).status).toBe(200);
    }
    expect((await exchange('DELETE', `${dir}/Users/${bob.body.id}`)).status).toBe(204);
    expect((await exchange('DELETE', `${dir}/Groups/${group.body.id}`)).status).toBe(204);
    const aaid = created.body['urn:scim:schemas:extension:atlassian-external:1.0'].atlassianAccountId;
    expect((await exchange('DELETE', `/admin/user-provisioning/v1/org/${cloud.orgId}/user/${aaid}/onlyDeleteUserInDB`)).status).toBe(204);
    expect((await exchange('DELETE', `/admin/user-provisioning/v1/org/${cloud.orgId}/user/${aaid}/onlyDeleteUserInDB`)).status).toBe(404);
    expect(problems).toEqual([]);
  });

  it('organization API v1 and workspaces', async () => {
    problems.length = 0;
    const orgPath = `/admin/v1/orgs/${cloud.orgId}`;
    await exchange('GET', '/admin/v1/orgs');
    await exchange('GET', orgPath);
    const invited = (await fetch(`${cloud.url}/admin/v2/orgs/${cloud.orgId}/users/invite`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${cloud.orgToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ emails: ['carol@example.com'] }),
    }).then((response) => response.json())) as Json;
    const carol = invited.data[0].id as string;
    await exchange('GET', `${orgPath}/users`);
    await exchange('POST', `${orgPath}/users/search`, { emailDomains: { eq: ['example.com'] }, accountStatuses: ['ACTIVE'], limit: 50, expand: ['NAME', 'EMAIL', 'EMAIL_VERIFIED'] });
    expect((await exchange('POST', `${orgPath}/users/search`, { cursor: 'forged' })).status).toBe(400);
    await exchange('POST', `${orgPath}/groups/search`, { groupNames: { contains: 'users' }, limit: 2, expand: ['ROLE_ASSIGNMENTS'] });
    const domains = await exchange('GET', `${orgPath}/domains`);
    await exchange('GET', `${orgPath}/domains/${domains.body.data[0].id}`);
    expect((await exchange('GET', `${orgPath}/domains/unknown`)).status).toBe(404);
    const group = await exchange('POST', `${orgPath}/directory/groups`, { name: 'contract-team', description: 'made by the contract test' });
    expect(group.status).toBe(200);
    expect((await exchange('POST', `${orgPath}/directory/groups`, { name: 'Contract-Team' })).status).toBe(400);
    expect((await exchange('POST', `${orgPath}/directory/groups/${group.body.groupId}/memberships`, { account_id: carol })).status).toBe(200);
    expect((await exchange('DELETE', `${orgPath}/directory/groups/${group.body.groupId}`)).status).toBe(409);
    expect((await exchange('POST', `${orgPath}/directory/users/${carol}/suspend-access`)).status).toBe(200);
    expect((await exchange('POST', `${orgPath}/directory/users/${carol}/restore-access`)).status).toBe(200);
    expect((await exchange('DELETE', `${orgPath}/directory/groups/${group.body.groupId}/memberships/${carol}`)).status).toBe(200);
    expect((await exchange('DELETE', `${orgPath}/directory/groups/${group.body.groupId}`)).status).toBe(200);
    expect((await exchange('DELETE', `${orgPath}/directory/users/${carol}`)).status).toBe(204);
    expect((await exchange('GET', `${orgPath}/domains`, undefined, 'wrong')).status).toBe(401);
    await exchange('POST', `/admin/v2/orgs/${cloud.orgId}/workspaces`, { limit: 20 });
    expect(problems).toEqual([]);
    expect(checked.length).toBeGreaterThan(40);
    // Every allowance is exercised: each is a real difference between the spec and the wire.
    expect([...allowancesUsed].sort()).toEqual(ALLOWANCES.map((allowance) => allowance.reason).sort());
  });
});
