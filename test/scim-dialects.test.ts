/**
 * The SCIM dialect profiles shape the request bodies (no server needed: the bodies are built, not sent),
 * and discovery reads what SCIMMY advertises, Bulk on or off.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HttpClient } from '../src/targets/http-client.js';
import { describeDiscovery, discoverScim, usesBulk, type ScimDiscovery } from '../src/targets/scim-discovery.js';
import { GenericScimConnector } from '../src/targets/scim-generic.js';
import { SCIM_PROFILES, scimProfile } from '../src/targets/scim-profiles.js';
// @ts-expect-error: a plain ES module shared with the benchmark (no type declarations)
import { startScimmyServer } from './support/scimmy-server.mjs';

const discovery: ScimDiscovery = {
  patch: true,
  bulk: { supported: true, maxOperations: 100, maxPayloadSize: 1_048_576 },
  filter: { supported: true, maxResults: 200 },
  etag: false,
  sort: false,
  paging: 'index',
  pageSize: 100,
  endpoints: { Users: '/Users', Groups: '/Groups' },
  userAttributes: new Set(),
  extensions: [],
  schemas: 3,
};
const unused = new HttpClient({ baseUrl: 'http://127.0.0.1:9', token: 'x', label: 'unused' });
const connector = (name: string) => new GenericScimConnector(unused, scimProfile(name), discovery);

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('SCIM dialect profiles', () => {
  it('every profile names the source of each of its quirks', () => {
    for (const name of SCIM_PROFILES) {
      const profile = scimProfile(name);
      expect(profile.quirks.length).toBeGreaterThan(0);
      for (const quirk of profile.quirks) expect(quirk.source).toMatch(/^https:\/\//);
    }
    expect(() => scimProfile('sap')).toThrow(/generic, atlassian, entra, okta, aws/);
  });

  it('generic: RFC forms, lower-case ops, boolean active, one filter-path remove per member', () => {
    const generic = connector('generic');
    expect(generic.userBody({ email: 'a@x.com', displayName: 'A', active: true })).toMatchObject({ userName: 'a@x.com', active: true });
    expect(generic.addMembersBody(['u1', 'bulkId:op3']).Operations).toEqual([{ op: 'add', path: 'members', value: [{ value: 'u1' }, { value: 'bulkId:op3' }] }]);
    expect(generic.removeMembersBody(['u1', 'u"2']).Operations).toEqual([
      { op: 'remove', path: 'members[value eq "u1"]' },
      { op: 'remove', path: 'members[value eq "u\\"2"]' },
    ]);
    expect(generic.changeEmailBody({ email: 'b@x.com', displayName: 'B' }).Operations.map((o) => o.op)).toEqual(['replace', 'replace', 'replace']);
  });

  it('entra: capitalised ops, active as a string, members removed with a value array', () => {
    const entra = connector('entra');
    expect(entra.userBody({ email: 'a@x.com', displayName: 'A', active: false })).toMatchObject({ active: 'False' });
    expect(entra.removeMembersBody(['u1', 'u2']).Operations).toEqual([{ op: 'Remove', path: 'members', value: [{ value: 'u1' }, { value: 'u2' }] }]);
    expect(entra.addMembersBody(['u1']).Operations[0]?.op).toBe('Add');
    expect(entra.changeEmailBody({ email: 'b@x.com', displayName: 'B' }).Operations[0]?.op).toBe('Replace');
  });

  it('aws: at most 100 member changes per PATCH, pages of 50, no Bulk even when offered', () => {
    const aws = connector('aws');
    const ids = Array.from({ length: 250 }, (_, i) => `u${i}`);
    expect(aws.chunks(ids).map((chunk) => chunk.length)).toEqual([100, 100, 50]);
    expect(connector('generic').chunks(ids)).toHaveLength(1);
    expect(usesBulk(discovery, scimProfile('aws'))).toBe(false);
    expect(usesBulk(discovery, scimProfile('generic'))).toBe(true);
    expect(scimProfile('aws').maxPageSize).toBe(50);
  });

  it('only the User attributes the schema has are sent', () => {
    const narrow = new GenericScimConnector(unused, scimProfile('generic'), { ...discovery, userAttributes: new Set(['username', 'emails']) });
    expect(Object.keys(narrow.userBody({ email: 'a@x.com', displayName: 'A', active: true })).sort()).toEqual(['emails', 'schemas', 'userName']);
  });
});

describe('discovery against SCIMMY', () => {
  for (const bulk of [true, false]) {
    it(`reads ServiceProviderConfig, ResourceTypes and Schemas (Bulk ${bulk ? 'on' : 'off'})`, async () => {
      const server = (await startScimmyServer({ bulk })) as { url: string; token: string; close(): Promise<void> };
      close = () => server.close();
      const http = new HttpClient({ baseUrl: server.url, token: server.token, label: 'SCIMMY', contentType: 'application/scim+json' });
      const found = await discoverScim(http, scimProfile('generic'));
      expect(found.bulk).toEqual({ supported: bulk, maxOperations: 100, maxPayloadSize: 1_048_576 });
      expect(found.filter).toEqual({ supported: true, maxResults: 200 });
      expect(found.endpoints).toEqual({ Users: '/Users', Groups: '/Groups' });
      expect(found.userAttributes.has('username')).toBe(true);
      expect(found.userAttributes.has('active')).toBe(true);
      expect(found.extensions).toEqual(['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User']);
      expect(found.pageSize).toBe(100);
      expect(describeDiscovery(found, scimProfile('generic'))).toContain(bulk ? 'Bulk (≤100 operations' : 'no Bulk');
      const refused = new HttpClient({ baseUrl: server.url, token: 'wrong', label: 'SCIMMY' });
      await expect(discoverScim(refused, scimProfile('generic'))).rejects.toThrow(/refused the credentials/);
    });
  }
});
