/**
 * Several live sources, one estate (issue 6, part 3): a Confluence and a Bitbucket read over REST into one
 * workspace in one scan. People with the same email in both are one person (RULES.md S-04); a group of
 * the same name in both becomes one cloud group with the union of the members (S-05); the plan gives
 * each person one account, and only the active Bitbucket people join `Bitbucket Migration Users` (S-13, S-08).
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bitbucketRoute, generateBitbucketEstate } from './support/bitbucket-contract.js';
import { confluenceRoute, generateConfluenceEstate } from './support/confluence-contract.js';
import { tempDir } from './support/files.js';
import { startContractServer, usermigAsync, type ContractServer } from './support/rest-contract.js';

const env = { USERMIG_CONFLUENCE_TOKEN: 'conf-token', USERMIG_BITBUCKET_USER: 'admin', USERMIG_BITBUCKET_PASSWORD: 'bb-secret' };
const servers: ContractServer[] = [];

afterAll(async () => {
  for (const server of servers) await server.close();
});

describe('confluence: and bitbucket: in one workspace', () => {
  it('links the same people across the two, merges the same-name group, and plans one account per person', async () => {
    const confluenceEstate = generateConfluenceEstate(300);
    const bitbucketEstate = generateBitbucketEstate(300);
    // Bitbucket's u0001–u0005 are Confluence's c0101–c0105 (same emails), and both have a group `eng`.
    for (let i = 0; i < 5; i++) (bitbucketEstate.users[i] as { emailAddress: string }).emailAddress = `c${String(101 + i).padStart(4, '0')}@example.com`;
    bitbucketEstate.groups.eng = ['u0001', 'u0002', 'u0003', 'u0004', 'u0005', 'u0006'];
    const confluence = await startContractServer(confluenceRoute(confluenceEstate, { hasUserList: true, hasGlobalPermissions: true, hasSpacePermissions: true, showEmails: true }), 'Bearer conf-token');
    const bitbucket = await startContractServer(bitbucketRoute(bitbucketEstate), `Basic ${Buffer.from('admin:bb-secret').toString('base64')}`);
    servers.push(confluence, bitbucket);

    const workspace = path.join(tempDir(), 'ws');
    const scanned = await usermigAsync(['scan', `confluence:${confluence.url}/wiki`, `bitbucket:${bitbucket.url}/bitbucket`, '--workspace', workspace, '--json'], env);
    expect(scanned.code, scanned.stderr).toBe(0);
    expect(scanned.stdout + scanned.stderr).not.toMatch(/conf-token|bb-secret/);
    const sources = (JSON.parse(scanned.stdout) as { sources: Array<{ name: string; counts: Record<string, number> }> }).sources;
    expect(sources.map((s) => [s.name, s.counts.users])).toEqual([
      ['confluence', 300],
      ['bitbucket', 300],
    ]);

    const assessed = JSON.parse((await usermigAsync(['assess', '--json', '--workspace', workspace])).stdout) as {
      summary: Record<string, unknown>;
      findings: Array<{ code: string; message: string; subjects: Array<{ id: string }> }>;
    };
    // 9 cloud groups: confluence's 5 and bitbucket's 5, eng in both being one; billable users per product
    expect(assessed.summary).toMatchObject({ sources: 2, users: 600, groups: 9, billableUsers: { confluence: 216, bitbucket: 216 } });
    const linked = assessed.findings.filter((f) => f.code === 'identity-linked-across-sources');
    expect(linked.length).toBeGreaterThan(0);
    expect(JSON.stringify(linked)).toContain('c0101@example.com');
    const merged = assessed.findings.find((f) => f.code === 'group-merged-across-products');
    expect(merged?.message).toMatch(/eng/);

    expect((await usermigAsync(['domains', 'trust', '--all', '--workspace', workspace])).code).toBe(0);
    const planned = await usermigAsync(['plan', '--json', '--workspace', workspace]);
    expect(planned.code, planned.stdout + planned.stderr).toBe(0);
    const plan = JSON.parse(planned.stdout) as { operations: Array<{ kind: string; email?: string; group?: string; emails?: string[] }> };
    const creates = plan.operations.filter((op) => op.kind === 'create-account').map((op) => op.email);
    expect(creates).toHaveLength(600 - 5); // the five shared people have one account each
    const members = (group: string) => plan.operations.filter((op) => op.kind === 'add-members' && op.group === group).flatMap((op) => op.emails ?? []);
    // eng: confluence's c0101–c0130 (27 active) and bitbucket's u0001–u0006 (five of them the same people)
    expect(members('eng')).toHaveLength(27 + 1);
    expect(members('eng')).toContain('u0006@example.com');
    const migrationUsers = members('Bitbucket Migration Users');
    // every active Bitbucket user (S-13); the 30 inactive ones get their accounts but no group (S-08)
    expect(migrationUsers).toHaveLength(270);
    expect(migrationUsers).toContain('c0101@example.com');
    expect(migrationUsers).not.toContain('u0010@example.com');
    expect(creates).toContain('u0010@example.com');
    expect(migrationUsers).not.toContain('c0201@example.com'); // Confluence only
  });
});
