import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkContext } from '../src/assess/context.js';
import { assessEstate } from '../src/assess/index.js';
import { buildEstate } from '../src/assess/estate.js';
import { groupName, type GroupDecisionLike } from '../src/decide/cloud-group-names.js';
import { domainRows, domainsCsv, isValidDomain, parseDomainsCsv } from '../src/decide/domains.js';
import { cloudNameProblem, listGroups, parseGroupRef, planBulkRename, renameCollisions } from '../src/decide/groups.js';
import type { Decisions } from '../src/model/decision.js';
import { tempDir } from './support/files.js';
import { usermig } from './support/cli.js';
import { estate } from './support/snapshot.js';

interface AssessJson {
  findings: Array<{ code: string; severity: string; resolved?: boolean; message: string; subjects: Array<{ id: string; source?: string; detail?: string }> }>;
}

interface GroupEntry {
  name: string;
  spellings: string[];
  flags: string[];
  sources: Array<{ source: string; cloudName: string | null; via: string; directMembers: number; flattenedMembers: number }>;
  decisions: Array<{ source: string; action: string; value: string | null }>;
}

// --- pure helpers ------------------------------------------------------------------------------------

const decision = (source: string, group: string, action: GroupDecisionLike['action'], value: string | null = null): GroupDecisionLike => ({
  source,
  group,
  action,
  value,
});

const decisionsOf = (groups: GroupDecisionLike[], trusted: string[] = []): Decisions => ({
  users: [],
  domains: trusted.map((domain) => ({ domain, trusted: true, decidedBy: 't', decidedAt: '', reason: '', appliedAt: null })),
  groups: groups.map((g) => ({ ...g, decidedBy: 't', decidedAt: '', reason: '', appliedAt: null })),
});

const small = buildEstate(
  estate(
    {
      name: 'jira',
      product: 'jira',
      users: [
        ['1', 'ann', 'ann@example.com'],
        ['1', 'ben', 'ben@example.org'],
        ['1', 'cy', 'not-an-address'],
      ],
      groups: [
        ['1', 'Engineering'],
        ['1', 'team-1'],
        ['1', 'team-2'],
        ['1', 'site-admins'],
      ],
      memberships: [
        ['1', 'Engineering', 'ann'],
        ['1', 'team-1', 'ben'],
        ['1', 'team-2', 'ann'],
      ],
    },
    {
      name: 'confluence',
      product: 'confluence',
      users: [['1', 'eve', 'eve@example.com']],
      groups: [['1', 'engineering']],
      memberships: [['1', 'engineering', 'eve']],
    },
  ),
);

