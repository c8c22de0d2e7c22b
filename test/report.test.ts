/**
 * `usermig report`, end to end through the built CLI: outcomes per user and per group, the
 * post-migration checklist (POST-01), CSV / JSON / HTML, before and after an apply into the local cloud.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { startCloud } from '../src/cloud/server.js';
import { usermig } from './support/cli.js';
import { copyOf, decideAll, scannedEstate } from './support/estate-workspace.js';
import { tempDir } from './support/files.js';

/** A generated estate, scanned; each test copies it. */
let prepared: string;
beforeAll(() => {
  prepared = scannedEstate();
});

function decidedWorkspace(): string {
  const workspace = copyOf(prepared);
  decideAll(workspace);
  return workspace;
}

type Row = Record<string, string>;
const readCsv = (file: string): Row[] => parse(fs.readFileSync(file, 'utf8'), { columns: true }) as Row[];
const headerOf = (file: string): string => fs.readFileSync(file, 'utf8').split('\n')[0] as string;

const USERS_HEADER =
  'source,username,user_key,email,cloud_email,outcome,account_state,cloud_scim_user_id,active_in_source,cloud_groups,cloud_groups_via_nested,blocklisted_groups_to_readd,reasons,wave,wave_plan,wave_scope,wave_reasons';
const GROUPS_HEADER =
  'cloud_group,source_groups,outcome,cloud_scim_group_id,members,members_via_nested_only,product_access_awaiting_approval,admin_access_awaiting_approval,reasons';
const CHECKLIST_HEADER = 'step,task,group,item,people,billable,detail';

const SECRET = 'tok-usermig-report-secret-7f3a9c';
const XSS_GROUP = '<script>alert("pwned")</script>';

