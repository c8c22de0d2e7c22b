/**
 * The dashboard's apply when operations fail: each failure reaches the page as an `error` event while the
 * run goes on, the run ends `failed` with the words of `usermig apply`, and applying the plan again from the
 * dashboard resumes it. Stopping the server in the middle of a paused apply leaves it resumable by the CLI.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startCloud } from '../src/cloud/server.js';
import { CLI, usermig } from './support/cli.js';
import { serveCloud } from './support/cloud-process.js';
import { tempDir } from './support/files.js';
import { copyOf, decideAll, operationsDone, scannedEstate } from './support/estate-workspace.js';
import { readEvents, startDashboard, type Dashboard } from './support/serve-api.js';

let dash: Dashboard | undefined;

afterEach(async () => {
  await dash?.stop();
  dash = undefined;
});

function decidedWorkspace(): string {
  const workspace = copyOf(scannedEstate());
  decideAll(workspace);
  return workspace;
}

describe('usermig serve: apply', () => {
  it('sends each failed operation as it happens, ends failed as usermig apply would, and resumes when applied again', async () => {
    const workspace = decidedWorkspace();
    dash = await startDashboard(['--workspace', workspace]);
    const plan = await dash.json('/api/plans', { method: 'POST', body: {} });
    const operations = (await dash.json(`/api/plans/${plan.id}/operations?limit=1000`)).rows as Array<{ kind: string; name?: string; group?: string }>;
    const blocked = operations.find((o) => o.kind === 'create-group')!.name!;
    const chunks = operations.filter((o) => o.kind === 'add-members' && o.group === blocked).length;
    // After the plan, someone makes a group of that name by hand in the organization: the SCIM create is
    // refused, and the group's memberships wait for it.
    let cloud = await startCloud({ dataDir: path.join(workspace, 'cloud'), port: 0 });
    const byHand = cloud.org.createOrgGroup(blocked, 'made by hand');
    await cloud.close();

    // While another process applies on this workspace (its lock held by a live process), the dashboard refuses.
    const lock = path.join(workspace, 'apply.lock');
    fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, plan: 'plan-elsewhere', since: '2026-01-01T00:00:00.000Z' }));
    const refused = await dash.api('/api/apply', { method: 'POST', body: { plan: plan.id } });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain(`another apply runs on this workspace (plan plan-elsewhere, process ${process.pid}`);
    fs.rmSync(lock);

    const events = await readEvents(
      dash,
      (event) => event.event === 'done',
      async () => {
        const started = await dash!.api('/api/apply', { method: 'POST', body: { plan: plan.id } });
        expect(started.status).toBe(202);
      },
    );
    const errors = events.filter((e) => e.event === 'error').map((e) => e.data);
    expect(errors).toHaveLength(1 + chunks);
    expect(errors[0]).toMatchObject({ operation: `create the group ${blocked}`, kind: 'create-group' });
    expect(errors.slice(1).every((e) => e.kind === 'add-members' && e.message === `waits for the group ${blocked}, which could not be created`)).toBe(true);
    // The errors came while the run went on: progress followed the first of them.
    const firstError = events.findIndex((e) => e.event === 'error');
    expect(events.slice(firstError).some((e) => e.event === 'progress')).toBe(true);
    const done = events.at(-1)!.data;
    expect(done.state).toBe('failed');
    expect(done.message).toContain(`${1 + chunks} of ${operations.length} operations failed and were left for the next run (the first: create the group ${blocked}`);
    const status = await dash.json('/api/apply');
    expect(status).toMatchObject({ state: 'failed', errors: 1 + chunks });
    expect(status.recentErrors).toHaveLength(1 + chunks);

    cloud = await startCloud({ dataDir: path.join(workspace, 'cloud'), port: 0 });
    cloud.org.deleteOrgGroup(byHand.id, true);
    await cloud.close();
    const resumed = await readEvents(
      dash,
      (event, all) => event.event === 'done' && all.some((e) => e.event === 'state' && e.data.state === 'running'),
      async () => {
        expect((await dash!.api('/api/apply', { method: 'POST', body: { plan: plan.id } })).status).toBe(202);
      },
    );
    const outcome = resumed.at(-1)!.data;
    expect(outcome.state).toBe('done');
    expect(outcome.outcome.text).toMatch(new RegExp(`^resumed and applied ${plan.id} .*: 0 accounts created, 0 adopted, 1 groups created`));
    expect(usermig(['plan', '--workspace', workspace]).stdout).toContain('No changes');
  });

  it('stops a paused apply when the server stops, and usermig apply resumes it', async () => {
    const workspace = decidedWorkspace();
    dash = await startDashboard(['--workspace', workspace]);
    const plan = await dash.json('/api/plans', { method: 'POST', body: {} });
    expect((await dash.api('/api/apply', { method: 'POST', body: { plan: plan.id } })).status).toBe(202);
    // Pause once the first operations are done, so that the ledger holds the run.
    while ((await dash.json('/api/apply')).done === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await dash.json('/api/apply/pause', { method: 'POST', body: {} })).toEqual({ state: 'paused' });
    const total = (await dash.json('/api/apply')).total;
    expect(await dash.stop()).toBe(0);
    dash = undefined;
    const done = operationsDone(workspace);
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(total);
    // A new server shows the stopped apply from the workspace.
    dash = await startDashboard(['--workspace', workspace]);
    expect(await dash.json('/api/apply')).toMatchObject({ run: `workspace:${plan.id}`, plan: plan.id, state: 'failed', done, total });
    await dash.stop();
    dash = undefined;
    const resumed = usermig(['apply', '--yes', '--workspace', workspace]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(new RegExp(`^resumed and applied ${plan.id} to the local cloud`));
    expect(usermig(['plan', '--workspace', workspace]).stdout).toContain('No changes');
  });

  it('stops a running apply when the server stops: the operations in flight finish and are recorded (nothing to adopt), and usermig apply resumes it', async () => {
    const workspace = decidedWorkspace();
    const cloud = await serveCloud(tempDir(), ['--latency', '300']);
    try {
      dash = await startDashboard(['--workspace', workspace, '--target', cloud.target], cloud.env);
      const plan = await dash.json('/api/plans', { method: 'POST', body: {} });
      expect((await dash.api('/api/apply', { method: 'POST', body: { plan: plan.id } })).status).toBe(202);
      while ((await dash.json('/api/apply')).done < 3) await new Promise((resolve) => setTimeout(resolve, 20));
      // One apply per workspace: usermig apply in a terminal is refused while the dashboard's runs.
      const second = usermig(['apply', '--yes', '--workspace', workspace], cloud.env);
      expect(second.code, second.stdout).toBe(2);
      expect(second.stderr).toContain(`another apply runs on this workspace (plan ${plan.id}, process `);
      const running = await dash.json('/api/apply');
      expect(running.state).toBe('running');
      expect(await dash.stop()).toBe(0);
      expect(fs.existsSync(path.join(workspace, 'apply.lock'))).toBe(false);
      dash = undefined;
      // Every operation the run sent got its answer recorded: none is left as an intent to look up.
      const db = new Database(path.join(workspace, 'workspace.db'), { readonly: true });
      const states = Object.fromEntries((db.prepare('SELECT state, count(*) AS n FROM ledger GROUP BY state').all() as Array<{ state: string; n: number }>).map((row) => [row.state, row.n]));
      db.close();
      expect(states.intent ?? 0).toBe(0);
      expect(states.done).toBeGreaterThanOrEqual(running.done);
      expect(states.done).toBeLessThan(running.total);
      // usermig apply resumes it in a terminal; a dashboard started meanwhile shows that run as running
      // elsewhere (not as stopped) and refuses to start another.
      const child = spawn(process.execPath, [CLI, 'apply', '--yes', '--workspace', workspace], { env: { ...process.env, USERMIG_WORKSPACE: '', ...cloud.env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
      while (!fs.existsSync(path.join(workspace, 'apply.lock'))) await new Promise((resolve) => setTimeout(resolve, 20));
      dash = await startDashboard(['--workspace', workspace, '--target', cloud.target], cloud.env);
      const elsewhere = await dash.json('/api/apply');
      expect(elsewhere).toMatchObject({ plan: plan.id, state: 'running', elsewhere: { pid: child.pid } });
      const refusedHere = await dash.api('/api/apply', { method: 'POST', body: { plan: plan.id } });
      expect(refusedHere.status).toBe(409);
      expect(await exited).toBe(0);
      expect(await dash.json('/api/apply')).toMatchObject({ plan: plan.id, state: 'done' });
      expect(stdout).toMatch(new RegExp(`^resumed and applied ${plan.id} to `));
      expect(stdout).toMatch(/accounts created, 0 adopted, /);
      expect(usermig(['plan', '--target', cloud.target, '--workspace', workspace], cloud.env).stdout).toContain('No changes');
    } finally {
      await cloud.stop();
    }
  }, 120_000);
});
