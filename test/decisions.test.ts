import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { assess } from '../src/assess/index.js';
import { buildEstate } from '../src/assess/estate.js';
import { chooseSurvivor, describeMerges } from '../src/decide/merge.js';
import { usermig } from './support/cli.js';
import { tempDir } from './support/files.js';
import { estate, groupGrant } from './support/snapshot.js';

interface AssessJson {
  findings: Array<{ code: string; severity: string; resolved?: boolean; subjects: Array<{ id: string; source?: string; detail?: string }> }>;
}

const jiraBackup = (users: Array<{ id: number; name: string; key: string; email: string; active?: boolean }>) => `<entity-engine-xml>
<Directory id="1" directoryName="Internal" active="1" type="INTERNAL" position="0"/>
<Group groupName="jira-users" directoryId="1"/>
<Group groupName="jira-administrators" directoryId="1"/>
<GlobalPermissionEntry permission="ADMINISTER" group_id="jira-administrators"/>
<LicenseRoleGroup licenseRoleName="jira-software" groupId="jira-users"/>
${users.map((u) => `<ApplicationUser userKey="${u.key}" lowerUserName="${u.name.toLowerCase()}"/>`).join('\n')}
${users.map((u) => `<Membership membershipType="GROUP_USER" parentName="jira-users" childName="${u.name}" directoryId="1"/>`).join('\n')}
${users.map((u) => `<User id="${u.id}" directoryId="1" userName="${u.name}" active="${u.active === false ? 0 : 1}" emailAddress="${u.email}" updatedDate="2024-01-0${u.id % 9} 10:00:00.0"/>`).join('\n')}
</entity-engine-xml>`;

function workspaceWith(entities: string): { dir: string; workspace: string; backup: string } {
  const dir = tempDir();
  const backup = path.join(dir, 'entities.xml');
  fs.writeFileSync(backup, entities);
  const workspace = path.join(dir, 'ws');
  expect(usermig(['scan', `jira-backup:${backup}`, '--workspace', workspace]).code).toBe(0);
  return { dir, workspace, backup };
}

const assessJson = (workspace: string) => JSON.parse(usermig(['assess', '--json', '--workspace', workspace]).stdout) as AssessJson;
const openBlockers = (json: AssessJson, code: string) => json.findings.filter((f) => f.code === code && f.severity === 'blocker');

