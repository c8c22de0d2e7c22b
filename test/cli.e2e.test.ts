import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir, writeZip } from './support/files.js';
import { usermig, usermigAsync } from './support/cli.js';

interface Manifest {
  expected: { summary: Record<string, unknown>; counts: Record<string, Record<string, number> | number> };
}

interface AssessJson {
  summary: Record<string, unknown>;
  findings: Array<{ code: string; severity: string; message: string; subjects: Array<{ id: string; source?: string; detail?: string }> }>;
}

const byCode = (json: AssessJson, code: string) => json.findings.filter((finding) => finding.code === code);

describe('scan and assess a generated estate through the CLI', () => {
  let dir: string;
  let workspace: string;
  let manifest: Manifest;
  let json: AssessJson;
  let assessCode: number;

  beforeAll(() => {
    dir = tempDir();
    workspace = path.join(dir, 'ws');
    const generated = usermig(['generate', '--users', '400', '--groups', '60', '--memberships', '2500', '--seed', '11', '--out', path.join(dir, 'estate')]);
    expect(generated.code, generated.stderr).toBe(0);
    manifest = JSON.parse(fs.readFileSync(path.join(dir, 'estate', 'manifest.json'), 'utf8')) as Manifest;
    const scanned = usermig([
      'scan',
      `jira-backup:${path.join(dir, 'estate', 'jira-backup.zip')}`,
      `confluence-backup:${path.join(dir, 'estate', 'confluence-backup.zip')}`,
      '--workspace',
      workspace,
    ]);
    expect(scanned.code, scanned.stderr).toBe(0);
    const assessed = usermig(['assess', '--json', '--workspace', workspace]);
    assessCode = assessed.code;
    json = JSON.parse(assessed.stdout) as AssessJson;
  });

  it('produces exactly the summary the generator built the estate for', () => {
    expect(json.summary).toEqual(manifest.expected.summary);
  });

  it('finds every injected defect', () => {
    const counts = manifest.expected.counts as Record<string, Record<string, number>>;
    const jira = counts.jira as Record<string, number>;
    const confluence = counts.confluence as Record<string, number>;
    const subjectsOf = (code: string, source: string) => byCode(json, code).flatMap((f) => f.subjects).filter((s) => s.source === source);
    expect(subjectsOf('email-invalid', 'jira')).toHaveLength(jira.invalidEmails as number);
    expect(subjectsOf('email-invalid', 'confluence')).toHaveLength(confluence.invalidEmails as number);
    expect(new Set(subjectsOf('email-duplicated', 'jira').map((s) => s.detail?.split(' ')[0])).size).toBe(jira.duplicatedAddresses);
    expect(subjectsOf('email-whitespace', 'jira')).toHaveLength(jira.whitespaceEmails as number);
    expect(subjectsOf('user-shadowed-email-differs', 'jira')).toHaveLength(jira.shadowedEmailDiffers as number);
    expect(subjectsOf('user-in-inactive-directory', 'jira')).toHaveLength(jira.inactiveDirectoryOnlyUsers as number);
    expect(subjectsOf('user-deleted-referenced', 'jira')).toHaveLength(jira.deletedReferencedKeys as number);
    expect(subjectsOf('user-deleted-referenced', 'confluence')).toHaveLength(confluence.deletedReferencedKeys as number);
    expect(byCode(json, 'group-cycle').length).toBeGreaterThanOrEqual(counts.groupCycles as unknown as number);
    expect(byCode(json, 'group-case-collision').length).toBeGreaterThanOrEqual(counts.groupCaseCollisions as unknown as number);
    expect(byCode(json, 'group-merged-across-products').length).toBeGreaterThanOrEqual(counts.groupsMergedAcrossProducts as unknown as number);
    expect(byCode(json, 'group-reference-dangling').length).toBe(counts.danglingGroupReferences);
    for (const code of ['domain-untrusted', 'group-blocklisted', 'group-admin-access', 'identity-email-mismatch-across-sources', 'user-disabled', 'licence-projection']) {
      expect(byCode(json, code).length, code).toBeGreaterThan(0);
    }
  });

  it('exits 1 because blockers exist, and prints a readable report', () => {
    expect(assessCode).toBe(1);
    const readable = usermig(['assess', '--workspace', workspace]);
    expect(readable.code).toBe(1);
    expect(readable.stdout).toMatch(/^Start with the migration checklist and where this estate stands on it: usermig strategy\n\nAssessment\n {2}sources {13}2\n/);
    expect(readable.stdout).toContain('BLOCKERS (');
    expect(readable.stdout).toContain('fix: ');
    expect(readable.stdout).toMatch(/… and \d+ more/);
  });

  it('writes one CSV row per finding subject', () => {
    const csv = path.join(dir, 'findings.csv');
    expect(usermig(['assess', '--csv', csv, '--workspace', workspace]).code).toBe(1);
    const lines = fs.readFileSync(csv, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('code,severity,subject_type,source,subject,detail,message');
    const subjects = json.findings.reduce((sum, finding) => sum + finding.subjects.length, 0);
    // Quoted messages hold no newlines, so lines and rows are the same.
    expect(lines.length - 1).toBe(subjects);
  });

  it('keeps the previous snapshot when a re-scan fails on bad input', async () => {
    const bad = await writeZip(path.join(dir, 'bad.zip'), {
      'entities.xml': '<entity-engine-xml>\n<Group groupName="a" directoryId="1"/>\n<Membership membershipType="GROUP_USER" parentName="ghost" childName="bob" directoryId="1"/>\n</entity-engine-xml>',
    });
    const failed = usermig(['scan', `jira-backup:${bad}`, '--workspace', workspace]);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toBe(`usermig: ${bad}!entities.xml: line 3: <Membership> names group "ghost" in directory 1, which the backup does not contain\n`);
    const after = JSON.parse(usermig(['assess', '--json', '--workspace', workspace]).stdout) as AssessJson;
    expect(after.summary).toEqual(json.summary);
  });
});

describe('the CLI contract', () => {
  it('keeps the previous snapshot when a scan is killed midway', async () => {
    const dir = tempDir();
    const workspace = path.join(dir, 'ws');
    expect(usermig(['generate', '--users', '40', '--groups', '12', '--memberships', '100', '--out', path.join(dir, 'small')]).code).toBe(0);
    expect(usermig(['generate', '--users', '30000', '--groups', '2000', '--memberships', '400000', '--out', path.join(dir, 'large')]).code).toBe(0);
    expect(usermig(['scan', `jira-backup:${path.join(dir, 'small', 'jira-backup.zip')}`, '--workspace', workspace]).code).toBe(0);
    const before = usermig(['assess', '--json', '--workspace', workspace]).stdout;

    const child = usermigAsync(['scan', `jira-backup:${path.join(dir, 'large', 'jira-backup.zip')}`, '--workspace', workspace, '--json']);
    // Kill it halfway through the backup, while its transaction is open (progress comes as JSON lines).
    await new Promise<void>((resolve, reject) => {
      let buffered = '';
      child.stderr.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          const event = JSON.parse(line) as { event: string; percent: number };
          if (event.event === 'progress' && event.percent >= 50 && child.exitCode === null) {
            child.kill('SIGKILL');
            resolve();
          }
        }
      });
      child.on('exit', (code) => reject(new Error(`the scan ended (${code}) before it could be killed`)));
    });
    await new Promise((resolve) => child.on('close', resolve));
    const after = usermig(['assess', '--json', '--workspace', workspace]);
    expect(after.stdout).toBe(before);
  });

  it('answers bad usage with exit 2 and one clear line, never a stack trace', () => {
    const dir = tempDir();
    const cases: Array<[string[], RegExp]> = [
      [['scan', 'backup.zip', '--workspace', dir], /"backup\.zip" is not a source spec; write KIND:PATH/],
      [['scan', 'jira-backup:/nonexistent/backup.zip', '--workspace', dir], /\/nonexistent\/backup\.zip: no such file/],
      [['scan', 'jira-backup:a.zip', 'jira-backup:b.zip', '--workspace', dir], /two sources are named "jira"/],
      [['assess', '--workspace', path.join(dir, 'empty')], /has no sources yet; run usermig scan first/],
      [['generate', '--users', 'many', '--out', dir], /--users takes a whole number/],
      [['frobnicate'], /unknown command 'frobnicate'/],
    ];
    for (const [args, message] of cases) {
      const result = usermig(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('runs the demo to the end and exits 0 despite its seeded findings', () => {
    const dir = tempDir();
    const result = usermig(['demo', '--workspace', path.join(dir, 'demo')]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('scanned jira');
    expect(result.stdout).toContain('scanned confluence');
    expect(result.stdout).toContain('BLOCKERS (');
    expect(result.stdout).toContain('after the decisions: 0 blockers');
    expect(result.stdout).toMatch(/applied plan-\S+ to the local cloud .*: \d+ accounts created/);
    // Run again: nothing new to decide, nothing to change, no write request.
    const again = usermig(['demo', '--workspace', path.join(dir, 'demo')]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 new user decisions');
    expect(again.stdout).toContain('plan: no changes');
    expect(again.stdout).toContain('; 0 write requests');
  });

  it('scans and assesses the real Jira 7.13.11 backup', () => {
    const samples = process.env.USERMIG_SAMPLES;
    if (!samples) return; // set by .ci/run when ../shared/samples exists
    const dir = tempDir();
    const backup = path.join(samples, 'atlassian.net-sdk', 'TestData_7.13.11.zip');
    expect(usermig(['scan', `jira-backup:${backup}`, '--workspace', dir]).code).toBe(0);
    const result = usermig(['assess', '--json', '--workspace', dir]);
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout) as AssessJson;
    expect(json.summary).toEqual({
      sources: 1,
      users: 2,
      activeUsers: 2,
      groups: 3,
      directMemberships: 5,
      invalidEmails: 0,
      duplicatedEmails: 0,
      domains: 2,
      blocklistedGroups: 0,
      nestedGroups: 0,
      billableUsers: { 'jira-software': 2, 'jira-core': 2 },
    });
    expect(byCode(json, 'domain-untrusted').map((f) => f.subjects[0]?.id)).toEqual(['example.com', 'qa.com']);
    expect(byCode(json, 'group-admin-access')[0]?.subjects.map((s) => s.id)).toEqual(['jira-administrators', 'admin']);
  });
});