describe('usermig report', () => {
  it('before any apply: every account pending, said so, all three formats by default', () => {
    const workspace = decidedWorkspace();
    const result = usermig(['report', '--workspace', workspace]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Nothing was applied yet');
    const dir = path.join(workspace, 'report');
    expect(result.stdout).toContain(`Report written to ${dir}`);
    for (const name of ['users.csv', 'groups.csv', 'checklist.csv', 'report.json', 'report.html']) {
      expect(fs.existsSync(path.join(dir, name)), name).toBe(true);
      expect(result.stdout).toContain(path.join(dir, name));
    }
    expect(headerOf(path.join(dir, 'users.csv'))).toBe(USERS_HEADER);
    expect(headerOf(path.join(dir, 'groups.csv'))).toBe(GROUPS_HEADER);
    expect(headerOf(path.join(dir, 'checklist.csv'))).toBe(CHECKLIST_HEADER);

    const users = readCsv(path.join(dir, 'users.csv'));
    const withAccount = users.filter((row) => row.cloud_email !== '');
    expect(withAccount.length).toBeGreaterThan(100);
    for (const row of withAccount) {
      expect(row.account_state).toBe('pending');
      expect(row.cloud_scim_user_id).toBe('');
    }
    expect(users.filter((row) => row.outcome === 'pending').length).toBeGreaterThan(100);
    expect(users.some((row) => row.outcome === 'created' || row.outcome === 'linked')).toBe(false);
    const groups = readCsv(path.join(dir, 'groups.csv'));
    expect(groups.filter((row) => row.outcome === 'pending').length).toBe(20);

    const report = JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8'));
    expect(report.applied).toBe(false);
    expect(report.summary.accounts.pending).toBe(report.summary.accounts.desired);
    expect(report.summary.accounts.created).toBe(0);
    // The checklist still lists what will need approval and re-adding; nothing to invite yet.
    const checklist = readCsv(path.join(dir, 'checklist.csv'));
    expect(checklist.some((row) => row.step === '1')).toBe(true);
    expect(checklist.find((row) => row.step === '3')?.people).toBe('0');
  });

  it('after apply: created, linked, merged, Former users, groups, the checklist in order, escaped HTML, no secrets', async () => {
    const workspace = decidedWorkspace();
    expect(usermig(['groups', 'rename', 'team-1', XSS_GROUP, '--workspace', workspace]).code).toBe(0);

    // An account and a group that exist in the cloud before usermig writes anything.
    const before = usermig(['report', '--format', 'json', '--workspace', workspace]);
    const desired = JSON.parse(fs.readFileSync(before.stdout.trim(), 'utf8'));
    const existingEmail = desired.users.find((row: Row) => row.outcome === 'pending' && row.activeInSource).cloudEmail as string;
    const cloud = await startCloud({ dataDir: path.join(workspace, 'cloud'), port: 0 });
    const cloudSecrets = [cloud.scimToken, cloud.orgToken];
    let existingId: string;
    try {
      const scim = (body: unknown, kind: string) =>
        fetch(`${cloud.url}/scim/directory/${cloud.directoryId}/${kind}`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${cloud.scimToken}`, 'Content-Type': 'application/scim+json' },
          body: JSON.stringify(body),
        });
      const user = await scim(
        {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
          userName: existingEmail,
          emails: [{ value: existingEmail, type: 'work', primary: true }],
          displayName: 'Existing Person',
          active: true,
        },
        'Users',
      );
      expect(user.status).toBe(201);
      existingId = ((await user.json()) as { id: string }).id;
      const group = await scim({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'wiki-staff' }, 'Groups');
      expect(group.status).toBe(201);
    } finally {
      await cloud.close();
    }

    // Merging into an existing cloud group needs consent (S-05).
    expect(usermig(['groups', 'map', 'wiki-staff', '--to', 'wiki-staff', '--workspace', workspace]).code).toBe(0);
    const planned = usermig(['plan', '--workspace', workspace]);
    expect(planned.code, planned.stdout + planned.stderr).toBe(0);
    expect(planned.stdout).toMatch(/\d+ to create, 1 to link/);
    const applied = usermig(['apply', '--yes', '--workspace', workspace]);
    expect(applied.code, applied.stderr).toBe(0);
    const counts = /: (\d+) accounts created, 0 adopted, (\d+) groups created/.exec(applied.stdout);
    expect(counts, applied.stdout).not.toBeNull();
    const [accountsCreated, groupsCreated] = [Number(counts?.[1]), Number(counts?.[2])];

    const result = usermig(['report', '--workspace', workspace], { USERMIG_SCIM_TOKEN: SECRET, USERMIG_SCIM_DIRECTORY_ID: `dir-${SECRET}` });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain('Nothing was applied yet');
    expect(result.stdout).toContain(`${accountsCreated} created, 1 linked, 0 pending`);
    const dir = path.join(workspace, 'report');

    // Users.
    const users = readCsv(path.join(dir, 'users.csv'));
    const linked = users.filter((row) => row.outcome === 'linked');
    expect(linked.length).toBeGreaterThanOrEqual(1);
    for (const row of linked) {
      expect(row.cloud_email).toBe(existingEmail);
      expect(row.cloud_scim_user_id).toBe(existingId);
      expect(row.reasons).toContain('already existed in the cloud');
    }
    const createdEmails = new Set(users.filter((row) => row.outcome === 'created').map((row) => row.cloud_email));
    expect(createdEmails.size).toBe(accountsCreated);
    for (const row of users.filter((r) => r.outcome === 'created')) expect(row.cloud_scim_user_id).toMatch(/\S/);
    const merged = users.filter((row) => row.outcome.startsWith('merged into '));
    expect(merged.length).toBe(4);
    for (const row of merged) {
      expect(row.outcome).toMatch(/^merged into (jira|confluence):\S+$/);
      expect(row.reasons).toContain('decision: merge-into');
      expect(row.account_state).toBe('created');
    }
    const former = users.filter((row) => row.outcome === 'former user');
    expect(former.length).toBe(8);
    for (const row of former) {
      expect(row.cloud_email).toBe('');
      expect(row.reasons).toContain('decision: former-user');
    }
    expect(users.some((row) => row.outcome === 'pending')).toBe(false);
    expect(users.some((row) => row.cloud_groups.split('; ').includes(XSS_GROUP))).toBe(true);
    expect(users.some((row) => row.cloud_groups_via_nested !== '')).toBe(true);

    // Groups.
    const groups = readCsv(path.join(dir, 'groups.csv'));
    expect(groups.filter((row) => row.outcome === 'created').length).toBe(groupsCreated);
    const existingGroup = groups.find((row) => row.cloud_group === 'wiki-staff');
    expect(existingGroup?.outcome).toBe('merged into existing');
    expect(existingGroup?.source_groups).toBe('confluence:wiki-staff (mapped)');
    const xss = groups.find((row) => row.cloud_group === XSS_GROUP);
    expect(xss?.source_groups).toBe('jira:team-1 (renamed)');
    expect(xss?.outcome).toBe('created');
    const engineering = groups.find((row) => row.cloud_group === 'engineering');
    expect(engineering?.source_groups).toBe('jira:engineering (own); confluence:engineering (own)');
    const blocklisted = groups.filter((row) => row.outcome === 'skipped as blocklisted');
    expect(blocklisted.map((row) => row.cloud_group).sort()).toEqual(['site-admins', 'system-administrators']);
    const jiraSoftware = groups.find((row) => row.cloud_group === 'jira-software-users');
    expect(jiraSoftware?.product_access_awaiting_approval).toBe('jira-software');
    expect(groups.find((row) => row.cloud_group === 'jira-administrators')?.admin_access_awaiting_approval).toBe('ADMINISTER');

    // The checklist, in the order of POST-01.
    const checklist = readCsv(path.join(dir, 'checklist.csv'));
    const steps = checklist.map((row) => Number(row.step));
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(new Set(steps)).toEqual(new Set([1, 2, 3]));
    const approval = checklist.find((row) => row.step === '1' && row.group === 'jira-software-users' && row.item === 'jira-software');
    expect(approval?.billable).toBe(jiraSoftware?.members);
    expect(checklist.find((row) => row.step === '1' && row.group === 'jira-administrators' && row.item === 'admin')?.billable).toBe('0');
    for (const group of blocklisted) {
      const readds = checklist.filter((row) => row.step === '2' && row.group === group.cloud_group);
      expect(readds.length).toBe(Number(group.members));
      for (const row of readds) {
        expect(row.item).toMatch(/^[^@\s]+@[^@\s]+$/);
        // Every member to re-add has an account, and their user rows say which group.
        const rows = users.filter((user) => user.cloud_email === row.item);
        expect(rows.length).toBeGreaterThan(0);
        expect(rows.some((user) => user.blocklisted_groups_to_readd.split('; ').includes(group.cloud_group))).toBe(true);
      }
    }
    const invite = checklist.filter((row) => row.step === '3');
    expect(invite).toHaveLength(1);
    expect(invite[0]?.people).toBe(String(accountsCreated));
    expect(invite[0]?.detail).toContain('IN-07');

    // JSON: the same numbers, and the per-phase timing from the ledger.
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8'));
    expect(report.applied).toBe(true);
    expect(report.summary.accounts).toMatchObject({ created: accountsCreated, linked: 1, pending: 0 });
    expect(report.phases.map((phase: { kind: string }) => phase.kind)).toEqual(['create-account', 'create-group', 'add-members']);

    // HTML: one page, no scripts or external assets, names escaped.
    const page = fs.readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(page).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;');
    expect(page.toLowerCase()).not.toContain('<script');
    expect(page).not.toMatch(/\b(src|href)\s*=/i);
    expect(page).toContain('Post-migration checklist');

    // No credentials anywhere: neither the environment's nor the local cloud's own tokens.
    for (const name of fs.readdirSync(dir)) {
      const text = fs.readFileSync(path.join(dir, name), 'utf8');
      for (const secret of [SECRET, ...cloudSecrets]) expect(text, `${name} holds a secret`).not.toContain(secret);
    }
    expect(result.stdout).not.toContain(SECRET);

    // --format json writes only report.json and prints only its path.
    const jsonDir = path.join(tempDir(), 'out');
    const json = usermig(['report', '--format', 'json', '--out', jsonDir, '--workspace', workspace], { USERMIG_SCIM_TOKEN: SECRET });
    expect(json.code, json.stderr).toBe(0);
    expect(json.stdout).toBe(`${path.join(jsonDir, 'report.json')}\n`);
    expect(fs.readdirSync(jsonDir)).toEqual(['report.json']);

    // An apply that did not finish is said so.
    const db = new Database(path.join(workspace, 'workspace.db'));
    try {
      db.prepare('UPDATE applied_plans SET finished_at = NULL').run();
    } finally {
      db.close();
    }
    const unfinished = usermig(['report', '--format', 'csv', '--out', path.join(tempDir(), 'out'), '--workspace', workspace]);
    expect(unfinished.code, unfinished.stderr).toBe(0);
    expect(unfinished.stdout).toMatch(/The last apply \(plan-\S+, started .*\) did not finish/);
  });

  it('refuses an unknown format', () => {
    const result = usermig(['report', '--format', 'pdf', '--workspace', tempDir()]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('"pdf" is not a report format');
  });
});

describe('CSV files written for people', () => {
  it('never let a spreadsheet run a cell as a formula: such values are written as text', () => {
    const dir = tempDir();
    const workspace = path.join(dir, 'ws');
    const file = path.join(dir, 'entities.xml');
    fs.writeFileSync(
      file,
      `<entity-engine-xml>
<Directory id="1" directoryName="Internal" active="1" type="INTERNAL" position="0"/>
<User id="1" directoryId="1" userName="=HYPERLINK(&quot;http://evil.example&quot;)" active="1" emailAddress="not-an-email"/>
</entity-engine-xml>`,
    );
    expect(usermig(['scan', `jira-backup:${file}`, '--workspace', workspace]).code).toBe(0);
    const csv = path.join(dir, 'assessment.csv');
    usermig(['assess', '--csv', csv, '--workspace', workspace]);
    const subjects = readCsv(csv).map((row) => row.subject);
    expect(subjects).toContain(`'=HYPERLINK("http://evil.example")`);
    expect(subjects.some((subject) => subject?.startsWith('='))).toBe(false);
  });
});
