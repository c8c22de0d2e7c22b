import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { usermig } from './support/cli.js';
import { tempDir } from './support/files.js';

const COLUMNS = ['UserKey', 'UserName', 'ErrorType', 'OldEmail', 'NewEmail', 'Tombstone', 'AccountType', 'Source', 'Directory', 'Active', 'Decision', 'MergeInto', 'Note'];

type Row = Record<string, string>;

interface AssessJson {
  summary: { users: number };
  findings: Array<{ code: string; severity: string; subjects: Array<{ id: string; source?: string }> }>;
}

let dir: string;
let base: string;
let counter = 0;

/** A fresh copy of the scanned workspace. */
function workspace(): string {
  const copy = path.join(dir, `ws-${++counter}`);
  fs.cpSync(base, copy, { recursive: true });
  return copy;
}

function ok(args: string[]) {
  const result = usermig(args);
  expect(result.code, result.stderr).toBe(0);
  return result;
}

function exportText(ws: string): string {
  const file = path.join(dir, `export-${++counter}.csv`);
  ok(['users', 'export', file, '--workspace', ws]);
  return fs.readFileSync(file, 'utf8');
}

const rowsOf = (text: string): Row[] => parse(text, { columns: true, bom: true }) as Row[];
const exportRows = (ws: string): Row[] => rowsOf(exportText(ws));
const csv = (rows: Row[], columns = COLUMNS): string => stringify(rows, { header: true, columns });
const find = (rows: Row[], source: string, userName: string): Row => {
  const row = rows.find((r) => r.Source === source && r.UserName === userName);
  if (!row) throw new Error(`no row for ${source}:${userName}`);
  return row;
};

