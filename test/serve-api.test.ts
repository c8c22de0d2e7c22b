/**
 * The dashboard's API (issue #8) through the built `usermig serve --port 0` on a generated estate, over real
 * HTTP: the token, Host and JSON guards on every route; the CLI and the dashboard never disagree (decisions
 * made on either side show on the other, the same error messages, the same summary, strategy, plan and
 * report bytes); an apply into the local cloud with live events, paused and resumed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInBackground, usermig } from './support/cli.js';
import { copyOf, scannedEstate } from './support/estate-workspace.js';
import { tempDir } from './support/files.js';
import { readEvents, requestWithHost, startDashboard, type Dashboard } from './support/serve-api.js';
import { writeScopeBackups } from './support/scope-fixture.js';

let workspace: string;
let dash: Dashboard;

const cli = (args: string[]) => usermig([...args, '--workspace', workspace]);
const cliError = (args: string[]) => {
  const result = cli(args);
  expect(result.code, result.stdout).toBe(2);
  return result.stderr.trim().replace(/^usermig: /, '');
};

beforeAll(async () => {
  workspace = copyOf(scannedEstate());
  dash = await startDashboard(['--workspace', workspace]);
}, 120_000);

afterAll(async () => {
  await dash?.stop();
});

/** Every route of the contract, with a body for the writes. */
const ROUTES: Array<[string, string, unknown?]> = [
  ['GET', '/api/summary'],
  ['GET', '/api/findings/email-invalid'],
  ['GET', '/api/users?q=a'],
  ['GET', '/api/users/amlyYQBhbGljZQ'],
  ['POST', '/api/users/fix', { invalid: 'former-user' }],
  ['PUT', '/api/domains', { all: true, trusted: true }],
  ['PUT', '/api/users/amlyYQBhbGljZQ/decision', { action: 'skip' }],
  ['GET', '/api/domains'],
  ['PUT', '/api/domains/example.com', { trusted: true }],
  ['GET', '/api/groups'],
  ['GET', '/api/groups/jira-users'],
  ['PUT', '/api/groups/decision', { group: 'jira-users', action: 'skip' }],
  ['PUT', '/api/groups/rename', { prefix: 'x-' }],
  ['GET', '/api/strategy'],
  ['GET', '/api/decisions'],
  ['POST', '/api/plans', {}],
  ['GET', '/api/plans'],
  ['GET', '/api/plans/plan-x'],
  ['GET', '/api/plans/plan-x/operations'],
  ['POST', '/api/apply', { plan: 'plan-x' }],
  ['POST', '/api/apply/pause', {}],
  ['POST', '/api/apply/resume', {}],
  ['GET', '/api/apply'],
  ['GET', '/api/apply/events'],
  ['GET', '/api/report'],
  ['GET', '/api/report/users.csv'],
  ['GET', '/api/report/groups.csv'],
  ['GET', '/api/report/checklist.csv'],
  ['GET', '/api/report/users'],
  ['GET', '/api/report/groups'],
];

