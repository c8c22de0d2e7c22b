import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startCloud } from '../src/cloud/server.js';
import { usermig, usermigAsync } from './support/cli.js';
import { copyOf, decideAll, operationsDone, scannedEstate, teamBackup } from './support/estate-workspace.js';
import { tempDir } from './support/files.js';

/** A generated estate, scanned; each test copies it. */
let prepared: string;
beforeAll(() => {
  prepared = scannedEstate();
});
const workspaceCopy = () => copyOf(prepared);

describe('plan and apply into the local cloud', () => {
  it('refuses to plan while blockers remain, listing them', () => {
    const result = usermig(['plan', '--workspace', workspaceCopy()]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/No plan: \d+ blockers remain/);
    expect(result.stdout).toContain('[domain-untrusted]');
  });

  it('applies a plan, then plans no changes and sends zero writes', () => {
    const workspace = workspaceCopy();
    decideAll(workspace);
    const planned = usermig(['plan', '--workspace', workspace]);
    expect(planned.code, planned.stderr).toBe(0);
    expect(planned.stdout).toMatch(/\d+ to create, 0 to link, \d+ memberships to add/);
    const applied = usermig(['apply', '--yes', '--workspace', workspace]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/applied plan-\S+ to the local cloud .*: \d+ accounts created, 0 adopted/);

    const again = usermig(['plan', '--workspace', workspace]);
    expect(again.stdout).toContain('No changes: the cloud matches the estate and the decisions.');
    const second = usermig(['apply', '--yes', '--workspace', workspace]);
    expect(second.stdout).toMatch(/; 0 write requests, \d+ reads$/m);
    // The decisions the apply used are now sticky.
    const change = usermig(['domains', 'untrust', 'acme.com', '--workspace', workspace]);
    expect(change.code).toBe(2);
    expect(change.stderr).toContain('--force');
  });

  it('refuses a stale plan and an applied plan', () => {
    const workspace = workspaceCopy();
    decideAll(workspace);
    expect(usermig(['plan', '--workspace', workspace]).code).toBe(0);
    expect(usermig(['domains', 'trust', 'partner.example.org', '--workspace', workspace]).code).toBe(0);
    const stale = usermig(['apply', '--yes', '--workspace', workspace]);
    expect(stale.code).toBe(2);
    expect(stale.stderr).toContain('the plan is stale: sources were scanned or decisions changed since it was made');
    expect(usermig(['apply', '--workspace', workspace]).stderr).toContain('repeat with --yes');

    const file = path.join(workspace, 'fresh-plan.json');
    expect(usermig(['plan', '--out', file, '--workspace', workspace]).code).toBe(0);
    expect(usermig(['apply', file, '--yes', '--workspace', workspace]).code).toBe(0);
    const twice = usermig(['apply', file, '--yes', '--workspace', workspace]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/was applied on .*; make a new one with usermig plan/);
  });

  it('resumes after being killed, and ends with exactly the desired cloud', async () => {
    const workspace = workspaceCopy();
    decideAll(workspace);
    expect(usermig(['plan', '--workspace', workspace]).code).toBe(0);
    const done = () => operationsDone(workspace);
    // Kill it three times, each time after it has finished a few more operations.
    for (let attempt = 1; attempt <= 3; attempt++) {
      const before = done();
      const child = usermigAsync(['apply', '--yes', '--workspace', workspace]);
      const exited = new Promise((resolve) => child.on('close', resolve));
      while (child.exitCode === null && done() < before + 20) await new Promise((resolve) => setTimeout(resolve, 5));
      child.kill('SIGKILL');
      await exited;
    }
    const finished = usermig(['apply', '--yes', '--workspace', workspace]);
    expect(finished.code, finished.stderr).toBe(0);
    expect(finished.stdout).toMatch(/resumed and applied plan-/);
    const after = usermig(['plan', '--workspace', workspace]);
    expect(after.stdout).toContain('No changes');
    expect(after.stdout).toMatch(/= \d+ accounts exist already/);
  });
});