describe('cloud group names', () => {
  it('takes the rename, the map target or nothing (skip); a per-source decision wins over one for every source', () => {
    const decisions = [decision('*', 'team-1', 'rename', 'squad-1'), decision('jira', 'team-1', 'map', 'Engineering'), decision('*', 'team-2', 'skip')];
    expect(groupName(decisions, 'jira', { name: 'team-1' })).toMatchObject({ name: 'Engineering', via: 'map' });
    expect(groupName(decisions, 'confluence', { name: 'Team-1' })).toMatchObject({ name: 'squad-1', via: 'rename' });
    expect(groupName(decisions, 'jira', { name: 'team-2' })).toMatchObject({ name: null, via: 'skip' });
    expect(groupName(decisions, 'jira', { name: 'other' })).toMatchObject({ name: 'other', via: 'default' });
    expect(groupName([decision('*', 'site-admins', 'rename', 'admins')], 'jira', { name: 'Site-Admins' })).toMatchObject({ name: 'Site-Admins', via: 'blocklisted' });
  });

  it('reads SOURCE:NAME only when SOURCE is a source', () => {
    expect(parseGroupRef('jira:team-1', ['jira', 'confluence'])).toEqual({ source: 'jira', name: 'team-1' });
    expect(parseGroupRef('corp:team', ['jira'])).toEqual({ source: '*', name: 'corp:team' });
    expect(parseGroupRef('team-1', ['jira'])).toEqual({ source: '*', name: 'team-1' });
  });

  it('checks cloud names', () => {
    expect(cloudNameProblem('')).toMatch(/empty/);
    expect(cloudNameProblem('x'.repeat(256))).toMatch(/at most 255/);
    expect(cloudNameProblem('x'.repeat(255))).toBeNull();
    expect(cloudNameProblem('Org-Admins')).toMatch(/blocklisted/);
  });

  it('assesses case collisions and merges on the cloud names after decisions, a map as consented', () => {
    const before = assessEstate(small).findings;
    expect(before.filter((f) => f.code === 'group-case-collision')).toHaveLength(1);
    expect(before.filter((f) => f.code === 'group-merged-across-products' && f.severity === 'warning')).toHaveLength(1);

    const renamed = assessEstate(small, { decisions: decisionsOf([decision('confluence', 'engineering', 'rename', 'wiki-engineering')]) }).findings;
    expect(renamed.filter((f) => f.code === 'group-case-collision')).toHaveLength(0);
    expect(renamed.filter((f) => f.code === 'group-merged-across-products')).toHaveLength(0);

    const mapped = assessEstate(small, { decisions: decisionsOf([decision('confluence', 'engineering', 'map', 'engineering')]) }).findings;
    const merged = mapped.filter((f) => f.code === 'group-merged-across-products');
    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatchObject({ severity: 'info', resolved: true });
    expect(mapped.filter((f) => f.code === 'group-case-collision')).toHaveLength(0);

    const skipped = assessEstate(small, { decisions: decisionsOf([decision('*', 'engineering', 'skip')]) }).findings;
    expect(skipped.filter((f) => f.code.startsWith('group-merged') || f.code === 'group-case-collision')).toHaveLength(0);
  });

  it('lists groups with their flags and cloud names', () => {
    const entries = listGroups(small, [decision('jira', 'team-1', 'map', 'engineering')]);
    const engineering = entries.find((e) => e.name === 'Engineering')!;
    expect(engineering.spellings).toEqual(['Engineering', 'engineering']);
    expect(engineering.flags).toEqual(expect.arrayContaining(['case-collision', 'merged-across-products']));
    expect(entries.find((e) => e.name === 'team-1')).toMatchObject({ flags: ['merge-consented'], sources: [{ cloudName: 'engineering', via: 'map' }] });
    expect(entries.find((e) => e.name === 'site-admins')?.flags).toEqual(['blocklisted']);
  });

  it('plans bulk renames from the source names, and finds the merges they would cause', () => {
    const plan = planBulkRename(small, [], { prefix: 'x-', match: '^team-' });
    expect(plan.inputs.map((i) => `${i.group}→${i.value}`)).toEqual(['team-1→x-team-1', 'team-2→x-team-2']);
    expect(renameCollisions(small, [], plan.inputs)).toEqual([]);
    // Again on top of its own result: the same names, no x-x-.
    const decided = plan.inputs.map((i) => decision(i.source, i.group.toLowerCase(), 'rename', i.value ?? null));
    expect(planBulkRename(small, decided, { prefix: 'x-', match: '^team-' }).inputs.map((i) => i.value)).toEqual(['x-team-1', 'x-team-2']);

    const clash = renameCollisions(small, [decision('*', 'team-2', 'rename', 'x-team-1')], plan.inputs.slice(0, 1));
    expect(clash).toHaveLength(1);
    expect(clash[0]?.groups.join(' ')).toMatch(/jira:team-1 .*jira:team-2/);
    expect(renameCollisions(small, [], [{ source: '*', group: 'team-1', action: 'rename', value: 'ENGINEERING' }])[0]?.groups).toHaveLength(3);
    // Renaming a group that is already one cloud group over two sources is no collision.
    expect(renameCollisions(small, [], [{ source: '*', group: 'engineering', action: 'rename', value: 'eng' }])).toEqual([]);

    const all = planBulkRename(small, [decision('jira', 'team-2', 'skip')], { suffix: '-old' });
    expect(all.inputs.map((i) => i.value)).toEqual(['Engineering-old', 'team-1-old']);
    expect(all.keptDecisions).toEqual(['team-2 (skip)']);
    expect(planBulkRename(small, [], { regex: '^team-(\\d)$', replace: '' }).problems[0]).toMatch(/empty/);
    expect(planBulkRename(small, [], { regex: '(', replace: '' }).problems[0]).toMatch(/not a valid regular expression/);
  });
});

