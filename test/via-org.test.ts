import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCloud } from '../src/cloud/server.js';
import { usermig } from './support/cli.js';
import { teamBackup } from './support/estate-workspace.js';
import { tempDir } from './support/files.js';

const backup = teamBackup;

describe('plan and apply --via org (the organization API)', () => {
  it('invites the accounts, creates the group and its memberships, then plans no changes and writes nothing', async () => {
    const dir = tempDir();
    const workspace = path.join(dir, 'ws');
    const file = path.join(dir, 'entities.xml');
    fs.writeFileSync(file, backup(['ann', 'bob', 'cid'], ['ann', 'bob', 'cid', 'dan']));
    expect(usermig(['scan', `jira-backup:${file}`, '--workspace', workspace]).code).toBe(0);
    expect(usermig(['domains', 'trust', 'example.com', '--workspace', workspace]).code).toBe(0);

    const planned = usermig(['plan', '--via', 'org', '--workspace', workspace]);
    expect(planned.code, planned.stderr + planned.stdout).toBe(0);
    expect(planned.stdout).toContain('through the organization API');
    expect(planned.stdout).toContain('+ account dan@example.com');
    expect(planned.stdout).toContain('+ group team');
    expect(planned.stdout).toContain('+ team: 3 members');
    const saved = JSON.parse(fs.readFileSync(path.join(workspace, 'plan.json'), 'utf8')) as { via?: string };
    expect(saved.via).toBe('org');

    const applied = usermig(['apply', '--yes', '--workspace', workspace]);
    expect(applied.code, applied.stderr).toBe(0);
    // 4 invites, 1 group, 3 memberships: one request each (the org API has no batch).
    expect(applied.stdout).toMatch(/4 accounts created, 0 adopted, 1 groups created, 0 adopted, 3 memberships added, 0 removed; 8 write requests/);

    const again = usermig(['plan', '--via', 'org', '--workspace', workspace]);
    expect(again.stdout).toContain('No changes: the cloud matches the estate and the decisions.');
    const second = usermig(['apply', '--yes', '--workspace', workspace]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/; 0 write requests, \d+ reads$/m);

    const cloud = await startCloud({ dataDir: path.join(workspace, 'cloud'), port: 0 });
    try {
      const emails = cloud.org
        .orgAccounts()
        .filter((account) => cloud.org.directoryUser(account.account_id) !== undefined)
        .map((account) => account.email_lower)
        .sort();
      expect(emails).toEqual(expect.arrayContaining(['ann@example.com', 'bob@example.com', 'cid@example.com', 'dan@example.com']));
      const team = cloud.org.groups().find((group) => group.name === 'team');
      expect(team?.scim_directory_id).toBeNull();
      const members = cloud.org.memberIds(team?.id as string).map((id) => cloud.org.orgAccount(id).email_lower).sort();
      expect(members).toEqual(['ann@example.com', 'bob@example.com', 'cid@example.com']);
      // Nothing went through SCIM.
      expect(cloud.scim.listUsers(null, 0, 10).total).toBe(0);
    } finally {
      await cloud.close();
    }

    // The report reads the cloud the way the apply wrote it: the invited accounts are there, created.
    const report = usermig(['report', '--format', 'csv', '--out', path.join(dir, 'report'), '--workspace', workspace]);
    expect(report.code, report.stderr).toBe(0);
    const users = fs.readFileSync(path.join(dir, 'report', 'users.csv'), 'utf8');
    expect(users).toMatch(/jira,dan,.*dan@example\.com,created/);
    expect(users).not.toContain('pending');
  });

  it('links an account the cloud has already, and refuses a plan the cloud changed since', async () => {
    const dir = tempDir();
    const workspace = path.join(dir, 'ws');
    const file = path.join(dir, 'entities.xml');
    fs.writeFileSync(file, backup(['ann'], ['ann', 'bob']));
    expect(usermig(['scan', `jira-backup:${file}`, '--workspace', workspace]).code).toBe(0);
    expect(usermig(['domains', 'trust', 'example.com', '--workspace', workspace]).code).toBe(0);
    expect(usermig(['plan', '--via', 'nope', '--workspace', workspace]).stderr).toContain('use --via scim or --via org');

    // The plan (via org) is made, then bob joins the cloud through SCIM before it is applied: stale.
    expect(usermig(['plan', '--via', 'org', '--workspace', workspace]).code).toBe(0);
    const cloud = await startCloud({ dataDir: path.join(workspace, 'cloud'), port: 0 });
    try {
      const response = await fetch(`${cloud.url}/scim/directory/${cloud.directoryId}/Users`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${cloud.scimToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'bob@example.com', emails: [{ value: 'bob@example.com', primary: true }], active: true }),
      });
      expect(response.status).toBe(201);
    } finally {
      await cloud.close();
    }
    const stale = usermig(['apply', '--yes', '--workspace', workspace]);
    expect(stale.code).toBe(2);
    expect(stale.stderr).toContain('the cloud changed since it was made');

    const replanned = usermig(['plan', '--via', 'org', '--workspace', workspace]);
    expect(replanned.stdout).toContain('= 1 accounts exist already and are linked, not created');
    const applied = usermig(['apply', '--yes', '--workspace', workspace]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/1 accounts created, 0 adopted, 1 groups created, 0 adopted, 1 memberships added/);
    expect(usermig(['plan', '--via', 'org', '--workspace', workspace]).stdout).toContain('No changes');
  });
});