describe('same-name groups in the cloud (RULES.md P2, GR-01)', () => {
  it('refuses to merge into groups that exist in the cloud without consent', async () => {
    const workspace = workspaceCopy();
    decideAll(workspace);
    // A cloud whose default access groups carry the old, unsuffixed names: jira-software-users and friends.
    const cloud = await startCloud({ dataDir: path.join(workspace, 'cloud'), port: 0, legacyGroupNames: true });
    await cloud.close();
    const refused = usermig(['plan', '--workspace', workspace]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('No plan: groups of the estate already exist in the cloud');
    expect(refused.stdout).toMatch(/ {2}jira-software-users: merge only with consent/);
    expect(refused.stdout).toMatch(/ {2}jira-software-users: exists outside the SCIM directory/);
    expect(usermig(['groups', 'rename', '--suffix', '-dc', '--workspace', workspace]).code).toBe(0);
    const planned = usermig(['plan', '--workspace', workspace]);
    expect(planned.code, planned.stdout).toBe(0);
    expect(planned.stdout).toContain('+ group jira-software-users-dc');
  });
});

describe('later waves (RULES.md DIFF-02, GR-11, S-15)', () => {
  const backup = teamBackup;

  it('plans only the differences, and removes memberships only with --prune within the threshold', () => {
    const dir = tempDir();
    const workspace = path.join(dir, 'ws');
    const file = path.join(dir, 'entities.xml');
    fs.writeFileSync(file, backup(['ann', 'bob', 'cid'], ['ann', 'bob', 'cid']));
    expect(usermig(['scan', `jira-backup:${file}`, '--workspace', workspace]).code).toBe(0);
    expect(usermig(['domains', 'trust', 'example.com', '--workspace', workspace]).code).toBe(0);
    expect(usermig(['plan', '--workspace', workspace]).code).toBe(0);
    expect(usermig(['apply', '--yes', '--workspace', workspace]).code).toBe(0);

    // Next wave: cid left the team, dan joined the company.
    fs.writeFileSync(file, backup(['ann', 'bob'], ['ann', 'bob', 'cid', 'dan']));
    expect(usermig(['scan', `jira-backup:${file}`, '--workspace', workspace]).code).toBe(0);
    const wave = usermig(['plan', '--workspace', workspace]);
    expect(wave.stdout).toContain('+ account dan@example.com  (jira:dan)');
    expect(wave.stdout).toContain('- team: 1 members (only with --prune)');
    expect(wave.stdout).toContain('= 3 accounts exist already and are linked, not created');
    const applied = usermig(['apply', '--yes', '--workspace', workspace]);
    expect(applied.stdout).toMatch(/1 accounts created.*0 removed, 1 removal operations skipped \(use --prune\)/);

    expect(usermig(['plan', '--workspace', workspace]).stdout).toContain('- team: 1 members (only with --prune)');
    const refused = usermig(['apply', '--yes', '--prune', '--workspace', workspace]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('more than the safety threshold of 0 (5 % of 4 migrated users, at most 100)');
    const pruned = usermig(['apply', '--yes', '--prune', '--force', '--workspace', workspace]);
    expect(pruned.stdout).toMatch(/1 removed/);
    expect(usermig(['plan', '--workspace', workspace]).stdout).toContain('No changes');
  });

  it('follows an email changed at the source: the same account, never a second one created by usermig; groups kept on a verified domain, re-added otherwise', async () => {
    for (const verified of [true, false]) {
      const dir = tempDir();
      const workspace = path.join(dir, 'ws');
      const file = path.join(dir, 'entities.xml');
      if (verified) await (await startCloud({ dataDir: path.join(workspace, 'cloud'), port: 0, verifiedDomains: ['example.com'] })).close();
      fs.writeFileSync(file, backup(['ann', 'bob'], ['ann', 'bob']));
      expect(usermig(['scan', `jira-backup:${file}`, '--workspace', workspace]).code).toBe(0);
      expect(usermig(['domains', 'trust', 'example.com', '--workspace', workspace]).code).toBe(0);
      expect(usermig(['plan', '--workspace', workspace]).code).toBe(0);
      expect(usermig(['apply', '--yes', '--workspace', workspace]).code).toBe(0);

      fs.writeFileSync(file, backup(['ann', 'bob'], ['ann', 'bob'], { bob: 'robert@example.com' }));
      expect(usermig(['scan', `jira-backup:${file}`, '--workspace', workspace]).code).toBe(0);
      const changed = usermig(['plan', '--workspace', workspace]);
      expect(changed.stdout).toContain('~ account bob@example.com → robert@example.com  (jira:bob: email changed at the source; ');
      expect(changed.stdout).not.toContain('+ account');
      if (verified) {
        expect(changed.stdout).toContain('same account, same groups)');
        expect(changed.stdout).toContain('0 to create, 1 to link, 1 emails to change, 0 memberships to add, 0 to remove: 1 write requests.');
      } else {
        expect(changed.stdout).toContain('Atlassian gives it a new, unmanaged account and drops it from its groups, which this plan adds back');
        expect(changed.stdout).toContain('+ team: 1 members');
      }
      const applied = usermig(['apply', '--yes', '--workspace', workspace]);
      expect(applied.code, applied.stderr).toBe(0);
      expect(applied.stdout).toMatch(/0 accounts created, 0 adopted/);

      // The cloud, read again in full: bob under the new email, in team; nothing left to do.
      const again = usermig(['plan', '--refresh', '--workspace', workspace]);
      expect(again.stdout, `verified ${verified}`).toContain('No changes');
      expect(again.stdout).toContain('= 2 accounts exist already and are linked, not created');
    }
  });
});
