/**
 * Scoping by Bitbucket repository (`--scope bitbucket:repos=PROJECT/slug`, RULES.md SC-B01): the users of
 * a repository are those with a permission on it or on its project, directly or through a group; the
 * groups holding those permissions come along. Through the CLI on a bitbucket: source read from the
 * loopback contract server, plus the parsing of the spec. And S-13 across sources: a person in Jira and
 * Bitbucket (same email) has one account, which joins `Bitbucket Migration Users` once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScope } from '../src/scope/spec.js';
import { bitbucketRoute, generateBitbucketEstate } from './support/bitbucket-contract.js';
import { copyOf, teamBackup } from './support/estate-workspace.js';
import { tempDir } from './support/files.js';
import { startContractServer, usermigAsync, type ContractServer } from './support/rest-contract.js';

const env = { USERMIG_BITBUCKET_TOKEN: 'scope-token' };
let server: ContractServer;
/** The contract estate of 300 users, scanned, every domain trusted. */
let prepared: string;

beforeAll(async () => {
  server = await startContractServer(bitbucketRoute(generateBitbucketEstate(300)), `Bearer ${env.USERMIG_BITBUCKET_TOKEN}`);
  prepared = path.join(tempDir(), 'ws');
  expect((await usermigAsync(['scan', `bitbucket:${server.url}/bitbucket`, '--workspace', prepared], env)).code).toBe(0);
  expect((await usermigAsync(['domains', 'trust', '--all', '--workspace', prepared])).code).toBe(0);
});

afterAll(async () => {
  await server.close();
});

interface ScopedPlan {
  operations: Array<{ kind: string; name?: string; group?: string; emails?: string[] }>;
  scope: {
    specs: string[];
    accounts: Array<{ email: string; users: Array<{ reasons: string[] }> }>;
    groups: Array<{ group: string; why: string[] }>;
    formerUsers: Array<{ userName: string; why: string; reasons: string[] }>;
  };
}

const emailsOf = (plan: ScopedPlan) => plan.scope.accounts.map((a) => a.email.replace('@example.com', '')).sort();

