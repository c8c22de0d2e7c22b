import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCloud, type RunningCloud } from '../src/cloud/server.js';
import { HttpClient, type RequestEvent } from '../src/targets/http-client.js';
import { ScimConnector } from '../src/targets/scim-connector.js';
import { tempDir } from './support/files.js';

let cloud: RunningCloud | undefined;
afterEach(async () => {
  await cloud?.close();
  cloud = undefined;
});

async function connect(options: Parameters<typeof startCloud>[0] = {}) {
  cloud = await startCloud({ dataDir: path.join(tempDir(), 'cloud'), port: 0, verifiedDomains: ['example.com'], ...options });
  const events: RequestEvent[] = [];
  const http = new HttpClient({ baseUrl: cloud.url, token: cloud.scimToken, label: 'the local cloud', onRequest: (event) => events.push(event) });
  return { scim: new ScimConnector(http, cloud.directoryId), http, events };
}

describe('the SCIM connector against the local cloud', () => {
  it('creates users and groups, adopts what exists instead of creating it twice, and pages past 100', async () => {
    const { scim } = await connect();
    for (let i = 0; i < 130; i++) await scim.createUser({ email: `u${i}@example.com`, displayName: `User ${i}`, active: true });
    const again = await scim.createUser({ email: 'u7@example.com', displayName: 'User 7', active: true });
    expect(again.adopted).toBe(true);
    const users = await scim.listUsers();
    expect(users).toHaveLength(130);
    expect(new Set(users.map((u) => u.userName)).size).toBe(130);

    const { group } = await scim.createGroup('Engineering');
    const adopted = await scim.createGroup('engineering');
    expect(adopted).toMatchObject({ adopted: true, group: { id: group.id } });
    await scim.addMembers(group.id, users.slice(0, 100).map((u) => u.id));
    await scim.addMembers(group.id, users.slice(100).map((u) => u.id));
    await scim.removeMembers(group.id, [users[0]!.id]);
    const [listed] = (await scim.listGroups()).filter((g) => g.id === group.id);
    expect(listed?.members).toHaveLength(129);
  });

  it('waits out 429s, sends nothing inside a Retry-After window, and still gets everything done', async () => {
    const { scim, http, events } = await connect({ rateLimit: 20 });
    await Promise.all(Array.from({ length: 60 }, (_, i) => scim.createUser({ email: `r${i}@example.com`, displayName: `R ${i}`, active: true })));
    expect(await scim.listUsers()).toHaveLength(60);
    expect(events.filter((e) => e.status === 201)).toHaveLength(60);
    expect(http.sent.get(429) ?? 0).toBeGreaterThan(0);
    for (const refused of events.filter((e) => e.status === 429)) {
      const windowEnd = refused.answeredAt + (refused.requestedWaitMs ?? 0);
      const inside = events.filter((e) => e.sentAt > refused.answeredAt && e.sentAt < windowEnd);
      expect(inside).toEqual([]);
    }
  });

  it('reports refused credentials as such, without the token', async () => {
    cloud = await startCloud({ dataDir: path.join(tempDir(), 'cloud'), port: 0 });
    const http = new HttpClient({ baseUrl: cloud.url, token: 'wrong-secret-token', label: 'the local cloud' });
    const failure = await new ScimConnector(http, cloud.directoryId).listUsers().catch((error: Error & { kind?: string }) => error);
    expect(failure).toMatchObject({ kind: 'auth' });
    expect((failure as Error).message).not.toContain('wrong-secret-token');
  });
});
