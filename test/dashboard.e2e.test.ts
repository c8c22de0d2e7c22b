/**
 * The dashboard end to end, in a real headless Chromium against the built `usermig serve` on the demo
 * estate (the estate `usermig demo` generates, scanned and left undecided): the overview shows the
 * blockers `usermig assess` finds; the administrator trusts the domains, decides for the users with
 * invalid and shared emails on their own pages, makes a plan, applies it into the local cloud watching its
 * progress, and downloads the users CSV of the report — each step checked against the CLI on the same
 * workspace. Every page is saved as a screenshot in test-artifacts/screenshots/.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from './support/browser.js';
import { usermig } from './support/cli.js';
import { serveCloud, type ServedCloud } from './support/cloud-process.js';
import { decideAll, scannedEstate } from './support/estate-workspace.js';
import { tempDir } from './support/files.js';
import { startServe, type ServeProcess } from './support/serve.js';

const count = (value: number) => new Intl.NumberFormat('en-US').format(value);

/** Polls until the page shows what is expected (30 s: the machine may be busy with other tests). */
const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 30_000, interval: 100 });

interface Assessment {
  summary: { users: number; activeUsers: number; groups: number; domains: number; billableUsers: Record<string, number> };
  findings: Array<{ code: string; severity: string; resolved?: boolean; subjects: unknown[] }>;
}

function assess(workspace: string): Assessment {
  const result = usermig(['assess', '--json', '--workspace', workspace]);
  expect([0, 1], result.stderr).toContain(result.code);
  return JSON.parse(result.stdout) as Assessment;
}

const unresolved = (assessment: Assessment, severity: string) => assessment.findings.filter((f) => f.severity === severity && !f.resolved);
const subjectsOf = (assessment: Assessment, code: string) => assessment.findings.filter((f) => f.code === code).reduce((sum, f) => sum + f.subjects.length, 0);

async function cardValue(page: Page, testId: string): Promise<string> {
  return ((await page.getByTestId(testId).locator('.value').textContent()) ?? '').trim();
}

async function openPage(page: Page, title: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: title, exact: true }).click();
  await eventually(() => page.getByRole('heading', { level: 1 }).first().textContent()).toBe(title);
}

/** The rows of the users table as the page shows them. */
/** A fresh page (English, 1400×900) that records the page's own errors. */
async function newPage(browser: Browser): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'en-US', acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return { context, page, errors };
}

/** Makes the plan on the Plan page and follows its link to Apply; returns how many operations it has. */
async function planAndOpenApply(page: Page, workspace: string): Promise<number> {
  await openPage(page, 'Plan');
  await page.getByRole('button', { name: 'Make the plan' }).click();
  await page.getByTestId('plan-view').getByRole('link', { name: 'Apply this plan…' }).click({ timeout: 60_000 });
  return (JSON.parse(fs.readFileSync(path.join(workspace, 'plan.json'), 'utf8')) as { operations: unknown[] }).operations.length;
}

/** The operations the Apply page counts as done. */
async function appliedCount(page: Page): Promise<number> {
  return Number(((await page.getByTestId('apply-done').textContent()) ?? '').split('/')[0]!.replace(/[^0-9]/g, ''));
}

/**
 * A demo workspace with its blockers decided, served by `usermig serve` against a local cloud of its own
 * (started with `cloudArgs`), and a browser.
 */
async function serveDecidedEstate(cloudArgs: string[]): Promise<{ workspace: string; cloudDir: string; cloud: ServedCloud; serve: ServeProcess; browser: Browser }> {
  const workspace = scannedEstate();
  decideAll(workspace);
  const cloudDir = tempDir();
  const cloud = await serveCloud(cloudDir, cloudArgs);
  const serve = await startServe(['--workspace', workspace, '--target', cloud.target], cloud.env);
  return { workspace, cloudDir, cloud, serve, browser: await launchBrowser() };
}

/** Stops what serveDecidedEstate started (any of it may be missing after a failed start). */
async function stopAll(browser: Browser | undefined, serve: ServeProcess | undefined, cloud: ServedCloud | undefined): Promise<void> {
  await browser?.close();
  await serve?.stop();
  await cloud?.stop();
}

