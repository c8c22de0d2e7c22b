/**
 * The local cloud's knobs and process life: rate limiting with 429 and Atlassian's headers, injected faults,
 * latency, the request log (which never holds a token), and `usermig cloud serve` run as a user runs it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Pacer } from '../src/cloud/pacing.js';
import { startCloud, type CloudOptions, type RunningCloud } from '../src/cloud/server.js';
import { usermig, usermigAsync } from './support/cli.js';
import { tempDir } from './support/files.js';

const running: RunningCloud[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((cloud) => cloud.close()));
});

async function start(options: CloudOptions = {}): Promise<RunningCloud> {
  const cloud = await startCloud({ dataDir: tempDir('usermig-cloud-'), port: 0, ...options });
  running.push(cloud);
  return cloud;
}

const spcUrl = (cloud: RunningCloud) => `${cloud.url}/scim/directory/${cloud.directoryId}/ServiceProviderConfig`;
const get = (cloud: RunningCloud, url = spcUrl(cloud)) => fetch(url, { headers: { Authorization: `Bearer ${cloud.scimToken}` } });

describe('rate limit', () => {
  it('answers 429 with Retry-After and X-RateLimit-* once N requests a second are exceeded', async () => {
    const cloud = await start({ rateLimit: 5 });
    const responses = await Promise.all(Array.from({ length: 12 }, () => get(cloud)));
    const limited = responses.filter((response) => response.status === 429);
    const passed = responses.filter((response) => response.status === 200);
    expect(passed.length).toBeGreaterThanOrEqual(5);
    expect(limited.length).toBeGreaterThanOrEqual(5);
    const refused = limited[0] as Response;
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get('x-ratelimit-limit')).toBe('5');
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Date.parse(refused.headers.get('x-ratelimit-reset') ?? '')).toBeGreaterThan(Date.now() - 1000);
    expect(await refused.json()).toEqual({ code: 429, message: expect.any(String) });
    expect(passed[0]?.headers.get('x-ratelimit-limit')).toBe('5');
    await new Promise((resolve) => setTimeout(resolve, Number(refused.headers.get('retry-after')) * 1000));
    expect((await get(cloud)).status).toBe(200);
  });

  it('refills the bucket at N a second (token bucket, clock injected)', () => {
    let now = 0;
    const pacer = new Pacer({ rateLimit: 2 }, () => now);
    expect([pacer.admit().allowed, pacer.admit().allowed, pacer.admit().allowed]).toEqual([true, true, false]);
    now = 500;
    expect(pacer.admit().allowed).toBe(true);
    expect(pacer.admit().allowed).toBe(false);
  });
});

describe('faults', () => {
  it('at rate 1.0 every answer is a 500, a 503 with Retry-After, a dropped connection or a slow answer', async () => {
    const cloud = await start({ faultRate: 1, slowMs: 150, seed: 42 });
    const kinds = new Set<string>();
    for (let index = 0; index < 40; index++) {
      const started = performance.now();
      try {
        const response = await get(cloud);
        if (response.status === 200) {
          expect(performance.now() - started).toBeGreaterThanOrEqual(140);
          kinds.add('slow');
        } else {
          expect([500, 503]).toContain(response.status);
          if (response.status === 503) expect(response.headers.get('retry-after')).toBe('1');
          expect((await response.json()).schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
          kinds.add(String(response.status));
        }
      } catch (error) {
        expect(String((error as Error).cause ?? error)).toMatch(/other side closed|socket|ECONNRESET|terminated/i);
        kinds.add('drop');
      }
    }
    expect([...kinds].sort()).toEqual(['500', '503', 'drop', 'slow']);
  });

  it('drops the connection after the work is done: the user exists though the client saw no answer', async () => {
    const cloud = await start({ faultRate: 1, faults: ['drop'] });
    const create = fetch(`${cloud.url}/scim/directory/${cloud.directoryId}/Users`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${cloud.scimToken}`, 'Content-Type': 'application/scim+json' },
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'alice@example.com', emails: [{ value: 'alice@example.com', primary: true }] }),
    });
    await expect(create).rejects.toThrow();
    expect(cloud.scim.listUsers(null, 0, 10).total).toBe(1);
  });

  it('adds the configured latency to every answer', async () => {
    const cloud = await start({ latencyMs: 150 });
    const started = performance.now();
    expect((await get(cloud)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe('request log', () => {
  it('writes one JSON line per request with method, path, status and duration, and never a token or the query', async () => {
    const logFile = path.join(tempDir('usermig-cloud-log-'), 'requests.jsonl');
    const cloud = await start({ logFile });
    await get(cloud);
    await fetch(`${cloud.url}/scim/directory/${cloud.directoryId}/Users?filter=${encodeURIComponent('userName eq "secret@example.com"')}`, {
      headers: { Authorization: `Bearer ${cloud.scimToken}` },
    });
    await fetch(`${cloud.url}/admin/v1/orgs/${cloud.orgId}/domains`, { headers: { Authorization: `Bearer ${cloud.orgToken}` } });
    await fetch(`${cloud.url}/admin/v1/orgs/${cloud.orgId}/domains`, { headers: { Authorization: 'Bearer wrong-token' } });
    await cloud.close();
    const text = fs.readFileSync(logFile, 'utf8');
    const lines = text.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.map((line) => [line.method, line.status])).toEqual([
      ['GET', 200],
      ['GET', 200],
      ['GET', 200],
      ['GET', 401],
    ]);
    for (const line of lines) expect(Object.keys(line).sort()).toEqual(['durationMs', 'method', 'path', 'status', 'time']);
    expect(lines[1].path).toBe(`/scim/directory/${cloud.directoryId}/Users`);
    for (const secret of [cloud.scimToken, cloud.orgToken, 'wrong-token', 'Bearer', 'secret@example.com']) expect(text).not.toContain(secret);
  });
});

describe('usermig cloud serve', () => {
  it('prints the ids and keys, writes --print-env, serves, and exits 0 on SIGTERM', async () => {
    const dir = tempDir('usermig-cloud-cli-');
    const envFile = path.join(dir, 'cloud.env');
    const child = usermigAsync(['cloud', 'serve', '--port', '0', '--data', path.join(dir, 'data'), '--print-env', envFile]);
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += String(chunk)));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 15_000;
    while (!fs.existsSync(envFile) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const env = Object.fromEntries(
      fs
        .readFileSync(envFile, 'utf8')
        .trim()
        .split('\n')
        .map((line) => line.split('=', 2) as [string, string]),
    );
    expect(Object.keys(env)).toEqual(['USERMIG_CLOUD_URL', 'USERMIG_ORG_ID', 'USERMIG_ORG_TOKEN', 'USERMIG_SCIM_DIRECTORY_ID', 'USERMIG_SCIM_TOKEN']);
    expect((fs.statSync(envFile).mode & 0o777).toString(8)).toBe('600');
    const response = await fetch(`${env.USERMIG_CLOUD_URL}/scim/directory/${env.USERMIG_SCIM_DIRECTORY_ID}/ServiceProviderConfig`, {
      headers: { Authorization: `Bearer ${env.USERMIG_SCIM_TOKEN}` },
    });
    expect(response.status).toBe(200);
    expect(stdout).toContain(env.USERMIG_ORG_ID);
    expect(stdout).toContain(env.USERMIG_SCIM_TOKEN);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(fs.existsSync(path.join(dir, 'data', 'cloud.db'))).toBe(true);
  });

  it('answers bad options with exit 2 and a message', () => {
    const result = usermig(['cloud', 'serve', '--fault-rate', '2', '--data', tempDir('usermig-cloud-cli-')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--fault-rate');
    expect(usermig(['cloud', 'serve', '--rate-limit', 'fast']).code).toBe(2);
  });
});