describe('usermig serve', () => {
  it('prints one URL line on 127.0.0.1 with a 32-byte token, and serves the page without it', async () => {
    expect(dash.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
    const page = await fetch(`${dash.base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
  });

  it('refuses every API route without the token or with a wrong one (401), and from a foreign Host (403)', async () => {
    for (const [method, route, body] of ROUTES) {
      for (const token of [null, 'not-the-token', `${dash.token}x`]) {
        const response = await dash.api(route, { method, token, ...(body !== undefined ? { body } : {}) });
        expect(response.status, `${method} ${route} with ${token}`).toBe(401);
        expect(((await response.json()) as { error: { kind: string } }).error.kind).toBe('unauthorized');
      }
      for (const host of [`evil.example:${dash.port}`, `127.0.0.1:${dash.port + 1}`, 'localhost']) {
        const answer = await requestWithHost(dash.port, route, host, { authorization: `Bearer ${dash.token}` }, method);
        expect(answer.status, `${method} ${route} from ${host}`).toBe(403);
        expect(JSON.parse(answer.body).error.kind).toBe('forbidden');
      }
    }
    const local = await requestWithHost(dash.port, '/api/summary', `localhost:${dash.port}`, { authorization: `Bearer ${dash.token}` });
    expect(local.status).toBe(200);
    // Answers full of names and emails stay out of the browser's cache, downloads included (the event
    // stream says no-cache, as every event stream does).
    for (const route of ['/api/users', '/api/users/amlyYQBhbGljZQ', '/api/report/users.csv']) {
      const answer = await dash.api(route);
      expect([route, answer.headers.get('cache-control'), answer.headers.get('x-content-type-options')]).toEqual([route, 'no-store', 'nosniff']);
      await answer.body?.cancel();
    }
  });

  it('turns the URL into an HttpOnly, SameSite=Strict cookie and sends the browser to /; a wrong token gets no cookie', async () => {
    const landing = await fetch(dash.url, { redirect: 'manual' });
    expect(landing.status).toBe(303);
    expect(landing.headers.get('location')).toBe('/');
    const cookie = landing.headers.get('set-cookie') ?? '';
    // Named after the port: two dashboards in one browser keep their own cookies (cookies ignore ports).
    expect(cookie).toMatch(new RegExp(`^usermig_token_${dash.port}=[A-Za-z0-9_-]+; Path=/; HttpOnly; SameSite=Strict$`));
    const withCookie = await fetch(`${dash.base}/api/summary`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(withCookie.status).toBe(200);
    const otherPort = await fetch(`${dash.base}/api/summary`, { headers: { cookie: `usermig_token_${dash.port + 1}=${dash.token}` } });
    expect(otherPort.status).toBe(401);
    const wrong = await fetch(`${dash.base}/?token=nope`, { redirect: 'manual' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
  });

  it('accepts writes only as application/json, and answers errors as JSON with their kind', async () => {
    const form = await dash.api('/api/plans', { method: 'POST', body: 'target=local', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(400);
    expect(await form.json()).toEqual({ error: { kind: 'usage', message: 'write requests must be application/json' } });
    const unknown = await dash.api('/api/nothing-here');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { kind: string } }).error.kind).toBe('not-found');
    const badLimit = await dash.api('/api/users?limit=1001');
    expect(badLimit.status).toBe(400);
    expect(await badLimit.json()).toEqual({ error: { kind: 'usage', message: 'limit is at most 1000, not 1001' } });
    expect((await dash.api('/api/users/bm9ib2R5AG5vYm9keQ')).status).toBe(404);
    expect((await dash.api('/api/findings/no-such-code')).status).toBe(404);
  });

  it("shows assess --json's summary and findings, and the next step", async () => {
    const summary = await dash.json('/api/summary');
    const assessed = JSON.parse(cli(['assess', '--json']).stdout);
    expect(summary.summary).toEqual(assessed.summary);
    expect(summary.findings.map((f: { code: string; count: number }) => [f.code, f.count])).toEqual(
      assessed.findings.map((f: { code: string; subjects: unknown[] }) => [f.code, f.subjects.length]),
    );
    expect(summary.sources.map((s: { name: string }) => s.name)).toEqual(['jira', 'confluence']);
    expect(summary.blockers).toBeGreaterThan(0);
    expect(summary.nextStep.command).toMatch(/^usermig /);
    const finding = await dash.json('/api/findings/email-invalid?limit=2');
    expect(finding.rows.length).toBeLessThanOrEqual(2);
    expect(finding.total).toBe(assessed.findings.filter((f: { code: string }) => f.code === 'email-invalid').reduce((n: number, f: { subjects: unknown[] }) => n + f.subjects.length, 0));
  });

  it('pages, filters, sorts and counts the users on the server', async () => {
    const all = await dash.json('/api/users?limit=1000');
    const assessed = JSON.parse(cli(['assess', '--json']).stdout);
    expect(all.total).toBe(assessed.summary.users);
    expect(all.facets.sources.reduce((n: number, f: { count: number }) => n + f.count, 0)).toBe(all.total);
    expect(all.facets.decisions.find((f: { name: string }) => f.name === 'none').count).toBe(all.total);
    const names = all.rows.map((r: { username: string }) => r.username.toLowerCase());
    expect(names).toEqual([...names].sort());

    const second = await dash.json('/api/users?offset=10&limit=5');
    expect(second.rows.map((r: { id: string }) => r.id)).toEqual(all.rows.slice(10, 15).map((r: { id: string }) => r.id));

    const someone = all.rows[7];
    const q = someone.username.slice(1, 6).toUpperCase();
    const found = await dash.json(`/api/users?q=${encodeURIComponent(q)}`);
    expect(found.rows.map((r: { id: string }) => r.id)).toContain(someone.id);
    for (const row of found.rows) expect(`${row.username} ${row.displayName} ${row.email}`.toLowerCase()).toContain(q.toLowerCase());

    const invalid = await dash.json('/api/users?finding=email-invalid');
    expect(invalid.total).toBeGreaterThan(0);
    for (const row of invalid.rows) expect(row.findings).toContain('email-invalid');

    const inactiveJira = await dash.json('/api/users?source=jira&active=false');
    for (const row of inactiveJira.rows) expect([row.source, row.active]).toEqual(['jira', false]);
    expect(inactiveJira.total).toBe(all.rows.filter((r: { source: string; active: boolean }) => r.source === 'jira' && !r.active).length);
    // Facets count over every other filter: the sources facet of the jira filter still counts confluence.
    expect(inactiveJira.facets.sources.find((f: { name: string }) => f.name === 'confluence').count).toBe(all.rows.filter((r: { source: string; active: boolean }) => r.source === 'confluence' && !r.active).length);

    const directory = all.rows[0].directory;
    const inDirectory = await dash.json(`/api/users?directory=${encodeURIComponent(directory)}&limit=1000`);
    expect(inDirectory.total).toBe(all.rows.filter((r: { directory: string }) => r.directory === directory).length);

    const byEmail = await dash.json('/api/users?sort=email&limit=1000');
    const emails = byEmail.rows.map((r: { email: string }) => r.email.toLowerCase());
    expect(emails).toEqual([...emails].sort());
    expect((await dash.api('/api/users?active=maybe')).status).toBe(400);
    expect((await dash.api('/api/users?decision=keep')).status).toBe(400);
  });

  it('saves a decision made in the dashboard where usermig users show and decisions log see it, with the same rules and messages', async () => {
    const invalid = await dash.json('/api/users?finding=email-invalid');
    const user = invalid.rows[0];
    const name = `${user.source}:${user.username}`;
    const saved = await dash.json(`/api/users/${user.id}/decision`, { method: 'PUT', body: { action: 'new-email', value: 'Fixed.Address@Example.com', reason: 'HR record' } });
    expect(saved.message).toBe(`${name}: new-email fixed.address@example.com`);
    expect(saved.changed).toBe(true);
    expect(saved.decision).toMatchObject({ action: 'new-email', newEmail: 'fixed.address@example.com', reason: 'HR record' });
    const shown = cli(['users', 'show', name]);
    expect(shown.stdout).toContain('decision       new-email fixed.address@example.com');
    expect(shown.stdout).toContain('HR record');
    const log = JSON.parse(cli(['decisions', 'log', '--json']).stdout);
    expect(log.at(-1)).toMatchObject({ subject: name, decision: 'new-email fixed.address@example.com', reason: 'HR record' });

    const again = await dash.json(`/api/users/${user.id}/decision`, { method: 'PUT', body: { action: 'new-email', value: 'fixed.address@example.com' } });
    expect(again).toMatchObject({ changed: false, message: `${name}: already new-email fixed.address@example.com` });

    // The same refusals, word for word.
    for (const [action, value, args] of [
      ['new-email', 'not-an-address', ['new-email', 'not-an-address']],
      ['merge-into', name, ['merge-into', name]],
      ['keep', undefined, ['keep']],
      ['skip', 'x', ['skip', 'x']],
    ] as Array<[string, string | undefined, string[]]>) {
      const refused = await dash.api(`/api/users/${user.id}/decision`, { method: 'PUT', body: { action, ...(value !== undefined ? { value } : {}) } });
      expect(refused.status, action).toBe(400);
      expect(((await refused.json()) as { error: { message: string } }).error.message).toBe(cliError(['users', 'decide', name, ...args]));
    }

    const detail = await dash.json(`/api/users/${user.id}`);
    expect(detail.decision.text).toBe('new-email fixed.address@example.com');
    expect(detail.history).toEqual([expect.objectContaining({ decision: 'new-email fixed.address@example.com', previous: '', reason: 'HR record' })]);
    expect(detail.user.becomes).toMatchObject({ outcome: 'account', email: 'fixed.address@example.com' });
    expect(detail.findings.map((f: { code: string }) => f.code)).toContain('email-invalid');
    expect(Array.isArray(detail.groups.direct)).toBe(true);

    const cleared = await dash.json(`/api/users/${user.id}/decision`, { method: 'PUT', body: { action: 'clear' } });
    expect(cleared).toMatchObject({ decision: null, changed: true, message: `${name}: decision cleared` });
    expect(cli(['users', 'show', name]).stdout).toContain('decision       none (migrate)');
  });

  it('shows a decision made with usermig users decide on the user page, in the decision facet and its history', async () => {
    const all = await dash.json('/api/users?source=confluence&limit=3');
    const user = all.rows[2];
    const decided = cli(['users', 'decide', `confluence:${user.username}`, 'former-user', '--reason', 'left in 2019']);
    expect(decided.code, decided.stderr).toBe(0);
    const detail = await dash.json(`/api/users/${user.id}`);
    expect(detail.decision).toMatchObject({ action: 'former-user', reason: 'left in 2019', text: 'former-user' });
    expect(detail.user.becomes.outcome).toBe('former-user');
    expect(detail.history.at(-1)).toMatchObject({ decision: 'former-user', reason: 'left in 2019' });
    const former = await dash.json('/api/users?decision=former-user');
    expect(former.rows.map((r: { id: string }) => r.id)).toContain(user.id);
    expect(former.facets.decisions.find((f: { name: string }) => f.name === 'former-user').count).toBe(former.total);
    // Merge into a user named by its id, as the page does.
    const other = all.rows[1];
    const merged = await dash.json(`/api/users/${other.id}/decision`, { method: 'PUT', body: { action: 'merge-into', value: all.rows[0].id } });
    expect(merged.message).toBe(`confluence:${other.username}: merge-into confluence:${all.rows[0].username}`);
    expect(cli(['users', 'show', `confluence:${other.username}`]).stdout).toContain(`merge-into confluence:${all.rows[0].username}`);
    expect((await dash.json(`/api/users/${other.id}/decision`, { method: 'PUT', body: { action: 'clear' } })).decision).toBeNull();
    expect(cli(['users', 'decide', `confluence:${user.username}`, 'clear']).stdout).toBe(`confluence:${user.username}: decision cleared\n`);
    expect((await dash.json(`/api/users/${user.id}`)).decision).toBeNull();
  });

  it('lists domains as domains list does, and trusts and untrusts them', async () => {
    const domains = await dash.json('/api/domains');
    expect(domains.rows).toEqual(JSON.parse(cli(['domains', 'list', '--json']).stdout));
    const domain = domains.rows[0].domain;
    const trusted = await dash.json(`/api/domains/${domain}`, { method: 'PUT', body: { trusted: true, reason: 'we own it' } });
    expect(trusted).toEqual({ domain, trusted: true, changed: true, message: 'trusted 1 domain' });
    expect(JSON.parse(cli(['domains', 'list', '--json']).stdout).find((r: { domain: string }) => r.domain === domain).trusted).toBe(true);
    expect(cli(['domains', 'untrust', domain]).code).toBe(0);
    expect((await dash.json(`/api/domains?q=${domain}`)).rows[0].trusted).toBe(false);
    const bad = await dash.api('/api/domains/not_a_domain', { method: 'PUT', body: { trusted: true } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toBe(cliError(['domains', 'trust', 'not_a_domain']));
    expect((await dash.json('/api/domains?trusted=true')).total).toBe(0);
  });

  it('lists groups as groups list does, with details, and decides for them as groups rename|skip|create do', async () => {
    const listed = JSON.parse(cli(['groups', 'list', '--json']).stdout) as Array<{ name: string; flags: string[] }>;
    const groups = await dash.json('/api/groups?limit=1000');
    expect(groups.rows.map((g: { name: string }) => g.name)).toEqual(listed.map((g) => g.name));
    const blocklisted = await dash.json('/api/groups?flag=blocklisted');
    expect(blocklisted.rows.map((g: { name: string }) => g.name)).toEqual(listed.filter((g) => g.flags.includes('blocklisted')).map((g) => g.name));
    const group = groups.rows.find((g: { flags: string[]; flattened: number }) => g.flags.length === 0 && g.flattened > 0);
    const detail = await dash.json(`/api/groups/${encodeURIComponent(group.name)}`);
    expect(detail.group.name).toBe(group.name);
    expect(detail.members.total).toBe(group.flattened);
    expect(detail.members.sample.length).toBe(Math.min(100, group.flattened));

    const renamed = await dash.json('/api/groups/decision', { method: 'PUT', body: { group: group.name, action: 'rename', value: `${group.name}-cloud` } });
    expect(renamed.message).toBe(`  ${group.name} → ${group.name}-cloud\n1 decision changed`);
    const after = JSON.parse(cli(['groups', 'list', '--json']).stdout) as Array<{ name: string; sources: Array<{ cloudName: string }> }>;
    expect(after.find((g) => g.name === group.name)!.sources.every((s) => s.cloudName === `${group.name}-cloud`)).toBe(true);
    expect((await dash.json(`/api/groups/${encodeURIComponent(group.name)}`)).history.at(-1).decision).toBe(`rename ${group.name}-cloud`);
    expect((await dash.json(`/api/groups/${encodeURIComponent(`${group.name}-cloud`)}`)).group.name).toBe(group.name);

    const other = groups.rows.find((g: { name: string; flags: string[] }) => g.name !== group.name && g.flags.length === 0);
    const collision = await dash.api('/api/groups/decision', { method: 'PUT', body: { group: group.name, action: 'rename', value: other.name } });
    expect(collision.status).toBe(400);
    expect(((await collision.json()) as { error: { message: string } }).error.message).toBe(cliError(['groups', 'rename', group.name, other.name]));
    const blocked = await dash.api('/api/groups/decision', { method: 'PUT', body: { group: blocklisted.rows[0].name, action: 'map', value: 'x' } });
    expect(((await blocked.json()) as { error: { message: string } }).error.message).toBe(cliError(['groups', 'map', blocklisted.rows[0].name, '--to', 'x']));

    // A dry run answers the renames and saves nothing; then the same renames, saved.
    const preview = await dash.json('/api/groups/rename', { method: 'PUT', body: { prefix: 'dc-', match: `^${other.name}$`, dryRun: true } });
    expect(preview).toMatchObject({ dryRun: true, changed: 1, renames: [{ group: other.name, source: '*', to: `dc-${other.name}` }] });
    expect(preview.message).toBe(cli(['groups', 'rename', '--prefix', 'dc-', '--match', `^${other.name}$`, '--dry-run']).stdout.trimEnd());
    expect((JSON.parse(cli(['groups', 'list', '--json']).stdout) as Array<{ name: string; sources: Array<{ cloudName: string }> }>).find((g) => g.name === other.name)!.sources[0]!.cloudName).toBe(other.name);
    const bulk = await dash.json('/api/groups/rename', { method: 'PUT', body: { prefix: 'dc-', match: `^${other.name}$` } });
    expect(bulk.message).toBe(`  ${other.name} → dc-${other.name}\n1 decision changed`);
    expect(bulk).toMatchObject({ dryRun: false, renames: preview.renames });
    expect((JSON.parse(cli(['groups', 'list', '--json']).stdout) as Array<{ name: string; sources: Array<{ cloudName: string }> }>).find((g) => g.name === other.name)!.sources[0]!.cloudName).toBe(`dc-${other.name}`);
    expect(cli(['groups', 'create', other.name]).code).toBe(0);
    const noReplace = await dash.api('/api/groups/rename', { method: 'PUT', body: { regex: '^team' } });
    expect(((await noReplace.json()) as { error: { message: string } }).error.message).toBe(cliError(['groups', 'rename', '--regex', '^team']));
    expect((await dash.json('/api/groups/rename', { method: 'PUT', body: { suffix: '-x', match: '^no-such-group$' } })).message).toBe('no group matches');

    const created = await dash.json('/api/groups/decision', { method: 'PUT', body: { group: group.name, action: 'create' } });
    expect(created.message).toBe(`${group.name} is created under its own name: 1 decision changed`);
    const source = group.sources[0].source;
    expect((await dash.json('/api/groups/decision', { method: 'PUT', body: { source, group: group.name, action: 'skip' } })).message).toBe(`${source}:${group.name} is skipped: 1 decision changed`);
    expect(cli(['groups', 'create', `${source}:${group.name}`]).code).toBe(0);
    expect((await dash.json('/api/groups?flag=skipped')).total).toBe(listed.filter((g) => g.flags.includes('skipped')).length);
  });

  it('answers decisions log --json, paged, for everything or one subject', async () => {
    const log = JSON.parse(cli(['decisions', 'log', '--json']).stdout);
    expect(log.length).toBeGreaterThan(3);
    expect((await dash.json('/api/decisions?limit=1000')).rows).toEqual(log);
    expect((await dash.json('/api/decisions?offset=1&limit=2')).rows).toEqual(log.slice(1, 3));
    const subject = log[0].subject;
    expect((await dash.json(`/api/decisions?subject=${encodeURIComponent(subject)}`)).rows).toEqual(JSON.parse(cli(['decisions', 'log', '--json', '--subject', subject]).stdout));
  });

  it('answers strategy --json', async () => {
    expect(await dash.json('/api/strategy')).toEqual(JSON.parse(cli(['strategy', '--json']).stdout));
    expect((await dash.json('/api/strategy?idp=okta')).idp).toBe('okta');
    expect((await dash.api('/api/strategy?idp=nobody')).status).toBe(400);
  });

  it('refuses a plan while blockers remain, in the words of usermig plan', async () => {
    const refused = await dash.json('/api/plans', { method: 'POST', body: {} });
    expect(refused.id).toBeNull();
    const plan = cli(['plan', '--out', path.join(tempDir(), 'plan.json')]);
    expect(plan.code).toBe(1);
    expect(refused.refused).toEqual(plan.stdout.trim().split('\n'));
  });

  let planId: string;

  it('makes the plan usermig plan makes, saves it where usermig plan does, and pages its operations', async () => {
    // Fix the users and trust the domains in the dashboard, as users fix and domains trust --all would.
    const dry = await dash.json('/api/users/fix', { method: 'POST', body: { invalid: 'former-user', duplicated: 'merge', dryRun: true } });
    const cliDry = cli(['users', 'fix', '--invalid', 'former-user', '--duplicated', 'merge', '--dry-run']).stdout.trim().split('\n');
    expect(dry.message).toBe(cliDry.at(-1));
    expect(dry.merges).toEqual(cliDry.filter((line) => line.startsWith('merge ')));
    expect(dry.decisions.map((d: { user: string; text: string }) => `${d.user}: ${d.text}`)).toEqual(cliDry.filter((line) => !line.startsWith('merge ') && !line.startsWith('dry run')));
    const fixed = await dash.json('/api/users/fix', { method: 'POST', body: { invalid: 'former-user', duplicated: 'merge' } });
    expect(fixed.saved).toBe(dry.total);
    expect(fixed.message).toBe(`${dry.total} decisions saved (${dry.summary})`);
    expect(cli(['users', 'fix', '--invalid', 'former-user', '--duplicated', 'merge']).stdout).toBe('0 decisions saved (nothing to decide)\n');
    const badFix = await dash.api('/api/users/fix', { method: 'POST', body: { invalid: 'delete' } });
    expect(((await badFix.json()) as { error: { message: string } }).error.message).toBe(cliError(['users', 'fix', '--invalid', 'delete']));
    const domains = (await dash.json('/api/domains')).rows as Array<{ domain: string; trusted: boolean }>;
    const trustAll = await dash.json('/api/domains', { method: 'PUT', body: { all: true, trusted: true } });
    expect(trustAll.domains).toEqual(domains.map((d) => d.domain));
    expect(trustAll.changed).toBe(domains.filter((d) => !d.trusted).length);
    expect(cli(['domains', 'trust', '--all']).stdout).toBe(`trusted 0 domains (${domains.length} already trusted)\n`);
    const overview = await dash.json('/api/summary');
    expect(overview.blockers, JSON.stringify(overview.findings.filter((f: { severity: string; resolved: boolean }) => f.severity === 'blocker' && !f.resolved))).toBe(0);

    const made = await dash.json('/api/plans', { method: 'POST', body: { target: 'local' } });
    planId = made.id;
    expect(made.target).toBe('local');
    expect(made.scope).toEqual(['all']);
    expect(made.file).toBe(path.join(workspace, 'plan.json'));
    expect(JSON.parse(fs.readFileSync(made.file, 'utf8')).id).toBe(planId);
    const byCli = JSON.parse(cli(['plan', '--json', '--out', path.join(tempDir(), 'plan.json')]).stdout);
    expect(made.summary).toEqual(byCli.summary);
    expect(made.diff.creates.accounts).toBe(byCli.operations.filter((o: { kind: string }) => o.kind === 'create-account').length);
    expect(made.diff.creates.groups).toBe(byCli.operations.filter((o: { kind: string }) => o.kind === 'create-group').length);
    expect(made.diff.membershipChanges.adds).toBe(byCli.summary.memberAdds);
    expect(made.diff.cascade.reduce((n: number, g: { adds: number }) => n + g.adds, 0)).toBe(byCli.summary.memberAdds);

    const plans = await dash.json('/api/plans');
    expect(plans.rows[0]).toMatchObject({ id: planId, current: true, applied: false });
    expect((await dash.json(`/api/plans/${planId}`)).summary).toEqual(made.summary);
    const accounts = await dash.json(`/api/plans/${planId}/operations?kind=create-account&limit=5`);
    expect(accounts.total).toBe(made.diff.creates.accounts);
    expect(accounts.rows.every((o: { kind: string }) => o.kind === 'create-account')).toBe(true);
    expect((await dash.api('/api/plans/plan-unknown')).status).toBe(404);
  });

  it('applies the plan into the local cloud with live events, pauses and resumes, and refuses a second apply', async () => {
    const plan = await dash.json(`/api/plans/${planId}`);
    const total = (await dash.json(`/api/plans/${planId}/operations?limit=1`)).total;
    let pausedAt = -1;
    const events = await readEvents(
      dash,
      (event) => event.event === 'done',
      async () => {
        const started = await dash.api('/api/apply', { method: 'POST', body: { plan: planId } });
        expect(started.status).toBe(202);
        expect(((await started.json()) as { run: string }).run).toMatch(/^run-/);
        expect(await dash.json('/api/apply/pause', { method: 'POST', body: {} })).toEqual({ state: 'paused' });
        const second = await dash.api('/api/apply', { method: 'POST', body: { plan: planId } });
        expect(second.status).toBe(409);
        // Paused: what was in flight finishes, and then nothing more is done.
        let previous = -1;
        for (let settled = 0; settled < 3; ) {
          await new Promise((resolve) => setTimeout(resolve, 300));
          const status = await dash.json('/api/apply');
          expect(status.state).toBe('paused');
          settled = status.done === previous ? settled + 1 : 0;
          previous = status.done;
        }
        pausedAt = previous;
        expect(pausedAt).toBeLessThan(total);
        expect(await dash.json('/api/apply/resume', { method: 'POST', body: {} })).toEqual({ state: 'running' });
      },
    );
    const states = events.filter((e) => e.event === 'state').map((e) => e.data.state);
    expect(states).toEqual(expect.arrayContaining(['paused', 'running']));
    const progress = events.filter((e) => e.event === 'progress').map((e) => e.data.done);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(total);
    const done = events.at(-1)!;
    expect(done.data.state).toBe('done');
    expect(done.data.outcome.created.accounts).toBe(plan.diff.creates.accounts);
    expect(done.data.outcome.membersAdded).toBe(plan.summary.memberAdds);
    expect(done.data.outcome.text).toMatch(new RegExp(`^applied ${planId} to the local cloud \\(.*\\): ${plan.diff.creates.accounts} accounts created`));
    expect(events.filter((e) => e.event === 'error')).toEqual([]);

    const status = await dash.json('/api/apply');
    expect(status).toMatchObject({ plan: planId, state: 'done', done: total, total, errors: 0, etaSeconds: null });
    const again = await dash.api('/api/apply', { method: 'POST', body: { plan: planId } });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { message: string } }).error.message).toMatch(new RegExp(`^the plan ${planId} was applied on `));
    expect((await dash.json('/api/plans')).rows[0].applied).toBe(true);
    // The CLI sees the cloud as the dashboard left it: nothing more to do.
    expect(cli(['plan']).stdout).toContain('No changes: the cloud matches the estate and the decisions.');
  });

  it('downloads the report CSVs byte for byte as usermig report writes them, and the report with its charts', async () => {
    const out = tempDir();
    expect(cli(['report', '--out', out]).code).toBe(0);
    for (const name of ['users.csv', 'groups.csv', 'checklist.csv']) {
      const response = await dash.api(`/api/report/${name}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(response.headers.get('content-disposition')).toBe(`attachment; filename="${name}"`);
      expect(Buffer.from(await response.arrayBuffer()).equals(fs.readFileSync(path.join(out, name))), name).toBe(true);
    }
    const report = await dash.json('/api/report');
    const written = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(report.summary).toEqual(written.summary);
    expect(report.users.length).toBe(written.users.length);
    expect(report.checklist).toEqual(written.checklist);
    expect(report.applied).toBe(true);
    expect(report.charts.outcomeCounts.reduce((n: number, o: { count: number }) => n + o.count, 0)).toBe(written.users.length);
    expect(report.charts.usersByDomain.reduce((n: number, o: { users: number }) => n + o.users, 0)).toBe(written.users.length);
    // Addresses without a domain ("alice@", none at all) make one bar with a label.
    const noDomain = written.users.filter((u: { email: string; cloudEmail: string }) => !/@./.test(u.cloudEmail || u.email)).length;
    expect(report.charts.usersByDomain.filter((d: { domain: string }) => d.domain === '' || d.domain === '(none)')).toEqual([]);
    expect(report.charts.usersByDomain.find((d: { domain: string }) => d.domain === '(no domain)')?.users ?? 0).toBe(noDomain);
    expect(report.charts.groupSizes.length).toBeGreaterThan(0);
    expect(report.lines[0]).toMatch(/source users: /);

    const light = await dash.json('/api/report?rows=none');
    expect([light.users, light.groups, light.summary]).toEqual([[], [], written.summary]);
    const formers = await dash.json(`/api/report/users?outcome=${encodeURIComponent('former user')}&limit=5`);
    expect(formers.total).toBe(written.users.filter((u: { outcome: string }) => u.outcome === 'former user').length);
    expect(formers.rows.every((u: { outcome: string }) => u.outcome === 'former user')).toBe(true);
    const one = written.users[3];
    const found = await dash.json(`/api/report/users?q=${encodeURIComponent(`${one.source}:${one.userName}`)}`);
    expect(found.rows).toContainEqual(one);
    const groups = await dash.json('/api/report/groups?limit=1000');
    expect(groups.rows).toEqual(written.groups);
  });

  it('keeps the token out of everything it prints but its one URL line, and stops on SIGTERM', async () => {
    const output = dash.output();
    expect(output.split(dash.token).length - 1).toBe(1);
    expect(output.split('\n')[0]).toBe(`usermig dashboard: ${dash.url}`);
    expect(await dash.stop()).toBe(0);
    // Nor does it reach the workspace (decisions, plans, ledger, the local cloud) after a whole session.
    const files = fs.readdirSync(workspace, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) expect(fs.readFileSync(path.join(file.parentPath, file.name)).includes(dash.token), file.name).toBe(false);
  });
});

describe('usermig serve: a scoped plan', () => {
  it('plans a scope as usermig plan --scope does, with the cascade per group in its diff', async () => {
    const dir = tempDir();
    const specs = writeScopeBackups(dir);
    const scoped = path.join(dir, 'ws');
    expect(usermig(['scan', specs.jira, specs.confluence, '--workspace', scoped]).code).toBe(0);
    expect(usermig(['domains', 'trust', 'example.com', '--workspace', scoped]).code).toBe(0);
    const server = await startDashboard(['--workspace', scoped]);
    try {
      const made = await server.json('/api/plans', { method: 'POST', body: { scope: ['jira:projects=APO+roles', 'confluence:spaces=ENG'], groupMembers: 'all' } });
      const byCli = JSON.parse(
        usermig(['plan', '--json', '--scope', 'jira:projects=APO+roles', '--scope', 'confluence:spaces=ENG', '--group-members', 'all', '--out', path.join(dir, 'cli-plan.json'), '--workspace', scoped]).stdout,
      );
      expect(made.scope).toEqual(byCli.scope.specs);
      expect(made.summary).toEqual(byCli.summary);
      expect(made.scopeSection.summary).toEqual(byCli.scope.summary);
      expect(made.scopeSection.groupMembers).toBe('all');
      const withScope = made.diff.cascade.filter((g: { scope?: unknown }) => g.scope).map((g: { scope: unknown }) => g.scope);
      expect(withScope).toEqual(expect.arrayContaining(byCli.scope.groups));
      expect(withScope).toHaveLength(byCli.scope.groups.length);
      expect((await server.json('/api/plans')).rows[0].scope).toEqual(byCli.scope.specs);
    } finally {
      await server.stop();
    }
  });
});

describe('usermig serve: start-up', () => {
  it('shows an empty workspace with the scan as the next step, and says no sources yet elsewhere', async () => {
    const empty = path.join(tempDir(), 'ws');
    const server = await startDashboard(['--workspace', empty]);
    try {
      const overview = await server.json('/api/summary');
      expect(overview).toMatchObject({ sources: [], findings: [], blockers: 0, nextStep: { page: 'overview' } });
      expect(overview.nextStep.command).toMatch(/^usermig scan /);
      const users = await server.api('/api/users');
      expect(users.status).toBe(400);
      expect(((await users.json()) as { error: { message: string } }).error.message).toBe(`the workspace ${empty} has no sources yet; run usermig scan first`);
    } finally {
      await server.stop();
    }
  });

  it('refuses a port in use (exit 2) and a port that is no port', async () => {
    const server = await startDashboard(['--workspace', path.join(tempDir(), 'ws')]);
    try {
      const taken = await runInBackground(['serve', '--port', String(server.port), '--workspace', path.join(tempDir(), 'ws')]);
      expect(taken.code).toBe(2);
      expect(taken.stderr).toBe(`usermig: the port ${server.port} is in use; choose another with --port (0: any free port)\n`);
    } finally {
      await server.stop();
    }
    const bad = usermig(['serve', '--port', 'http']);
    expect([bad.code, bad.stderr]).toEqual([2, 'usermig: --port takes a port number (0 for any free port), not "http"\n']);
  });
});
