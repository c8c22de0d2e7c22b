/**
 * The user-provisioning (SCIM) API under `/scim/directory/{directoryId}` with Atlassian's paths, statuses and
 * paging (TARGETS 1.2, 1.3): Users and Groups (list with one `eq` filter and pages of at most 100, get,
 * create 201, PUT, PATCH, DELETE 204), the discovery endpoints, and the admin API's onlyDeleteUserInDB
 * (org key). No Bulk, no `/.search`, no `/Me`: those paths answer 404, as undocumented paths do.
 */
import { json, noContent, type Reply, type RequestContext, type Route } from './http.js';
import { MAX_PAGE, listOf, resourceTypes, schemaDocuments, serviceProviderConfig } from './scim-discovery.js';
import type { ScimDirectory, StoredScimGroup } from './scim-directory.js';
import { parseEqFilter } from './scim-filter.js';
import { parsePatchBody } from './scim-patch.js';
import { parseUserInput, project, renderGroup, renderUser, SCHEMA, type StoredUser } from './scim-resources.js';
import { invalid, Refusal } from './refusal.js';

const SCIM = '/scim/directory/:directoryId';

export function scimRoutes(directory: ScimDirectory): Route[] {
  const base = (context: RequestContext) => `${context.base}/scim/directory/${directory.directoryId}`;
  const user = (context: RequestContext, row: StoredUser): Record<string, unknown> =>
    project(renderUser(row, directory.groupsOfUser(row.id), base(context)), context.query.get('attributes'), context.query.get('excludedAttributes'));
  const group = (context: RequestContext, row: StoredScimGroup): Record<string, unknown> => {
    const attributes = context.query.get('attributes');
    const excluded = context.query.get('excludedAttributes');
    const named = (list: string | null) => (list ?? '').split(',').some((name) => name.trim().toLowerCase() === 'members');
    // Members that the projection would drop are not read: a PATCH of a large group answers quickly.
    const members = named(excluded) || (attributes !== null && attributes.trim() !== '' && !named(attributes)) ? [] : directory.members(row.id);
    return project(renderGroup(row, members, base(context)), attributes, excluded);
  };
  const objectBody = (context: RequestContext): Record<string, unknown> => {
    if (typeof context.body !== 'object' || context.body === null || Array.isArray(context.body)) {
      throw new Refusal(400, 'the body must be a JSON object', { scimType: 'invalidSyntax' });
    }
    return context.body as Record<string, unknown>;
  };
  const created = (context: RequestContext, resource: Record<string, unknown>): Reply =>
    json(201, resource, { Location: (resource.meta as { location: string } | undefined)?.location ?? base(context) });

  const routes: Array<[string, string, (context: RequestContext) => Reply]> = [
    ['GET', '/Users', (context) => {
      const filter = filterOf(context, ['userName', 'externalId']);
      const { startIndex, offset, limit } = pagingOf(context);
      const page = directory.listUsers(filter, offset, limit);
      return json(200, listPage(page.total, startIndex, page.rows.map((row) => user(context, row))));
    }],
    ['POST', '/Users', (context) => created(context, user(context, directory.createUser(parseUserInput(context.body))))],
    ['GET', '/Users/:userId', (context) => json(200, user(context, directory.requireUser(context.params.userId as string)))],
    ['PUT', '/Users/:userId', (context) =>
      json(200, user(context, directory.replaceUser(context.params.userId as string, parseUserInput(context.body))))],
    ['PATCH', '/Users/:userId', (context) =>
      json(200, user(context, directory.patchUser(context.params.userId as string, parsePatchBody(context.body))))],
    ['DELETE', '/Users/:userId', (context) => {
      directory.deleteUser(context.params.userId as string);
      return noContent();
    }],
    ['GET', '/Groups', (context) => {
      const filter = filterOf(context, ['displayName']);
      const { startIndex, offset, limit } = pagingOf(context);
      const page = directory.listGroups(filter, offset, limit);
      return json(200, listPage(page.total, startIndex, page.rows.map((row) => group(context, row))));
    }],
    ['POST', '/Groups', (context) => created(context, group(context, directory.createGroup(objectBody(context))))],
    ['GET', '/Groups/:id', (context) => json(200, group(context, directory.requireGroup(context.params.id as string)))],
    ['PUT', '/Groups/:id', (context) => json(200, group(context, directory.replaceGroup(context.params.id as string, objectBody(context))))],
    ['PATCH', '/Groups/:id', (context) =>
      json(200, group(context, directory.patchGroup(context.params.id as string, parsePatchBody(context.body))))],
    ['DELETE', '/Groups/:id', (context) => {
      directory.deleteGroup(context.params.id as string);
      return noContent();
    }],
    ['GET', '/ServiceProviderConfig', (context) => json(200, serviceProviderConfig(base(context)))],
    ['GET', '/ResourceTypes', (context) => json(200, listOf(Object.values(resourceTypes(base(context)))))],
    ['GET', '/ResourceTypes/:type', (context) => {
      const found = resourceTypes(base(context))[context.params.type as string];
      if (!found) throw new Refusal(404, `no resource type ${context.params.type}`);
      return json(200, found);
    }],
    ['GET', '/Schemas', (context) => json(200, listOf(Object.values(schemaDocuments(base(context)))))],
    ['GET', '/Schemas/:schemaId', (context) => {
      const found = schemaDocuments(base(context))[context.params.schemaId as string];
      if (!found) throw new Refusal(404, `no schema ${context.params.schemaId}`);
      return json(200, found);
    }],
  ];
  const scim = routes.map(([method, suffix, handler]) => ({ method, pattern: `${SCIM}${suffix}`, api: 'scim' as const, handler }));
  const admin: Route = {
    method: 'DELETE',
    pattern: '/admin/user-provisioning/v1/org/:orgId/user/:aaid/onlyDeleteUserInDB',
    api: 'provisioning-admin',
    handler: (context) => {
      const account = directory.org.account(context.params.aaid as string);
      if (!account || !directory.org.isManaged(account) || directory.deleteRecordsOf(account.account_id) === 0) {
        throw new Refusal(404, 'User not found or User that is found is not a managed user');
      }
      return noContent();
    },
  };
  return [...scim, admin];
}

function filterOf(context: RequestContext, allowed: readonly string[]) {
  const filter = context.query.get('filter');
  return filter === null || filter.trim() === '' ? null : parseEqFilter(filter, allowed);
}

/** `startIndex` is 1-based (below 1 means 1); `count` is capped at 100 and defaults to it (TARGETS 1.3, 6.3). */
function pagingOf(context: RequestContext): { startIndex: number; offset: number; limit: number } {
  const integer = (name: string, fallback: number): number => {
    const raw = context.query.get(name);
    if (raw === null || raw.trim() === '') return fallback;
    if (!/^-?\d+$/.test(raw.trim())) throw invalid(`${name} must be an integer`);
    return Number(raw);
  };
  const startIndex = Math.max(1, integer('startIndex', 1));
  const count = Math.min(MAX_PAGE, Math.max(0, integer('count', MAX_PAGE)));
  return { startIndex, offset: startIndex - 1, limit: count };
}

function listPage(total: number, startIndex: number, resources: unknown[]): Record<string, unknown> {
  return { schemas: [SCHEMA.list], totalResults: total, startIndex, itemsPerPage: resources.length, Resources: resources };
}