describe('domains', () => {
  it('validates domains by the S-02 rule', () => {
    for (const ok of ['example.com', 'a-b.example.co.uk', 'x1.io']) expect(isValidDomain(ok), ok).toBe(true);
    for (const bad of ['example', 'example.c', '-x.com', 'x-.com', 'a..com', 'exa_mple.com', 'example.c0m', '', 'a@b.com']) expect(isValidDomain(bad), bad).toBe(false);
  });

  it('counts the accounts per domain after decisions, most first', () => {
    const rows = domainRows(small, checkContext(small, decisionsOf([], ['example.org', 'pre.example.net'])));
    expect(rows).toEqual([
      { domain: 'example.com', users: 2, trusted: false },
      { domain: 'example.org', users: 1, trusted: true },
      { domain: 'pre.example.net', users: 0, trusted: true },
    ]);
    expect(domainsCsv(rows)).toBe('Domain,Users,Trusted\nexample.com,2,FALSE\nexample.org,1,TRUE\npre.example.net,0,TRUE\n');
  });

  it('reads a domains CSV with a BOM, CRLF and blank lines, and reports every bad row by line', () => {
    const good = parseDomainsCsv('\uFEFFDomain,Users,Trusted\r\n\r\nExample.com,3,TRUE\r\nexample.org,,false\r\n');
    expect(good).toEqual({
      rows: [
        { line: 3, domain: 'example.com', trusted: true },
        { line: 4, domain: 'example.org', trusted: false },
      ],
      errors: [],
    });
    const bad = parseDomainsCsv('Trusted,Domain\nTRUE,example.com\nyes,example.org\nTRUE,nodot\nFALSE,EXAMPLE.COM\n');
    expect(bad.errors).toEqual([
      'line 3: Trusted must be TRUE or FALSE, not "yes"',
      'line 4: "nodot" is not a valid domain',
      'line 5: domain example.com is already on line 2',
    ]);
    expect(parseDomainsCsv('Name,Trust\nexample.com,TRUE\n').errors[0]).toMatch(/line 1: the header must name/);
  });
});

// --- through the built CLI ---------------------------------------------------------------------------