describe('per-user decisions through the CLI', () => {
  const people = [
    { id: 1, name: 'alice', key: 'JIRAUSER1', email: 'alice@example.com' },
    { id: 2, name: 'bob', key: 'JIRAUSER2', email: 'shared@example.com' },
    { id: 3, name: 'carol', key: 'JIRAUSER3', email: 'SHARED@example.com', active: false },
    { id: 4, name: 'dave', key: 'JIRAUSER4', email: 'dave@localhost' },
    { id: 5, name: 'erin', key: 'JIRAUSER5', email: '' },
  ];

  it('records each kind of decision, shows it, and lets assessment honour it', () => {
    const { workspace } = workspaceWith(jiraBackup(people));
    expect(openBlockers(assessJson(workspace), 'email-invalid')[0]?.subjects).toHaveLength(2);

    expect(usermig(['users', 'decide', 'jira:dave', 'new-email', 'Dave@Example.com', '--reason', 'HR record', '--workspace', workspace]).code).toBe(0);
    expect(usermig(['users', 'decide', 'erin', 'former-user', '--workspace', workspace]).code).toBe(0);
    expect(usermig(['users', 'decide', 'carol', 'merge-into', 'jira:bob', '--workspace', workspace]).code).toBe(0);
    expect(usermig(['users', 'decide', 'alice', 'skip', '--workspace', workspace]).code).toBe(0);
    expect(usermig(['users', 'decide', 'alice', 'migrate', '--workspace', workspace]).code).toBe(0);

    const json = assessJson(workspace);
    expect(openBlockers(json, 'email-invalid')).toEqual([]);
    expect(openBlockers(json, 'email-duplicated')).toEqual([]);
    const settled = json.findings.filter((f) => f.resolved).flatMap((f) => f.subjects.map((s) => s.detail));
    expect(settled).toEqual(expect.arrayContaining(['dave@localhost → new-email dave@example.com', '(no email) → former-user', 'shared@example.com → merge-into jira:bob']));

    const shown = usermig(['users', 'show', 'jira:dave', '--workspace', workspace]);
    expect(shown.stdout).toContain('becomes        an account dave@example.com');
    expect(shown.stdout).toContain('directory      Internal (1)'); // named as the dashboard names it
    expect(shown.stdout).toMatch(/decision {7}new-email dave@example.com \(by .+ on .+: HR record\)/);
    expect(usermig(['users', 'show', 'carol', '--workspace', workspace]).stdout).toContain('merged into jira:bob (shared@example.com)');

    const log = usermig(['decisions', 'log', '--workspace', workspace]).stdout.trim().split('\n');
    expect(log).toHaveLength(5);
    expect(log[4]).toMatch(/user jira:alice: skip → migrate$/);
  });

  it('refuses decisions that cannot apply, with exit 2 and nothing saved', () => {
    const { workspace } = workspaceWith(jiraBackup(people));
    expect(usermig(['users', 'decide', 'bob', 'merge-into', 'carol', '--workspace', workspace]).code).toBe(0);
    const chain = usermig(['users', 'decide', 'alice', 'merge-into', 'bob', '--workspace', workspace]);
    expect(chain.code).toBe(2);
    expect(chain.stderr).toMatch(/jira:alice is to merge into jira:bob, who is itself merged into another user/);
    const cycle = usermig(['users', 'decide', 'carol', 'merge-into', 'bob', '--workspace', workspace]);
    expect(cycle.code).toBe(2);
    const bad = usermig(['users', 'decide', 'dave', 'new-email', 'dave@host', '--workspace', workspace]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('new-email needs a valid address, not "dave@host"');
    expect(usermig(['users', 'decide', 'nobody', 'skip', '--workspace', workspace]).stderr).toContain('no user "nobody"');
    expect(usermig(['decisions', 'log', '--workspace', workspace]).stdout.trim().split('\n')).toHaveLength(1);
  });

  it('needs --force to change a decision an applied plan used', () => {
    const { workspace } = workspaceWith(jiraBackup(people));
    expect(usermig(['users', 'decide', 'erin', 'former-user', '--workspace', workspace]).code).toBe(0);
    // No apply exists yet: mark the decision as used the way apply will.
    const db = new Database(path.join(workspace, 'workspace.db'));
    db.prepare("UPDATE user_decisions SET applied_at = '2026-11-01T00:00:00Z'").run();
    db.close();
    const refused = usermig(['users', 'decide', 'erin', 'new-email', 'erin@example.com', '--workspace', workspace]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/jira:erin is decided "former-user" and a plan applied on 2026-11-01T00:00:00Z used it; .* --force/);
    expect(usermig(['users', 'decide', 'erin', 'new-email', 'erin@example.com', '--force', '--workspace', workspace]).code).toBe(0);
    expect(usermig(['users', 'show', 'erin', '--workspace', workspace]).stdout).toContain('applied 2026-11-01T00:00:00Z');
  });

  it('keeps decisions with the right people across a re-scan', () => {
    const { workspace, backup } = workspaceWith(jiraBackup(people));
    expect(usermig(['users', 'decide', 'dave', 'new-email', 'dave@example.com', '--workspace', workspace]).code).toBe(0);
    expect(usermig(['users', 'decide', 'erin', 'former-user', '--workspace', workspace]).code).toBe(0);
    // dave is renamed (same key), erin leaves, and a new erin arrives with another key.
    fs.writeFileSync(
      backup,
      jiraBackup([
        ...people.filter((p) => p.name !== 'dave' && p.name !== 'erin'),
        { id: 4, name: 'david', key: 'JIRAUSER4', email: 'dave@localhost' },
        { id: 6, name: 'erin', key: 'JIRAUSER6', email: 'erin@elsewhere' },
      ]),
    );
    expect(usermig(['scan', `jira-backup:${backup}`, '--workspace', workspace]).code).toBe(0);
    expect(usermig(['users', 'show', 'jira:david', '--workspace', workspace]).stdout).toContain('an account dave@example.com');
    expect(usermig(['users', 'show', 'jira:erin', '--workspace', workspace]).stdout).toContain('decision       none (migrate)');
    const json = assessJson(workspace);
    const orphaned = json.findings.find((f) => f.code === 'decision-orphaned');
    expect(orphaned?.subjects.map((s) => `${s.source}:${s.id}`)).toEqual(['jira:erin']);
    expect(openBlockers(json, 'email-invalid')[0]?.subjects.map((s) => s.id)).toEqual(['erin']);
  });

  it('fixes every invalid and duplicated email at once, the same way on every wave', () => {
    const first = workspaceWith(jiraBackup(people));
    const second = workspaceWith(jiraBackup(people));
    const fix = ['users', 'fix', '--invalid', 'new-email', '--email-domain', 'migrated.example.com', '--duplicated', 'merge'];
    const fixed = usermig([...fix, '--workspace', first.workspace]);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain('merge jira:carol into jira:bob (shared@example.com)');
    expect(fixed.stdout).toContain('3 decisions saved (2 new-email, 1 merge-into)');
    expect(usermig([...fix, '--workspace', second.workspace]).code).toBe(0);
    const decisionsOf = (workspace: string) =>
      (JSON.parse(usermig(['decisions', 'log', '--json', '--workspace', workspace]).stdout) as Array<{ subject: string; decision: string }>).map(
        (e) => `${e.subject} ${e.decision}`,
      );
    expect(decisionsOf(first.workspace)).toEqual(decisionsOf(second.workspace));
    expect(decisionsOf(first.workspace)).toContain('jira:dave new-email dave@migrated.example.com');
    // A second run finds nothing left to decide.
    expect(usermig([...fix, '--workspace', first.workspace]).stdout).toContain('0 decisions saved (nothing to decide)');
  });
});

describe('the journey to no blockers', () => {
  it('passes assessment after users fix and domains trust --all on a generated estate', () => {
    const dir = tempDir();
    const workspace = path.join(dir, 'ws');
    expect(usermig(['generate', '--users', '300', '--groups', '40', '--memberships', '1500', '--seed', '42', '--out', dir]).code).toBe(0);
    expect(
      usermig(['scan', `jira-backup:${path.join(dir, 'jira-backup.zip')}`, `confluence-backup:${path.join(dir, 'confluence-backup.zip')}`, '--workspace', workspace]).code,
    ).toBe(0);
    expect(usermig(['assess', '--workspace', workspace]).code).toBe(1);
    expect(usermig(['users', 'fix', '--invalid', 'new-email', '--email-domain', 'migrated.acme.com', '--duplicated', 'merge', '--workspace', workspace]).code).toBe(0);
    expect(usermig(['assess', '--workspace', workspace]).code).toBe(1); // the domains are not trusted yet
    expect(usermig(['domains', 'trust', '--all', '--workspace', workspace]).code).toBe(0);
    const final = usermig(['assess', '--workspace', workspace]);
    expect(final.code, final.stdout).toBe(0);
    expect(final.stdout).toContain('No blockers');
  });
});

describe('merging duplicates (RULES.md AS-08, P7)', () => {
  const snapshot = estate({
    users: [
      ['1', 'old-admin', 'pat@example.com', false],
      ['1', 'pat', 'pat@example.com'],
      ['1', 'patricia', 'PAT@example.com'],
    ],
    groups: [
      ['1', 'jira-users'],
      ['1', 'jira-administrators'],
    ],
    memberships: [
      ['1', 'jira-users', 'pat'],
      ['1', 'jira-administrators', 'old-admin'],
    ],
    grants: [groupGrant('jira-administrators', 'ADMINISTER')],
  });

  it('keeps an active account, and does not carry over the admin groups of disabled duplicates', () => {
    const built = buildEstate(snapshot);
    const source = built.sources[0]!;
    const survivor = chooseSurvivor(source.users);
    expect(survivor.active).toBe(true);
    const [merge] = describeMerges(source, [{ survivor, merged: source.users.filter((u) => u !== survivor) }]);
    expect(merge?.groups).toEqual(['jira-users']);
    expect(merge?.droppedAdminGroups).toEqual(['jira-administrators']);
    expect(assess(snapshot).summary.duplicatedEmails).toBe(1);
  });
});