async function userRows(page: Page): Promise<Array<{ id: string; username: string; email: string; source: string }>> {
  return page.locator('[data-testid=users-table] tbody tr[data-user-id]').evaluateAll((rows) =>
    rows.map((row) => {
      const cells = row.querySelectorAll('th, td');
      return { id: row.getAttribute('data-user-id') ?? '', username: cells[0]?.textContent ?? '', email: cells[2]?.textContent ?? '', source: cells[3]?.textContent ?? '' };
    }),
  );
}

async function filterUsers(page: Page, filters: Record<string, string>): Promise<void> {
  const form = page.getByRole('search', { name: 'Filter users' });
  for (const [name, value] of Object.entries(filters)) await form.locator(`select[name=${name}]`).selectOption(value);
}

/** On a user's page: fills the decision form and saves; resolves with the success message. */
async function decide(page: Page, action: string, value?: string, reason = 'checked by hand in the dashboard'): Promise<string> {
  const form = page.locator('form', { has: page.getByRole('heading', { name: 'Change the decision' }) });
  await form.locator('select[name=action]').selectOption(action);
  if (value !== undefined) await form.locator('input[name=value]').fill(value);
  await form.getByLabel('Reason (kept in the history)').fill(reason);
  await form.getByRole('button', { name: 'Save the decision' }).click();
  const answer = form.locator('[role=status], [role=alert]').first();
  await answer.waitFor();
  return `${await answer.getAttribute('role')}: ${(await answer.textContent()) ?? ''}`;
}

/** Searches the users page for a username and opens that user's page from the table. */
async function openUser(page: Page, id: string, username: string): Promise<void> {
  await filterUsers(page, { finding: '', decision: '' });
  await page.getByRole('search', { name: 'Filter users' }).locator('input[name=q]').fill(username);
  const link = page.locator(`[data-user-id="${id}"] th a`);
  await link.click();
  await page.getByTestId('decision').waitFor();
}

