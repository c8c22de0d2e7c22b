/** A small generated estate, scanned into a workspace once per test file; each test works on a copy. */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import path from 'node:path';
import { expect } from 'vitest';
import { usermig } from './cli.js';
import { tempDir } from './files.js';

/** Generates (120 people, seed 9) and scans both backups; returns the workspace folder. */
export function scannedEstate(): string {
  const dir = tempDir();
  const workspace = path.join(dir, 'ws');
  expect(usermig(['generate', '--users', '120', '--groups', '20', '--memberships', '600', '--seed', '9', '--out', dir]).code).toBe(0);
  const scan = usermig(['scan', `jira-backup:${path.join(dir, 'jira-backup.zip')}`, `confluence-backup:${path.join(dir, 'confluence-backup.zip')}`, '--workspace', workspace]);
  expect(scan.code, scan.stderr).toBe(0);
  return workspace;
}

/** Decides every blocker of the generated estate away: Former users, merges, trusted domains. */
export function decideAll(workspace: string): void {
  expect(usermig(['users', 'fix', '--invalid', 'former-user', '--duplicated', 'merge', '--workspace', workspace]).code).toBe(0);
  expect(usermig(['domains', 'trust', '--all', '--workspace', workspace]).code).toBe(0);
}

export function copyOf(workspace: string): string {
  const copy = path.join(tempDir(), 'ws');
  fs.cpSync(workspace, copy, { recursive: true });
  return copy;
}

/** A one-directory Jira backup with the group `team`: its members, and the users (emails NAME@example.com unless given). */
export const teamBackup = (members: string[], users: string[], emails: Record<string, string> = {}): string => `<entity-engine-xml>
<Directory id="1" directoryName="Internal" active="1" type="INTERNAL" position="0"/>
<Group groupName="team" directoryId="1"/>
${members.map((name) => `<Membership membershipType="GROUP_USER" parentName="team" childName="${name}" directoryId="1"/>`).join('\n')}
${users.map((name, i) => `<User id="${i + 1}" directoryId="1" userName="${name}" active="1" emailAddress="${emails[name] ?? `${name}@example.com`}"/>`).join('\n')}
</entity-engine-xml>`;

/** How many operations the apply ledger of the workspace records as done (read while apply runs). */
export function operationsDone(workspace: string): number {
  const db = new Database(path.join(workspace, 'workspace.db'), { readonly: true });
  try {
    return db.prepare("SELECT count(*) FROM ledger WHERE state = 'done'").pluck().get() as number;
  } finally {
    db.close();
  }
}