describe('domains and groups through the CLI', () => {
  let dir: string;
  let base: string;
  let counter = 0;

  beforeAll(() => {
    dir = tempDir();
    base = path.join(dir, 'base');
    const estateDir = path.join(dir, 'estate');
    const generated = usermig(['generate', '--users', '60', '--groups', '12', '--memberships', '200', '--seed', '5', '--out', estateDir]);
    expect(generated.code, generated.stderr).toBe(0);
    const scanned = usermig([
      'scan',
      `jira-backup:${path.join(estateDir, 'jira-backup.zip')}`,
      `confluence-backup:${path.join(estateDir, 'confluence-backup.zip')}`,
      '--workspace',
      base,
    ]);
    expect(scanned.code, scanned.stderr).toBe(0);
  });

  /** A fresh copy of the scanned workspace, so that each test decides on its own. */
  const fresh = (): string => {
    const copy = path.join(dir, `ws-${++counter}`);
    fs.cpSync(base, copy, { recursive: true });
    return copy;
  };
  const run = (ws: string, ...args: string[]) => usermig([...args, '--workspace', ws]);
  const assessJson = (ws: string) => JSON.parse(run(ws, 'assess', '--json').stdout) as AssessJson;
  const domainList = (ws: string) => JSON.parse(run(ws, 'domains', 'list', '--json').stdout) as Array<{ domain: string; users: number; trusted: boolean }>;
  const groupList = (ws: string) => JSON.parse(run(ws, 'groups', 'list', '--json').stdout) as GroupEntry[];

  it('lists every domain with its user count, most first', () => {
    const ws = fresh();
    const untrusted = assessJson(ws).findings.filter((f) => f.code === 'domain-untrusted' && f.severity === 'blocker');
    expect(untrusted.length).toBeGreaterThan(1);
    const listed = domainList(ws);
    for (const finding of untrusted) {
      const subject = finding.subjects[0]!;
      expect(listed).toContainEqual({ domain: subject.id, users: Number.parseInt(subject.detail ?? '', 10), trusted: false });
    }
    expect(listed.map((row) => row.users)).toEqual([...listed.map((row) => row.users)].sort((a, b) => b - a));
    const text = run(ws, 'domains', 'list');
    expect(text.code).toBe(0);
    for (const row of listed) expect(text.stdout).toMatch(new RegExp(`^${row.domain.replace(/\./g, '\\.')} +${row.users} +no$`, 'm'));
  });

  it('trusts every domain with --all, which leaves no open domain-untrusted blocker', () => {
    const ws = fresh();
    const trusted = run(ws, 'domains', 'trust', '--all', '--reason', 'all ours');
    expect(trusted.code, trusted.stderr).toBe(0);
    expect(trusted.stdout).toMatch(/^trusted \d+ domains/);
    const findings = assessJson(ws).findings.filter((f) => f.code === 'domain-untrusted');
    expect(findings.filter((f) => f.severity === 'blocker')).toEqual([]);
    expect(findings.some((f) => f.resolved)).toBe(true);
    expect(run(ws, 'domains', 'trust', 'not_a_domain').code).toBe(2);
    const ahead = run(ws, 'domains', 'trust', 'partner.example.net');
    expect(ahead.code).toBe(0);
    expect(ahead.stdout).toContain('trusted ahead of time');
    expect(run(ws, 'domains', 'untrust', 'partner.example.net').stdout).toMatch(/^untrusted 1 domain\n/);
  });

  it('exports and imports the domains CSV, round trip', () => {
    const ws = fresh();
    const [first, second] = domainList(ws);
    expect(run(ws, 'domains', 'trust', first!.domain).code).toBe(0);
    const file = path.join(dir, 'domains.csv');
    expect(run(ws, 'domains', 'export', file).code).toBe(0);
    const csv = fs.readFileSync(file, 'utf8');
    expect(csv.split('\n')[0]).toBe('Domain,Users,Trusted');
    expect(csv).toContain(`${first!.domain},${first!.users},TRUE\n`);
    expect(csv).toContain(`${second!.domain},${second!.users},FALSE\n`);
    const before = domainList(ws);

    const other = fresh();
    const imported = run(other, 'domains', 'import', file);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain('1 decision changed');
    expect(domainList(other)).toEqual(before);
    const again = path.join(dir, 'domains-again.csv');
    expect(run(other, 'domains', 'export', again).code).toBe(0);
    expect(fs.readFileSync(again, 'utf8')).toBe(csv);
  });

  it('refuses a bad domains CSV whole, listing every bad line', () => {
    const ws = fresh();
    const [first] = domainList(ws);
    const file = path.join(dir, 'bad-domains.csv');
    fs.writeFileSync(
      file,
      `\uFEFFDomain,Users,Trusted\r\n${first!.domain},1,TRUE\r\n\r\nexample..com,1,TRUE\r\nexample.org,2,maybe\r\n${first!.domain.toUpperCase()},1,FALSE\r\n`,
    );
    const result = run(ws, 'domains', 'import', file);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('3 bad rows, nothing was imported');
    expect(result.stderr).toMatch(/line 4: "example\.\.com" is not a valid domain/);
    expect(result.stderr).toMatch(/line 5: Trusted must be TRUE or FALSE, not "maybe"/);
    expect(result.stderr).toContain(`line 6: domain ${first!.domain} is already on line 2`);
    expect(domainList(ws).every((row) => !row.trusted)).toBe(true);
  });

  it('lists groups with cross-product merges and case collisions', () => {
    const ws = fresh();
    const entries = groupList(ws);
    const engineering = entries.find((e) => e.name.toLowerCase() === 'engineering')!;
    expect(engineering.sources.map((s) => s.source).sort()).toEqual(['confluence', 'jira']);
    expect(engineering.flags).toContain('merged-across-products');
    expect(engineering.sources.every((s) => s.flattenedMembers >= s.directMembers)).toBe(true);
    const developers = entries.find((e) => e.name.toLowerCase() === 'developers')!;
    expect(developers.spellings.sort()).toEqual(['Developers', 'developers']);
    expect(developers.flags).toContain('case-collision');
    expect(entries.find((e) => e.name === 'site-admins')?.flags).toContain('blocklisted');
    const text = run(ws, 'groups', 'list');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^engineering {2}\[merged-across-products\]$/m);
  });

  it('renaming the group in one product ends the merge across products', () => {
    const ws = fresh();
    const renamed = run(ws, 'groups', 'rename', 'confluence:engineering', 'confluence-engineering', '--reason', 'keep apart');
    expect(renamed.code, renamed.stderr).toBe(0);
    const merged = assessJson(ws).findings.filter((f) => f.code === 'group-merged-across-products' && f.severity === 'warning');
    expect(merged.filter((f) => f.subjects.some((s) => s.id.toLowerCase() === 'engineering'))).toEqual([]);
    const engineering = groupList(ws).find((e) => e.name.toLowerCase() === 'engineering')!;
    expect(engineering.flags).not.toContain('merged-across-products');
    expect(engineering.sources.find((s) => s.source === 'confluence')).toMatchObject({ cloudName: 'confluence-engineering', via: 'rename' });
    // Back to the default: the merge is reported again.
    expect(run(ws, 'groups', 'create', 'engineering').stdout).toContain('1 decision changed');
    expect(groupList(ws).find((e) => e.name.toLowerCase() === 'engineering')!.flags).toContain('merged-across-products');
  });

  it('reports a mapped group as a consented, resolved merge', () => {
    const ws = fresh();
    const mapped = run(ws, 'groups', 'map', 'jira:team-1', '--to', 'engineering');
    expect(mapped.code, mapped.stderr).toBe(0);
    expect(mapped.stdout).toContain('merges into the cloud group engineering together with jira:engineering, confluence:engineering');
    const findings = assessJson(ws).findings.filter((f) => f.code === 'group-merged-across-products');
    const resolved = findings.find((f) => f.resolved && f.subjects.some((s) => s.id === 'team-1' && s.source === 'jira'));
    expect(resolved).toMatchObject({ severity: 'info', resolved: true });
    expect(findings.filter((f) => f.severity === 'warning').some((f) => f.subjects.some((s) => s.id === 'team-1'))).toBe(false);
    expect(groupList(ws).find((e) => e.name === 'team-1')?.flags).toContain('merge-consented');
  });

  it('refuses renames that would merge groups, applying nothing', () => {
    const ws = fresh();
    const collide = run(ws, 'groups', 'rename', 'jira:team-2', 'Engineering');
    expect(collide.code).toBe(2);
    expect(collide.stderr).toMatch(/collide/);
    expect(collide.stderr).toContain('jira:engineering');
    expect(collide.stderr).toContain('groups map');

    expect(run(ws, 'groups', 'rename', 'dept-1', 'x-team-1').code).toBe(0);
    const bulk = run(ws, 'groups', 'rename', '--prefix', 'x-', '--match', '^team-');
    expect(bulk.code).toBe(2);
    expect(bulk.stderr).toMatch(/x-team-1: .*jira:dept-1 .*jira:team-1|x-team-1: .*jira:team-1 .*jira:dept-1/);
    const entries = groupList(ws);
    expect(entries.find((e) => e.name === 'team-2')?.decisions).toEqual([]);
    expect(entries.find((e) => e.name === 'dept-1')?.decisions).toEqual([{ source: '*', action: 'rename', value: 'x-team-1' }]);

    // A dry run says the same collision (exit 2), and otherwise lists the renames without saving them.
    expect(run(ws, 'groups', 'rename', '--prefix', 'x-', '--match', '^team-', '--dry-run').code).toBe(2);
    const dry = run(ws, 'groups', 'rename', '--prefix', 'x-', '--match', '^team-[23]$', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('team-2 → x-team-2');
    expect(dry.stdout).toContain('2 groups would be renamed (a dry run: nothing was saved)');
    expect(groupList(ws).find((e) => e.name === 'team-2')?.decisions).toEqual([]);
    expect(run(ws, 'groups', 'rename', 'team-2', 'y', '--dry-run').code).toBe(2); // --dry-run is for bulk renames

    const ok = run(ws, 'groups', 'rename', '--prefix', 'x-', '--match', '^team-[23]$');
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('2 decisions changed');
    expect(run(ws, 'groups', 'rename', '--prefix', 'x-', '--match', '^team-[23]$').stdout).toContain('nothing changed');
  });

  it('answers unknown groups and bad names with exit 2', () => {
    const ws = fresh();
    const unknown = run(ws, 'groups', 'skip', 'no-such-group');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('there is no group "no-such-group" in any source (jira, confluence)');
    expect(run(ws, 'groups', 'map', 'confluence:team-1', '--to', 'engineering').stderr).toContain('no group "team-1" in confluence');
    expect(run(ws, 'groups', 'rename', 'site-admins', 'admins').code).toBe(2);
    expect(run(ws, 'groups', 'map', 'team-1', '--to', 'org-admins').code).toBe(2);
    expect(run(ws, 'groups', 'rename', 'team-1').code).toBe(2);
    const skipped = run(ws, 'groups', 'skip', 'jira:team-3');
    expect(skipped.code).toBe(0);
    expect(groupList(ws).find((e) => e.name === 'team-3')).toMatchObject({ flags: ['skipped'], sources: [{ cloudName: null, via: 'skip' }] });
  });
});