describe('the dashboard in a real browser', () => {
  let dir: string;
  let workspace: string;
  let serve: ServeProcess;
  let browser: Browser;

  beforeAll(async () => {
    dir = tempDir();
    workspace = path.join(dir, 'ws');
    const estate = path.join(dir, 'estate');
    // The demo's estate (usermig demo: 300 people, 40 groups, 1,500 memberships, seed 42), without its decisions.
    expect(usermig(['generate', '--users', '300', '--groups', '40', '--memberships', '1500', '--seed', '42', '--out', estate]).code).toBe(0);
    const scan = usermig(['scan', `jira-backup:${path.join(estate, 'jira-backup.zip')}`, `confluence-backup:${path.join(estate, 'confluence-backup.zip')}`, '--workspace', workspace]);
    expect(scan.code, scan.stderr).toBe(0);
    serve = await startServe(['--workspace', workspace]);
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (serve) expect(await serve.stop()).toBe(0);
  });

  it('walks the journey: blockers on the overview, trust domains, decide users, rename a group, plan, apply with live progress, download the report', async () => {
    const { context, page, errors } = await newPage(browser);
    const before = assess(workspace);

    // Overview: the numbers of `usermig assess --json`, and the token gone from the address bar.
    await page.goto(serve.url);
    expect(page.url()).toBe(`${serve.origin}/`);
    await page.getByTestId('card-blockers').waitFor();
    expect(await cardValue(page, 'card-blockers')).toBe(count(unresolved(before, 'blocker').length));
    expect(unresolved(before, 'blocker').length).toBeGreaterThan(0);
    expect(await cardValue(page, 'card-warnings')).toBe(count(unresolved(before, 'warning').length));
    expect(await cardValue(page, 'card-users')).toBe(count(before.summary.users));
    expect(await cardValue(page, 'card-groups')).toBe(count(before.summary.groups));
    expect(await cardValue(page, 'card-domains')).toBe(count(before.summary.domains));
    const billable = (await page.getByTestId('card-billable').textContent()) ?? '';
    for (const [product, users] of Object.entries(before.summary.billableUsers)) expect(billable).toContain(`${product}${count(users)}`);
    const blockerRows = page.locator('[data-testid=findings] tbody tr[data-severity=blocker]');
    expect(await blockerRows.count()).toBe(unresolved(before, 'blocker').length);
    await eventually(() => page.getByTestId('next-step').textContent()).toMatch(/Next step/);
    await page.getByRole('button', { name: 'List the subjects of email-invalid' }).first().click();
    await eventually(() => page.getByRole('navigation', { name: 'Pages of subjects' }).textContent()).toContain(`of ${count(subjectsOf(before, 'email-invalid'))}`);
    await screenshot(page, '01-overview');

    // Domains: every domain untrusted at first; trust them all.
    await openPage(page, 'Domains');
    const domainRows = page.locator('[data-testid=domains-table] tbody tr[data-domain]');
    await domainRows.first().waitFor();
    expect(await domainRows.count()).toBe(before.summary.domains);
    expect(await page.getByText('untrusted', { exact: true }).count()).toBe(subjectsOf(before, 'domain-untrusted'));
    await screenshot(page, '02-domains');
    await page.getByRole('button', { name: 'Trust every domain' }).click();
    // Asked twice, naming the domains: nothing is trusted before the confirmation.
    const confirmation = page.getByRole('alertdialog');
    expect(await confirmation.textContent()).toContain((await domainRows.last().getAttribute('data-domain'))!);
    expect(unresolved(assess(workspace), 'blocker').filter((f) => f.code === 'domain-untrusted').length).toBe(subjectsOf(before, 'domain-untrusted'));
    await screenshot(page, '02b-domains-trust-all');
    await confirmation.getByRole('button', { name: `Trust all ${before.summary.domains} domains` }).click();
    // The message `usermig domains trust --all` prints.
    await eventually(() => page.getByRole('status').first().textContent()).toBe(`trusted ${before.summary.domains} domains`);
    await eventually(() => page.getByText('untrusted', { exact: true }).count()).toBe(0);
    expect(unresolved(assess(workspace), 'blocker').filter((f) => f.code === 'domain-untrusted')).toEqual([]);

    // Users: the users with an invalid email, as the finding's filter shows them; each decided on their own page.
    await openPage(page, 'Users');
    await page.getByTestId('users-table').waitFor();
    await filterUsers(page, { finding: 'email-invalid' });
    const invalid = subjectsOf(before, 'email-invalid');
    await eventually(() => page.locator('[data-testid=users-table] caption').textContent()).toContain(`${count(invalid)} users match the filters`);
    await screenshot(page, '03-users');
    await filterUsers(page, { decision: 'none' });
    for (let decided = 0; decided < invalid; decided++) {
      await eventually(() => userRows(page).then((rows) => rows.length)).toBe(invalid - decided);
      const [first] = await userRows(page);
      await page.locator(`[data-user-id="${first!.id}"] th a`).click();
      await page.getByTestId('decision').waitFor();
      if (decided === 0) {
        // A refused decision shows the server's message, as the CLI words it.
        expect(await decide(page, 'new-email', 'not an address')).toMatch(/^alert: .*not an address/);
        const address = `${first!.username.replace(/[^a-z0-9.]/gi, '')}.fixed@acme.com`;
        const saved = await decide(page, 'new-email', address);
        expect(saved.startsWith('status: ') && saved.includes(address), saved).toBe(true);
        await eventually(() => page.getByTestId('decision').textContent()).toContain(`new-email ${address}`);
        await eventually(() => page.getByTestId('history').textContent()).toContain('checked by hand in the dashboard');
        await screenshot(page, '04-user');
      } else {
        expect(await decide(page, 'former-user')).toMatch(/^status: /);
        await eventually(() => page.getByTestId('decision').textContent()).toContain('former-user');
      }
      await page.goBack();
      await page.getByTestId('users-table').waitFor();
    }
    await eventually(() => page.locator('[data-testid=users-table] td.empty').count()).toBe(1);

    // What `usermig users fix` would still decide, previewed on the page as the CLI's dry run says it: only the shared emails are left.
    const dryRun = usermig(['users', 'fix', '--invalid', 'former-user', '--duplicated', 'merge', '--dry-run', '--workspace', workspace]);
    expect(dryRun.code, dryRun.stderr).toBe(0);
    const [, wouldDecide] = /dry run: (.*); nothing saved/.exec(dryRun.stdout) ?? [];
    expect(wouldDecide).toMatch(/^\d+ merge-into$/);
    await page.getByText('Fix invalid and shared emails in bulk').click();
    await page.getByRole('button', { name: 'Preview the decisions' }).click();
    await eventually(() => page.getByRole('status').filter({ hasText: 'Preview, nothing saved' }).textContent()).toContain(wouldDecide!);
    await screenshot(page, '03b-users-bulk-preview');

    // Users sharing an email in one source: the first of each address survives, the others merge into it.
    await filterUsers(page, { decision: '', finding: 'email-duplicated' });
    await filterUsers(page, { sort: 'email' });
    const duplicated = subjectsOf(before, 'email-duplicated');
    await eventually(() => userRows(page).then((rows) => rows.length)).toBe(duplicated);
    const survivors = new Map<string, string>();
    const merges: Array<{ id: string; username: string; into: string }> = [];
    for (const row of await userRows(page)) {
      const key = `${row.source}|${row.email.trim().toLowerCase()}`;
      const survivor = survivors.get(key);
      if (survivor) merges.push({ id: row.id, username: row.username, into: survivor });
      else survivors.set(key, `${row.source}:${row.username}`);
    }
    expect(merges.length).toBeGreaterThan(0);
    for (const merge of merges) {
      await openUser(page, merge.id, merge.username);
      expect(await decide(page, 'merge-into', merge.into)).toMatch(/^status: /);
      await eventually(() => page.getByTestId('becomes').textContent()).toContain(merge.into);
      await page.goBack();
      await page.getByTestId('users-table').waitFor();
    }

    // The overview agrees with the CLI: nothing blocks a plan any more.
    const after = assess(workspace);
    expect(unresolved(after, 'blocker')).toEqual([]);
    await openPage(page, 'Overview');
    await eventually(() => cardValue(page, 'card-blockers')).toBe('0');
    expect(await cardValue(page, 'card-warnings')).toBe(count(unresolved(after, 'warning').length));
    await screenshot(page, '05-overview-decided');

    // Groups: every group of `usermig groups list`; a group in two products keeps apart by a rename in one of them.
    const groupsBefore = JSON.parse(usermig(['groups', 'list', '--json', '--workspace', workspace]).stdout) as Array<{ name: string; flags: string[]; sources: Array<{ source: string; cloudName: string | null }> }>;
    await openPage(page, 'Groups');
    const groupRows = page.locator('[data-testid=groups-table] tbody tr[data-group]');
    await groupRows.first().waitFor();
    expect(await groupRows.count()).toBe(groupsBefore.length);
    await screenshot(page, '06-groups');
    // A bulk rename previewed: the same renames as `groups rename --dry-run`, and nothing saved.
    await page.getByText('Rename groups in bulk').click();
    await page.getByLabel('Text', { exact: true }).fill('cloud-');
    await page.getByLabel('Only names matching (optional)').fill('^team-');
    await page.getByRole('button', { name: 'Preview the renames' }).click();
    const renameDryRun = usermig(['groups', 'rename', '--prefix', 'cloud-', '--match', '^team-', '--dry-run', '--workspace', workspace]);
    const previewed = Number(/(\d+) groups? would be renamed/.exec(renameDryRun.stdout)![1]);
    await eventually(() => page.getByTestId('rename-preview').textContent()).toContain(`${previewed} ${previewed === 1 ? 'group' : 'groups'} would be renamed`);
    expect(await page.locator('[data-testid=rename-table] tbody tr').count()).toBe(previewed);
    await screenshot(page, '06b-groups-rename-preview');
    expect(JSON.parse(usermig(['groups', 'list', '--json', '--workspace', workspace]).stdout)).toEqual(groupsBefore);
    await page.getByText('Rename groups in bulk').click();
    const shared = groupsBefore.find((group) => group.flags.includes('merged-across-products'))!;
    const [, second] = shared.sources;
    await page.getByRole('search', { name: 'Filter groups' }).locator('select').selectOption('merged-across-products');
    await eventually(() => groupRows.count()).toBe(groupsBefore.filter((group) => group.flags.includes('merged-across-products')).length);
    await page.locator(`[data-testid=groups-table] tr[data-group="${shared.name}"] th a`).click();
    await page.getByRole('heading', { name: 'In each source' }).waitFor();
    const renamed = `${second!.source}-${shared.name}`;
    const groupForm = page.locator('form', { has: page.getByRole('heading', { name: 'Decide' }) });
    await groupForm.getByLabel('For').selectOption(second!.source);
    await groupForm.getByLabel('Action').selectOption('rename');
    await groupForm.getByLabel('New cloud name').fill(renamed);
    await groupForm.getByRole('button', { name: 'Save the group decision' }).click();
    await eventually(() => groupForm.getByRole('status').textContent()).toContain(renamed);
    await eventually(() => page.locator('table', { has: page.getByRole('columnheader', { name: 'Cloud group' }) }).textContent()).toContain(renamed);
    await screenshot(page, '07-group');
    const groupsAfter = JSON.parse(usermig(['groups', 'list', '--json', '--workspace', workspace]).stdout) as typeof groupsBefore;
    expect(groupsAfter.find((group) => group.name === shared.name)!.sources.find((source) => source.source === second!.source)!.cloudName).toBe(renamed);

    // Plan: made on the page, saved where `usermig plan` saves it, the same figures.
    await openPage(page, 'Plan');
    await page.getByRole('button', { name: 'Make the plan' }).click();
    const planView = page.getByTestId('plan-view');
    await planView.waitFor({ timeout: 60_000 });
    const planId = await planView.getAttribute('data-plan-id');
    const saved = JSON.parse(fs.readFileSync(path.join(workspace, 'plan.json'), 'utf8')) as { id: string; summary: Record<string, number>; operations: Array<{ kind: string }> };
    expect(saved.id).toBe(planId);
    const created = (kind: string) => saved.operations.filter((operation) => operation.kind === kind).length;
    expect(await cardValue(page, 'diff-creates')).toBe(count(created('create-account')));
    expect(await cardValue(page, 'diff-groups')).toBe(count(created('create-group')));
    expect(await cardValue(page, 'diff-adds')).toBe(count(saved.summary.memberAdds!));
    expect(await cardValue(page, 'diff-links')).toBe(count(saved.summary.links!));
    await eventually(() => page.locator('[data-testid=operations] tbody tr').count()).toBeGreaterThan(0);
    await screenshot(page, '08-plan');

    // Apply: started on the page, watched to the end over server-sent events.
    await planView.getByRole('link', { name: 'Apply this plan…' }).click();
    await page.getByRole('button', { name: 'Apply the plan' }).click();
    const run = page.getByTestId('apply-run');
    await run.waitFor();
    await expect.poll(() => run.getAttribute('data-state'), { timeout: 60_000 }).toBe('done');
    const total = saved.operations.length;
    await eventually(() => page.getByTestId('apply-done').textContent()).toBe(`${count(total)} / ${count(total)}`);
    await eventually(() => page.getByRole('progressbar').getAttribute('aria-valuenow')).toBe(String(total));
    await eventually(() => page.getByTestId('apply-outcome').textContent()).toMatch(/Done\./);
    await screenshot(page, '09-apply');
    // The local cloud holds it all: planning again from the CLI changes nothing.
    const again = usermig(['plan', '--json', '--workspace', workspace, '--out', path.join(dir, 'again.json')]);
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as { operations: unknown[] }).operations).toEqual([]);

    // Reports: the outcomes and the users CSV, byte for byte the file `usermig report` writes.
    await openPage(page, 'Reports');
    await page.getByTestId('report-created').waitFor();
    const reportDir = path.join(dir, 'report');
    const report = usermig(['report', '--workspace', workspace, '--out', reportDir, '--format', 'json']);
    expect(report.code, report.stderr).toBe(0);
    const reportJson = JSON.parse(fs.readFileSync(path.join(reportDir, 'report.json'), 'utf8')) as { summary: { users: number; accounts: { created: number; pending: number } } };
    expect(await cardValue(page, 'report-users')).toBe(count(reportJson.summary.users));
    expect(await cardValue(page, 'report-created')).toBe(count(reportJson.summary.accounts.created));
    expect(reportJson.summary.accounts.created).toBe(created('create-account'));
    expect(await cardValue(page, 'report-pending')).toBe('0');
    for (const chart of ['chart-outcomes', 'chart-domains', 'chart-groups']) expect(await page.getByTestId(chart).locator('svg rect').count()).toBeGreaterThan(0);
    await screenshot(page, '10-reports');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-users').click()]);
    expect(download.suggestedFilename()).toBe('users.csv');
    const downloaded = fs.readFileSync((await download.path())!, 'utf8');
    expect(usermig(['report', '--workspace', workspace, '--out', reportDir, '--format', 'csv']).code).toBe(0);
    expect(downloaded).toBe(fs.readFileSync(path.join(reportDir, 'users.csv'), 'utf8'));
    expect(downloaded.split('\n').filter(Boolean).length).toBe(reportJson.summary.users + 1);

    expect(errors).toEqual([]);
    await context.close();
  }, 300_000);

  it('tells a browser without the token to open the URL usermig serve printed', async () => {
    const { context, page, errors } = await newPage(browser);
    await page.goto(`${serve.origin}/#/users`);
    const gate = page.getByRole('heading', { level: 1 });
    await eventually(() => gate.textContent()).toBe('Open the URL usermig serve printed');
    expect(await page.getByRole('alert').textContent()).toContain('?token=');
    expect(await page.locator('[data-testid=users-table]').count()).toBe(0);
    await screenshot(page, '00-no-token');
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);
});

