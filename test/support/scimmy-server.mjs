/**
 * A strict third-party SCIM 2.0 service provider on loopback, for the tests and the benchmark: the
 * protocol engine is SCIMMY with scimmy-routers (npm, MIT; TARGETS.md §7), and this module supplies only
 * in-memory storage plus the checks SCIMMY leaves to its handlers: unique userName and displayName
 * (case-insensitive, 409 uniqueness) and members that exist (400 invalidValue), so that a client bug a
 * lenient server would hide shows here.
 *
 * SCIMMY keeps its configuration and resource declarations in module-global state, so one server runs at
 * a time in a process; each start sets the configuration (Bulk on or off) afresh and empties the stores.
 *
 * Knobs: bulk (on/off, maxOperations, maxPayloadSize), token or Basic credentials, a 429 with
 * Retry-After on every Nth request (pacing tests), a delay before each answer (to kill an apply after the
 * server did the work and before the client heard of it), and
 * request counters (the benchmark).
 */
import { randomUUID } from 'node:crypto';
import express from 'express';
import SCIMMY from 'scimmy';
import SCIMMYRouters from 'scimmy-routers';

const stores = { User: new Map(), Group: new Map() };
/** Lower-case userName / displayName → id, for uniqueness in O(1). */
const names = { User: new Map(), Group: new Map() };
const KEY = { User: 'userName', Group: 'displayName' };
let declared = false;
let running = false;

function declare(type) {
  const store = stores[type];
  const index = names[type];
  const key = KEY[type];
  SCIMMY.Resources.declare(SCIMMY.Resources[type])
    .ingress((resource, data) => {
      const id = resource.id ?? randomUUID();
      const prev = resource.id ? store.get(id) : undefined;
      if (resource.id && !prev) throw new SCIMMY.Types.Error(404, null, `Resource ${id} not found`);
      const name = String(data[key]).toLowerCase();
      const holder = index.get(name);
      if (holder !== undefined && holder !== id) throw new SCIMMY.Types.Error(409, 'uniqueness', `${key} ${data[key]} already in use`);
      if (type === 'Group') {
        for (const member of data.members ?? []) {
          if (!stores.User.has(member.value)) throw new SCIMMY.Types.Error(400, 'invalidValue', `member ${member.value} does not exist`);
        }
      }
      const now = new Date().toISOString();
      const record = { ...data, id, meta: { created: prev?.meta?.created ?? now, lastModified: now } };
      if (type === 'Group') record.members = (data.members ?? []).map((member) => ({ value: member.value, type: 'User' }));
      if (prev) index.delete(String(prev[key]).toLowerCase());
      index.set(name, id);
      store.set(id, record);
      return record;
    })
    .egress((resource) => {
      if (resource.id) {
        const record = store.get(resource.id);
        if (!record) throw new SCIMMY.Types.Error(404, null, `Resource ${resource.id} not found`);
        return record;
      }
      const all = [...store.values()];
      // SCIMMY's own filter engine (an `eq` on the unique key is answered from the index).
      if (!resource.filter) return all;
      return resource.filter.match(all);
    })
    .degress((resource) => {
      const record = store.get(resource.id);
      if (!record) throw new SCIMMY.Types.Error(404, null, `Resource ${resource.id} not found`);
      store.delete(resource.id);
      index.delete(String(record[key]).toLowerCase());
    });
}

/**
 * Starts the server on 127.0.0.1 (a free port unless given).
 * @param {{bulk?: boolean, maxOperations?: number, maxPayloadSize?: number, token?: string, basic?: {user: string, password: string}, throttleEvery?: number, latencyMs?: number, port?: number}} [options]
 */
export async function startScimmyServer(options = {}) {
  if (running) throw new Error('one SCIMMY server at a time in a process (SCIMMY keeps its configuration globally)');
  running = true;
  for (const map of [...Object.values(stores), ...Object.values(names)]) map.clear();
  const token = options.token ?? 'test-token';
  const maxPayloadSize = options.maxPayloadSize ?? 1_048_576;
  // The routers read maxPayloadSize when they are built, and set their own defaults: configure around them.
  const config = () =>
    SCIMMY.Config.set({
      patch: true,
      filter: 200,
      sort: true,
      etag: false,
      changePassword: false,
      bulk: { supported: options.bulk ?? true, maxOperations: options.maxOperations ?? 100, maxPayloadSize },
    });
  config();
  if (!declared) {
    declare('User');
    declare('Group');
    SCIMMY.Resources.User.extend(SCIMMY.Schemas.EnterpriseUser, false);
    declared = true;
  }
  const expected = options.basic ? `Basic ${Buffer.from(`${options.basic.user}:${options.basic.password}`).toString('base64')}` : `Bearer ${token}`;
  const routers = new SCIMMYRouters({
    type: options.basic ? 'basic' : 'bearer',
    handler: (req) => {
      if (req.header('Authorization') !== expected) throw new Error('Authorization failure');
      return 'tester';
    },
  });
  config();

  const counts = { requests: 0, writes: 0, bulkRequests: 0, bulkOperations: 0, throttled: 0, byRoute: new Map() };
  let seen = 0;
  const app = express();
  app.use('/scim/v2', (req, res, next) => {
    seen++;
    if (options.throttleEvery && seen % options.throttleEvery === 0) {
      counts.throttled++;
      res.status(429).set('Retry-After', '1').json({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '429', detail: 'slow down' });
      return;
    }
    counts.requests++;
    if (req.method !== 'GET') counts.writes++;
    const route = `${req.method} ${req.path.split('/').slice(0, 2).join('/')}`;
    counts.byRoute.set(route, (counts.byRoute.get(route) ?? 0) + 1);
    if (options.latencyMs) {
      // The answer is late, not the work: a client killed meanwhile never learns what the server did.
      const end = res.end;
      res.end = function (...args) {
        setTimeout(() => end.apply(this, args), options.latencyMs);
        return this;
      };
    }
    next();
  });
  app.use('/scim/v2', express.json({ type: ['application/scim+json', 'application/json'], limit: maxPayloadSize }), (req, res, next) => {
    if (req.method === 'POST' && req.path === '/Bulk' && Array.isArray(req.body?.Operations)) {
      counts.bulkRequests++;
      counts.bulkOperations += req.body.Operations.length;
    }
    next();
  });
  // SCIMMY's PATCH reads the resource (egress), applies the operations and writes it back (ingress) with
  // awaits between them, so two PATCHes of one group at once would lose one's members. A real store is
  // transactional; this one takes one write at a time (reads go on meanwhile).
  let writing = Promise.resolve();
  app.use('/scim/v2', (req, res, next) => {
    if (req.method === 'GET') return next();
    const previous = writing;
    let release;
    writing = new Promise((resolve) => (release = resolve));
    res.once('finish', release);
    res.once('close', release);
    previous.then(() => next());
  });
  app.use('/scim/v2', routers);
  const server = await new Promise((resolve, reject) => {
    const listening = app.listen(options.port ?? 0, '127.0.0.1', () => resolve(listening));
    listening.on('error', reject);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/scim/v2`,
    token,
    counts,
    users: () => [...stores.User.values()],
    groups: () => [...stores.Group.values()],
    resetCounts() {
      Object.assign(counts, { requests: 0, writes: 0, bulkRequests: 0, bulkOperations: 0, throttled: 0 });
      counts.byRoute.clear();
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => {
          running = false;
          resolve(undefined);
        });
      }),
  };
}