describe('--scope bitbucket:repos=PROJECT/slug', () => {
  it('brings in the users with a permission on the repository or its project (directly or through a group), those groups, and the people of its pull requests', async () => {
    const workspace = copyOf(prepared);
    const result = await usermigAsync(['plan', '--scope', 'bitbucket:repos=PLAT/api', '--json', '--workspace', workspace]);
    expect(result.code, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout) as ScopedPlan;
    expect(plan.scope.specs).toEqual(['bitbucket:repos=PLAT/api']);
    const platformDevs = Array.from({ length: 30 }, (_, i) => `u${String(101 + i).padStart(4, '0')}`).filter((name) => !/0$/.test(name)); // active ones
    // u0003: PROJECT_READ on PLAT; u0004: REPO_ADMIN on PLAT/api; platform-devs: REPO_WRITE on PLAT/api;
    // u0251 wrote pull request #1, u0262 took part in it (neither has a permission or a group)
    expect(emailsOf(plan)).toEqual(['u0003', 'u0004', ...platformDevs, 'u0251', 'u0262'].sort());
    const reasons = new Map(plan.scope.accounts.map((a) => [a.email, a.users.flatMap((u) => u.reasons).join(' | ')]));
    expect(reasons.get('u0003@example.com')).toContain('holds PROJECT_READ on Bitbucket project PLAT');
    expect(reasons.get('u0004@example.com')).toContain('holds REPO_ADMIN on repository PLAT/api');
    expect(reasons.get('u0101@example.com')).toContain('holds REPO_WRITE on repository PLAT/api through the group platform-devs');
    expect(reasons.get('u0101@example.com')).toContain('reviewer of 1 pull request in PLAT/api (#1 Add rate limits)');
    expect(reasons.get('u0251@example.com')).toBe('author of 1 pull request in PLAT/api (#1 Add rate limits)');
    expect(reasons.get('u0262@example.com')).toBe('participant in 1 pull request in PLAT/api (#1 Add rate limits)');
    // the author of #2 was deleted since: a Former user, named
    expect(plan.scope.formerUsers).toEqual([expect.objectContaining({ userName: 'gone.dev', why: 'deleted', reasons: ['author of 1 pull request in PLAT/api (#2 Old fix)'] })]);
    const groups = new Map(plan.scope.groups.map((g) => [g.group, g.why.join(' | ')]));
    expect(groups.get('platform-devs')).toContain('holds REPO_WRITE on repository PLAT/api');
    expect(groups.has('web-team')).toBe(false);
    // S-13 in a wave: the group holds the wave's Bitbucket users only
    const members = plan.operations.filter((op) => op.kind === 'add-members' && op.group === 'Bitbucket Migration Users').flatMap((op) => op.emails ?? []);
    expect(members).toHaveLength(2 + platformDevs.length + 2);
    expect(groups.get('Bitbucket Migration Users')).toMatch(/S-13/);
  });

  it('a project-level group grant brings its members into every repository of the project; +group-members migrates the groups whole', async () => {
    const workspace = copyOf(prepared);
    const site = JSON.parse((await usermigAsync(['plan', '--scope', 'bitbucket:repos=WEB/site', '--json', '--workspace', workspace])).stdout) as ScopedPlan;
    // u0005: REPO_READ on WEB/site; web-team (u0201–u0210, u0210 inactive): PROJECT_WRITE on WEB
    expect(emailsOf(site)).toEqual(['u0005', ...Array.from({ length: 9 }, (_, i) => `u${String(201 + i).padStart(4, '0')}`)]);
    expect(site.scope.accounts.find((a) => a.email === 'u0201@example.com')?.users.flatMap((u) => u.reasons).join(' ')).toContain('holds PROJECT_WRITE on project WEB (of WEB/site) through the group web-team');

    const whole = JSON.parse((await usermigAsync(['plan', '--scope', 'bitbucket:repos=WEB/site+group-members', '--json', '--workspace', workspace])).stdout) as ScopedPlan;
    // every group of the in-scope users migrates whole: stash-users brings all its 216 active members (who include them)
    expect(whole.scope.accounts).toHaveLength(216);
    expect(emailsOf(whole)).toContain('u0151');

    const tools = JSON.parse((await usermigAsync(['plan', '--scope', 'bitbucket:repos=plat/TOOLS', '--json', '--workspace', workspace])).stdout) as ScopedPlan;
    expect(emailsOf(tools)).toEqual(['u0003']); // only the project grant; keys compare case-insensitively
  });

  it('explain says why a user is in or out of a repository scope', async () => {
    const workspace = copyOf(prepared);
    const inside = await usermigAsync(['explain', 'bitbucket:u0102', '--scope', 'bitbucket:repos=PLAT/api', '--json', '--workspace', workspace]);
    expect(inside.code, inside.stderr).toBe(0);
    const explained = JSON.parse(inside.stdout) as { inScope: boolean; status: string; reasons: string[] };
    expect(explained).toMatchObject({ inScope: true, status: 'in scope only through groups' });
    expect(explained.reasons).toEqual(['holds REPO_WRITE on repository PLAT/api through the group platform-devs']);

    const outside = await usermigAsync(['explain', 'bitbucket:u0005', '--scope', 'bitbucket:repos=PLAT/api', '--workspace', workspace]);
    expect(outside.stdout).toContain('bitbucket:u0005: out of scope (bitbucket:repos=PLAT/api)');
    expect(outside.stdout).toContain('holds REPO_READ on repository WEB/site — WEB/site is not in scope');
  });

  it('a repository no source has, and malformed specs, are bad input (exit 2) naming what exists', async () => {
    const workspace = copyOf(prepared);
    const missing = await usermigAsync(['plan', '--scope', 'bitbucket:repos=PLAT/nope', '--workspace', workspace]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--scope names Bitbucket repository PLAT/nope, which no scanned source has');
    expect(missing.stderr).toContain('Bitbucket repositories: PLAT/api, PLAT/tools, WEB/site');
    expect(() => parseScope(['bitbucket:repos=PLAT'])).toThrow(/"PLAT" is not a repository; write PROJECT\/slug/);
    expect(() => parseScope(['bitbucket:repos='])).toThrow(/give at least one repository as PROJECT\/slug/);
    expect(() => parseScope(['bitbucket:repos=PLAT/api+roles'])).toThrow(/unknown option "\+roles"; use \+group-members/);
    expect(parseScope(['bitbucket:repos=PLAT/api,~u0001/notes+group-members', 'bitbucket:repos=WEB/site'])).toMatchObject({
      all: false,
      bitbucket: [
        { repos: ['PLAT/api', '~u0001/notes'], groupMembers: true },
        { repos: ['WEB/site'], groupMembers: false },
      ],
      specs: ['bitbucket:repos=PLAT/api,~u0001/notes+group-members', 'bitbucket:repos=WEB/site'],
    });
  });
});

describe('S-13 across sources', () => {
  it('a person in Jira and Bitbucket (same email) gets one account, in the Jira group and in Bitbucket Migration Users; Jira-only people are not in it', async () => {
    const workspace = copyOf(prepared);
    const file = path.join(tempDir(), 'entities.xml');
    fs.writeFileSync(file, teamBackup(['u0001', 'jonly'], ['u0001', 'jonly']));
    expect((await usermigAsync(['scan', `jira-backup:${file}`, '--workspace', workspace])).code).toBe(0);
    expect((await usermigAsync(['domains', 'trust', '--all', '--workspace', workspace])).code).toBe(0);
    const plan = JSON.parse((await usermigAsync(['plan', '--json', '--workspace', workspace])).stdout) as ScopedPlan;
    const adds = (group: string) => plan.operations.filter((op) => op.kind === 'add-members' && op.group === group).flatMap((op) => op.emails ?? []);
    expect(adds('team').sort()).toEqual(['jonly@example.com', 'u0001@example.com']);
    const migrationUsers = adds('Bitbucket Migration Users');
    expect(migrationUsers).toHaveLength(270); // the 300 Bitbucket users but the 30 inactive ones (S-08)
    expect(migrationUsers).toContain('u0001@example.com');
    expect(migrationUsers).not.toContain('jonly@example.com');
    expect(plan.operations.filter((op) => op.kind === 'create-account' && (op as { email?: string }).email === 'u0001@example.com')).toHaveLength(1);
  });
});