describe('the apply page against a slow cloud', () => {
  let workspace: string;
  let cloudDir: string;
  let cloud: ServedCloud;
  let serve: ServeProcess;
  let browser: Browser;

  beforeAll(async () => {
    // Every answer of this cloud takes 300 ms: the run lasts long enough to be paused halfway.
    ({ workspace, cloudDir, cloud, serve, browser } = await serveDecidedEstate(['--latency', '300']));
  }, 120_000);

  afterAll(() => stopAll(browser, serve, cloud));

  it('pauses a running apply, holds it still, and resumes it to the end', async () => {
    const { context, page, errors } = await newPage(browser);
    await page.goto(serve.url);
    const total = await planAndOpenApply(page, workspace);
    await page.getByRole('button', { name: 'Apply the plan' }).click();

    const run = page.getByTestId('apply-run');
    const done = () => appliedCount(page);
    await eventually(done).toBeGreaterThan(0);
    await screenshot(page, '09a-apply-running');
    await page.getByRole('button', { name: 'Pause the apply' }).click();
    await eventually(() => run.getAttribute('data-state')).toBe('paused');
    // The operations in flight land; then nothing moves while paused.
    let settled = -1;
    await expect
      .poll(async () => {
        const now = await done();
        const still = now === settled;
        settled = now;
        return still;
      }, { timeout: 30_000, interval: 1_000 })
      .toBe(true);
    expect(settled).toBeLessThan(total);
    // Not only the page: the cloud itself receives no request while the apply is paused.
    const requests = () => fs.readFileSync(path.join(cloudDir, 'requests.jsonl'), 'utf8').split('\n').filter(Boolean).length;
    const heard = requests();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(requests()).toBe(heard);
    await screenshot(page, '09b-apply-paused');

    await page.getByRole('button', { name: 'Resume the apply' }).click();
    await expect.poll(() => run.getAttribute('data-state'), { timeout: 120_000 }).toBe('done');
    await eventually(done).toBe(total);
    await eventually(() => page.getByTestId('apply-outcome').textContent()).toContain(cloud.env.USERMIG_CLOUD_URL!);
    // The cloud holds exactly the plan: planning again from the CLI changes nothing.
    const again = usermig(['plan', '--json', '--target', cloud.target, '--workspace', workspace, '--out', path.join(tempDir(), 'again.json')], cloud.env);
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as { operations: unknown[] }).operations).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  }, 300_000);
});