function writeFile(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

function assess(ws: string): AssessJson {
  return JSON.parse(usermig(['assess', '--json', '--workspace', ws]).stdout) as AssessJson;
}

const openInvalid = (json: AssessJson): string[] =>
  json.findings
    .filter((f) => f.code === 'email-invalid' && f.severity === 'blocker')
    .flatMap((f) => f.subjects.map((s) => `${s.source}:${s.id}`));

/** Jira users sharing one address, exactly two of them. */
function duplicatePair(rows: Row[]): [Row, Row] {
  const byAddress = new Map<string, Row[]>();
  for (const row of rows.filter((r) => r.Source === 'jira' && r.ErrorType === 'DUP')) {
    const list = byAddress.get(row.NewEmail as string) ?? [];
    list.push(row);
    byAddress.set(row.NewEmail as string, list);
  }
  const pair = [...byAddress.values()].find((list) => list.length === 2);
  if (!pair) throw new Error('the estate has no address shared by exactly two jira users');
  return pair as [Row, Row];
}

beforeAll(() => {
  dir = tempDir('usermig-users-csv-');
  ok(['generate', '--users', '60', '--groups', '12', '--memberships', '200', '--seed', '3', '--out', path.join(dir, 'estate')]);
  base = path.join(dir, 'ws');
  ok([
    'scan',
    `jira-backup:${path.join(dir, 'estate', 'jira-backup.zip')}`,
    `confluence-backup:${path.join(dir, 'estate', 'confluence-backup.zip')}`,
    '--workspace',
    base,
  ]);
});

describe('usermig users export', () => {
  it('writes the columns in order and one row per effective user, sorted by source then username', () => {
    const ws = workspace();
    const text = exportText(ws);
    expect(text.split('\n')[0]).toBe(COLUMNS.join(','));
    const rows = rowsOf(text);
    expect(rows).toHaveLength(assess(ws).summary.users);
    const keys = rows.map((r) => `${r.Source}\u0000${(r.UserName as string).toLowerCase()}`);
    expect(keys).toEqual([...keys].sort());
    for (const row of rows) {
      expect(row.AccountType).toBe('USER');
      expect(row.Tombstone).toBe('FALSE');
      expect(row.Decision).toBe('migrate');
      expect(['TRUE', 'FALSE']).toContain(row.Active);
      expect(row.Directory).not.toBe('');
    }
    const invalid = rows.filter((r) => r.ErrorType === 'INV');
    expect(invalid.length).toBeGreaterThan(0);
    for (const row of invalid) expect(row.NewEmail).toBe('');
    expect(invalid.map((r) => `${r.Source}:${r.UserName}`).sort()).toEqual(openInvalid(assess(ws)).sort());
    const duplicated = rows.filter((r) => r.ErrorType === 'DUP');
    expect(duplicated.length).toBeGreaterThan(0);
    for (const row of duplicated) expect(row.NewEmail).toBe((row.OldEmail as string).toLowerCase());
  });
});

describe('usermig users import', () => {
  it('round-trips: edits to the export come back in the next export and settle the invalid emails', () => {
    const ws = workspace();
    const before = exportRows(ws);
    expect(ok(['users', 'import', writeFile('same.csv', csv(before)), '--workspace', ws]).stdout).toBe(
      `imported ${path.join(dir, 'same.csv')}: 0 decisions changed, ${before.length} rows unchanged\n`,
    );

    const invalid = before.filter((r) => r.Source === 'jira' && r.ErrorType === 'INV');
    const fixed = invalid[0] as Row;
    const tombstoned = invalid[1] as Row;
    const edited = before.map((row) => {
      if (row === fixed) return { ...row, NewEmail: `Fixed.${row.UserName}@Example.com`, Decision: '' };
      if (row === tombstoned) return { ...row, Tombstone: 'TRUE', Decision: 'former-user' };
      return row;
    });
    const file = writeFile('edited.csv', csv(edited));
    expect(ok(['users', 'import', file, '--workspace', ws, '--reason', 'CSV review']).stdout).toBe(
      `imported ${file}: 2 decisions changed, ${before.length - 2} rows unchanged\n`,
    );

    const after = exportRows(ws);
    expect(after).toHaveLength(before.length);
    expect(find(after, 'jira', fixed.UserName as string)).toMatchObject({
      NewEmail: `fixed.${fixed.UserName}@example.com`,
      Tombstone: 'FALSE',
      Decision: 'new-email',
      Note: 'CSV review',
    });
    expect(find(after, 'jira', tombstoned.UserName as string)).toMatchObject({ Tombstone: 'TRUE', Decision: 'former-user', Note: 'CSV review' });
    const untouched = (rows: Row[]) => rows.filter((r) => r.UserName !== fixed.UserName && r.UserName !== tombstoned.UserName);
    expect(untouched(after)).toEqual(untouched(before));

    const open = openInvalid(assess(ws));
    expect(open).not.toContain(`jira:${fixed.UserName}`);
    expect(open).not.toContain(`jira:${tombstoned.UserName}`);
    expect(open.length).toBe(invalid.length - 2 + before.filter((r) => r.Source !== 'jira' && r.ErrorType === 'INV').length);

    // The same file again changes nothing.
    expect(ok(['users', 'import', file, '--workspace', ws]).stdout).toBe(`imported ${file}: 0 decisions changed, ${before.length} rows unchanged\n`);
  });

  it("merges the users that Atlassian's advanced CSV gives the same NewEmail", () => {
    const ws = workspace();
    const [a, b] = duplicatePair(exportRows(ws));
    const shared = `shared.${a.UserName}@example.com`;
    const advanced = COLUMNS.slice(0, 7);
    const file = writeFile('advanced.csv', csv([{ ...a, NewEmail: shared }, { ...b, NewEmail: shared }], advanced));
    expect(ok(['users', 'import', file, '--workspace', ws]).stdout).toBe(`imported ${file}: 2 decisions changed, 0 rows unchanged\n`);

    const after = exportRows(ws);
    const rows = [find(after, 'jira', a.UserName as string), find(after, 'jira', b.UserName as string)];
    const survivor = rows.find((r) => r.Decision === 'new-email') as Row;
    const merged = rows.find((r) => r.Decision === 'merge-into') as Row;
    expect(survivor).toBeDefined();
    expect(merged).toBeDefined();
    expect(merged.MergeInto).toBe(`jira:${survivor.UserName}`);
    expect(survivor.NewEmail).toBe(shared);
    expect(merged.NewEmail).toBe(shared);
    // Both users were active or the survivor is: active users come first.
    if (survivor.Active === 'FALSE') expect(merged.Active).toBe('FALSE');
    expect(assess(ws).findings.filter((f) => f.code === 'email-duplicated' && f.severity === 'blocker').flatMap((f) => f.subjects.map((s) => s.id))).not.toContain(a.UserName);
  });

  it("accepts Atlassian's simple CSV", () => {
    const ws = workspace();
    const before = exportRows(ws);
    const invalid = before.filter((r) => r.Source === 'jira' && r.ErrorType === 'INV');
    const simple = invalid.slice(0, 3).map((r, i) => ({
      UserKey: r.UserKey as string,
      UserName: r.UserName as string,
      Type: 'INV',
      OldEmail: r.OldEmail as string,
      NewEmail: i === 0 ? `useri_${r.UserKey}@example.com` : i === 1 ? `INV_${r.UserKey}@example.com` : '',
      Tombstone: i === 1 ? 'true' : 'FALSE',
    }));
    const file = writeFile('simple.csv', csv(simple, ['UserKey', 'UserName', 'Type', 'OldEmail', 'NewEmail', 'Tombstone']));
    expect(ok(['users', 'import', file, '--workspace', ws]).stdout).toBe(`imported ${file}: 2 decisions changed, 1 rows unchanged\n`);
    const after = exportRows(ws);
    expect(find(after, 'jira', invalid[0]?.UserName as string)).toMatchObject({ Decision: 'new-email', NewEmail: `useri_${invalid[0]?.UserKey}@example.com`.toLowerCase() });
    expect(find(after, 'jira', invalid[1]?.UserName as string)).toMatchObject({ Decision: 'former-user', Tombstone: 'TRUE' });
    expect(find(after, 'jira', invalid[2]?.UserName as string)).toMatchObject({ Decision: 'migrate', NewEmail: '' });
  });

  it('tolerates a byte-order mark, CRLF, quoted commas and newlines, and blank lines', () => {
    const ws = workspace();
    const before = exportRows(ws);
    const target = before.find((r) => r.ErrorType === 'INV') as Row;
    const edited = before.map((row, i) =>
      row === target ? { ...row, Decision: 'new-email', NewEmail: 'fresh.address@example.com' } : i === 0 ? { ...row, Note: 'checked, with a comma\nand a second line' } : row,
    );
    const lines = csv(edited).trimEnd().split('\n');
    const text = `\uFEFF${lines[0]}\r\n\r\n${lines.slice(1, 5).join('\r\n')}\r\n\r\n\r\n${lines.slice(5).join('\r\n')}\r\n\r\n`;
    const file = writeFile('windows.csv', text);
    expect(ok(['users', 'import', file, '--workspace', ws]).stdout).toBe(`imported ${file}: 1 decisions changed, ${before.length - 1} rows unchanged\n`);
    expect(find(exportRows(ws), target.Source as string, target.UserName as string)).toMatchObject({ Decision: 'new-email', NewEmail: 'fresh.address@example.com' });
  });

  it('rejects a bad file listing every problem with its line, and changes nothing', () => {
    const ws = workspace();
    const beforeText = exportText(ws);
    const rows = rowsOf(beforeText).filter((r) => r.Source === 'jira');
    const plain = rows.filter((r) => r.ErrorType === '');
    const invalid = rows.filter((r) => r.ErrorType === 'INV');
    const [a, b, c] = plain as [Row, Row, Row];
    const d = plain[3] as Row;
    const bad: Row[] = [
      { ...a, Note: 'first row,\nits note on two lines' }, // line 2-3: fine
      { ...a, UserKey: 'JIRAUSER99999', UserName: 'nobody' }, // line 4: unknown user
      { ...a }, // line 5: duplicate of line 2
      { ...(invalid[0] as Row), NewEmail: 'not@valid@example.com', Decision: '' }, // line 6: invalid NewEmail
      { ...d, Tombstone: 'yes' }, // line 7: Tombstone yes
      { ...b, Decision: 'merge-into', MergeInto: `jira:${c.UserName}`, NewEmail: '' }, // line 8: fine by itself
      { ...c, Decision: 'merge-into', MergeInto: `jira:${d.UserName}`, NewEmail: '' }, // line 9: ... but c merges on
      { ...(invalid[1] as Row), Decision: 'new-email', NewEmail: `fine.${invalid[1]?.UserName}@example.com` }, // line 10: fine
    ];
    const text = csv(bad).replace(/\n/g, '\r\n');
    const file = writeFile('bad.csv', text);
    const result = usermig(['users', 'import', file, '--workspace', ws]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(`usermig: ${file}: 5 problems, nothing imported:`);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(new RegExp(`^${escape(file)}: line 4: no user with user key "JIRAUSER99999" .*in jira$`)),
      `${file}: line 5: jira:${a.UserName} (key ${a.UserKey}) already has a row, at line 2`,
      `${file}: line 6: NewEmail "not@valid@example.com" of jira:${invalid[0]?.UserName} is not a valid email address`,
      `${file}: line 7: Tombstone is "yes" for jira:${d.UserName}; it must be TRUE or FALSE`,
      `${file}: line 8: jira:${b.UserName} is to merge into jira:${c.UserName}, who is itself merged into another user (merge chains are not allowed)`,
    ]);
    expect(exportText(ws)).toBe(beforeText);
  });

  it('rejects unknown layouts, unknown decisions, self-merges and new emails another user keeps', () => {
    const ws = workspace();
    const beforeText = exportText(ws);
    const header = writeFile('header.csv', 'Key,Name,Email\nx,y,z\n');
    const unknown = usermig(['users', 'import', header, '--workspace', ws]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(`${header}: line 1: unknown header "Key,Name,Email"`);

    const rows = rowsOf(beforeText).filter((r) => r.Source === 'jira' && r.ErrorType === '');
    const [a, b, c] = rows as [Row, Row, Row];
    const file = writeFile(
      'wrong.csv',
      csv([
        { ...a, Decision: 'delete' },
        { ...b, Decision: 'merge-into', MergeInto: `jira:${b.UserName}` },
        { ...c, Decision: '', NewEmail: a.NewEmail as string },
      ]),
    );
    const result = usermig(['users', 'import', file, '--workspace', ws]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`usermig: ${file}: 3 problems, nothing imported:\n`);
    expect(result.stderr).toContain(`${file}: line 2: Decision "delete" of jira:${a.UserName} is not one of migrate, new-email, merge-into, former-user, skip`);
    expect(result.stderr).toContain(`${file}: line 3: jira:${b.UserName} is to merge into itself`);
    expect(result.stderr).toContain(`${file}: line 4: the new email ${a.NewEmail} of jira:${c.UserName} is an address jira:${a.UserName} keeps as its own address`);
    expect(exportText(ws)).toBe(beforeText);
  });

  it('needs --force to change a decision that an applied plan used', () => {
    const ws = workspace();
    const before = exportRows(ws);
    const target = before.find((r) => r.ErrorType === 'INV') as Row;
    const tombstone = writeFile('tomb.csv', csv(before.map((r) => (r === target ? { ...r, Tombstone: 'TRUE', Decision: 'former-user' } : r))));
    ok(['users', 'import', tombstone, '--workspace', ws]);
    const db = new Database(path.join(ws, 'workspace.db'));
    db.prepare("UPDATE user_decisions SET applied_at = '2026-01-01T00:00:00.000Z'").run();
    db.close();

    const other = before.find((r) => r.ErrorType === 'INV' && r !== target) as Row;
    const change = writeFile(
      'change.csv',
      csv(before.map((r) => (r === target ? { ...r, Decision: 'new-email', NewEmail: 'back@example.com' } : r === other ? { ...r, Tombstone: 'TRUE', Decision: '' } : r))),
    );
    const refused = usermig(['users', 'import', change, '--workspace', ws]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--force');
    expect(find(exportRows(ws), other.Source as string, other.UserName as string).Decision).toBe('migrate');
    expect(ok(['users', 'import', change, '--workspace', ws, '--force']).stdout).toBe(`imported ${change}: 2 decisions changed, ${before.length - 2} rows unchanged\n`);
    const after = exportRows(ws);
    expect(find(after, target.Source as string, target.UserName as string)).toMatchObject({ Decision: 'new-email', NewEmail: 'back@example.com' });
    expect(find(after, other.Source as string, other.UserName as string)).toMatchObject({ Decision: 'former-user', Tombstone: 'TRUE' });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
