import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCloud, type RunningCloud } from '../src/cloud/server.js';
import { usermig } from './support/cli.js';
import { teamBackup } from './support/estate-workspace.js';
import { tempDir } from './support/files.js';

/** Changes the workspace's local cloud behind usermig's back, through its SCIM API. */
async function inTheCloud(workspace: string, change: (scim: (method: string, path: string, body?: unknown) => Promise<any>) => Promise<void>): Promise<void> {
  const cloud: RunningCloud = await startCloud({ dataDir: path.join(workspace, 'cloud'), port: 0 });
  try {
    await change(async (method, where, body) => {
      const response = await fetch(`${cloud.url}/scim/directory/${cloud.directoryId}${where}`, {
        method,
        headers: { Authorization: `Bearer ${cloud.scimToken}`, ...(body ? { 'Content-Type': 'application/scim+json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      expect(response.status, text).toBeLessThan(300);
      return text ? JSON.parse(text) : undefined;
    });
  } finally {
    await cloud.close();
  }
}

const RECORD_NOTE = 'note: the cloud as the workspace recorded it';

describe("the workspace's record of the cloud", () => {
  it('is trusted while the cloud’s totals match it, re-read when they do not or with --refresh, and never lets an account be created twice', async () => {
    const dir = tempDir();
    const workspace = path.join(dir, 'ws');
    const file = path.join(dir, 'entities.xml');
    fs.writeFileSync(file, teamBackup(['ann', 'bob', 'cid'], ['ann', 'bob', 'cid']));
    expect(usermig(['scan', `jira-backup:${file}`, '--workspace', workspace]).code).toBe(0);
    expect(usermig(['domains', 'trust', 'example.com', '--workspace', workspace]).code).toBe(0);
    const first = usermig(['plan', '--workspace', workspace]);
    expect(first.stdout).not.toContain(RECORD_NOTE);
    expect(usermig(['apply', '--yes', '--workspace', workspace]).code).toBe(0);

    // Unchanged cloud: the record (kept up to date by the apply) is used, and the plan is empty.
    const unchanged = usermig(['plan', '--workspace', workspace]);
    expect(unchanged.stdout).toContain(RECORD_NOTE);
    expect(unchanged.stdout).toContain('No changes');

    // Someone removes bob from team in the cloud: the totals stay the same, so only --refresh sees it.
    await inTheCloud(workspace, async (scim) => {
      const bob = (await scim('GET', `/Users?filter=${encodeURIComponent('userName eq "bob@example.com"')}`)).Resources[0];
      const team = (await scim('GET', `/Groups?filter=${encodeURIComponent('displayName eq "team"')}`)).Resources[0];
      await scim('PATCH', `/Groups/${team.id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'remove', path: `members[value eq "${bob.id}"]` }],
      });
    });
    expect(usermig(['plan', '--workspace', workspace]).stdout).toContain('No changes');
    const refreshed = usermig(['plan', '--refresh', '--workspace', workspace]);
    expect(refreshed.stdout).not.toContain(RECORD_NOTE);
    expect(refreshed.stdout).toContain('+ team: 1 members');
    expect(usermig(['apply', '--yes', '--workspace', workspace]).code).toBe(0);

    // Someone creates dan's account directly; then dan joins the estate. The totals differ from the
    // record, so the cloud is read again and dan's account is linked, not created a second time.
    await inTheCloud(workspace, async (scim) => {
      await scim('POST', '/Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: 'dan@example.com',
        emails: [{ value: 'dan@example.com', primary: true }],
        displayName: 'Dan',
      });
    });
    fs.writeFileSync(file, teamBackup(['ann', 'bob', 'cid', 'dan'], ['ann', 'bob', 'cid', 'dan']));
    expect(usermig(['scan', `jira-backup:${file}`, '--workspace', workspace]).code).toBe(0);
    const wave = usermig(['plan', '--workspace', workspace]);
    expect(wave.stdout).not.toContain(RECORD_NOTE);
    expect(wave.stdout).not.toContain('+ account dan@example.com');
    expect(wave.stdout).toContain('= 4 accounts exist already and are linked, not created');
    const applied = usermig(['apply', '--yes', '--workspace', workspace]);
    expect(applied.stdout).toMatch(/0 accounts created, 0 adopted, 0 groups created, 0 adopted, 1 memberships added/);
    expect(usermig(['plan', '--workspace', workspace]).stdout).toContain(RECORD_NOTE);
  });

  it('changes with every apply: a plan made before another apply is refused as stale', async () => {
    const dir = tempDir();
    const workspace = path.join(dir, 'ws');
    const file = path.join(dir, 'entities.xml');
    fs.writeFileSync(file, teamBackup(['ann', 'bob'], ['ann', 'bob']));
    expect(usermig(['scan', `jira-backup:${file}`, '--workspace', workspace]).code).toBe(0);
    expect(usermig(['domains', 'trust', 'example.com', '--workspace', workspace]).code).toBe(0);
    const planFile = path.join(dir, 'old-plan.json');
    expect(usermig(['plan', '--out', planFile, '--workspace', workspace]).code).toBe(0);
    expect(usermig(['plan', '--workspace', workspace]).code).toBe(0);
    expect(usermig(['apply', '--yes', '--workspace', workspace]).code).toBe(0);
    // The older plan was computed against the record as it was before that apply.
    const stale = usermig(['apply', planFile, '--yes', '--workspace', workspace]);
    expect(stale.code).toBe(2);
    expect(stale.stderr).toContain('the plan is stale: the cloud changed since it was made');
  });
});