/** A port free on 127.0.0.1 now, so that a cloud can be restarted on the same address. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe('the apply page when the cloud fails', () => {
  let workspace: string;
  let cloudDir: string;
  let port: number;
  let cloud: ServedCloud;
  let serve: ServeProcess;
  let browser: Browser;

  /** The same cloud (same data, keys and address) started again, with or without faults. */
  async function restartCloud(extra: string[]): Promise<void> {
    await cloud.stop();
    fs.rmSync(path.join(cloudDir, 'cloud.env'));
    cloud = await serveCloud(cloudDir, ['--port', String(port), ...extra]);
  }

  beforeAll(async () => {
    port = await freePort();
    ({ workspace, cloudDir, cloud, serve, browser } = await serveDecidedEstate(['--port', String(port)]));
  }, 120_000);

  afterAll(() => stopAll(browser, serve, cloud));

  it('lists each failed operation as it happens and why the run stopped, then resumes it to the end once the cloud is healthy', async () => {
    const { context, page, errors } = await newPage(browser);
    await page.goto(serve.url);
    const total = await planAndOpenApply(page, workspace);

    // Three answers in ten are a 500: creates that fail three times are parked, and the run stops saying how many.
    await restartCloud(['--fault-rate', '0.3', '--faults', '500', '--seed', '5']);
    await page.getByRole('button', { name: 'Apply the plan' }).click();
    const run = page.getByTestId('apply-run');
    await expect.poll(() => run.getAttribute('data-state'), { timeout: 240_000 }).toBe('failed');
    const failedRows = page.locator('[data-testid=apply-errors] tbody tr');
    expect(await failedRows.count()).toBeGreaterThan(0);
    expect(await failedRows.first().textContent()).toMatch(/could not be|HTTP 500|waits for/);
    const stopped = (await page.getByRole('alert').filter({ hasText: 'The apply stopped.' }).textContent()) ?? '';
    const [, failedCount] = /(\d+) of \d+ operations failed/.exec(stopped) ?? [];
    expect(Number(failedCount)).toBeGreaterThan(0);
    await eventually(() => page.getByText('Errors', { exact: true }).locator('..').locator('strong').textContent()).toBe(count(Number(failedCount)));
    await screenshot(page, '09c-apply-failed');

    // The cloud heals; the same plan, applied again from the page, resumes and ends with every operation done.
    await restartCloud([]);
    await page.getByRole('button', { name: 'Apply the plan' }).click();
    await expect.poll(() => run.getAttribute('data-state'), { timeout: 120_000 }).toBe('done');
    await eventually(() => page.getByTestId('apply-done').textContent()).toBe(`${count(total)} / ${count(total)}`);
    await eventually(() => page.getByTestId('apply-outcome').textContent()).toContain('Done.');
    const again = usermig(['plan', '--json', '--target', cloud.target, '--workspace', workspace, '--out', path.join(tempDir(), 'again.json')], cloud.env);
    expect(again.code, again.stderr).toBe(0);
    expect((JSON.parse(again.stdout) as { operations: unknown[] }).operations).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  }, 420_000);
});

describe('the apply page when usermig serve stops', () => {
  let workspace: string;
  let cloud: ServedCloud;
  let serve: ServeProcess;
  let browser: Browser;

  beforeAll(async () => {
    ({ workspace, cloud, serve, browser } = await serveDecidedEstate(['--latency', '300']));
  }, 120_000);

  afterAll(() => stopAll(browser, serve, cloud));

  it('says the dashboard stopped answering and how to resume, instead of showing the last figures as live', async () => {
    const { context, page } = await newPage(browser);
    await page.goto(serve.url);
    await planAndOpenApply(page, workspace);
    await page.getByRole('button', { name: 'Apply the plan' }).click();
    const done = () => appliedCount(page);
    await eventually(done).toBeGreaterThan(0);
    await expect(page.getByTestId('apply-run').textContent()).resolves.toContain('· live');

    expect(await serve.stop()).toBe(0);
    const notice = page.getByTestId('apply-connection');
    await eventually(() => notice.textContent()).toContain('the apply stopped with it');
    expect(await page.getByTestId('apply-run').textContent()).not.toContain('· live');
    await screenshot(page, '09d-apply-server-stopped');
    // As it says: usermig apply resumes the run.
    const resumed = usermig(['apply', '--yes', '--workspace', workspace], cloud.env);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/^resumed and applied /);
    await context.close();
  }, 300_000);
});
