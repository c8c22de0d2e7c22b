/**
 * `usermig strategy` end to end through the built CLI: text, --json, --html (written and escaped), a bad
 * --idp, and the journey moving forward after plan and apply into the local cloud.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Strategy } from '../src/strategy/index.js';
import { usermig } from './support/cli.js';
import { copyOf, decideAll, scannedEstate } from './support/estate-workspace.js';
import { tempDir } from './support/files.js';

let prepared: string;
beforeAll(() => {
  prepared = scannedEstate();
});

const strategyJson = (workspace: string, ...args: string[]): Strategy => {
  const result = usermig(['strategy', '--json', '--workspace', workspace, ...args]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Strategy;
};

describe('usermig strategy', () => {
  it('prints the recommendation for the generated estate, each point with its rule, and the journey', () => {
    const result = usermig(['strategy', '--workspace', prepared]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('1. When users move');
    expect(result.stdout).toMatch(/because \d+ people \(\d+ source users: \d+ active, \d+ inactive\) is within the 2,000 .*\[DIFF-01\]/);
    // The generated estate has an active LDAP directory (and a retired Crowd one).
    expect(result.stdout).toMatch(/MUST: Put a cloud identity provider .*\n\s+because 2 external directories hold \d+ users: jira: Corporate LDAP \(CONNECTOR/);
    expect(result.stdout).toMatch(/acme\.com: \d+ users \(not trusted yet\)/);
    expect(result.stdout).toContain('[ ] 5. Migrate users and groups');
  });

  it('--json parses and --idp google warns that nested groups are lost; --html is self-contained and escaped', () => {
    const file = path.join(tempDir(), 'strategy.html');
    const strategy = strategyJson(prepared, '--idp', 'google', '--html', file);
    expect(strategy.idp).toBe('google');
    expect(strategy.numbers.externalDirectories).toBe(2);
    const identity = strategy.sections.find((s) => s.id === 'identity')!;
    expect(identity.points.some((p) => p.level === 'warn' && p.rules.includes('GR-10') && /nested groups are lost/.test(p.text))).toBe(true);
    expect(strategy.domains.length).toBeGreaterThan(0);
    expect(strategy.journey.map((s) => s.title)).toEqual([
      'Understand cloud user management',
      'Plan',
      'Prepare',
      'Set up cloud user management',
      'Migrate users and groups',
      'Post-migration tasks',
    ]);
    const html = fs.readFileSync(file, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\//);
    expect(html).toContain('&quot;All users&quot;');
  });

  it('escapes what the estate holds in the HTML page', () => {
    const dir = tempDir();
    fs.writeFileSync(
      path.join(dir, 'entities.xml'),
      `<entity-engine-xml>
<Directory id="1" directoryName="Internal" active="1" type="INTERNAL" position="0"/>
<Directory id="2" directoryName="&lt;img src=x onerror=alert(1)&gt;" active="1" type="CONNECTOR" position="1"/>
<Group groupName="&lt;script&gt;alert(1)&lt;/script&gt;" directoryId="2"/>
<Group groupName="inner" directoryId="2"/>
<Membership membershipType="GROUP_GROUP" parentName="&lt;script&gt;alert(1)&lt;/script&gt;" childName="inner" directoryId="2"/>
<Membership membershipType="GROUP_USER" parentName="inner" childName="alice" directoryId="2"/>
<User id="1" directoryId="2" userName="alice" active="1" emailAddress="alice@example.com"/>
</entity-engine-xml>`,
    );
    const workspace = path.join(dir, 'ws');
    expect(usermig(['scan', `jira-backup:${path.join(dir, 'entities.xml')}`, '--workspace', workspace]).code).toBe(0);
    const file = path.join(dir, 'strategy.html');
    const result = usermig(['strategy', '--idp', 'entra', '--html', file, '--workspace', workspace]);
    expect(result.code, result.stderr).toBe(0);
    const html = fs.readFileSync(file, 'utf8');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
  });

  it('takes the user tiers from the configuration file, and names a bad setting', () => {
    const workspace = copyOf(prepared);
    fs.writeFileSync(path.join(workspace, 'usermig.json'), JSON.stringify({ strategy: { tiers: [7, 100_000], free: { confluence: 3 } } }));
    const strategy = strategyJson(workspace);
    expect(strategy.licences.length).toBeGreaterThan(0);
    for (const row of strategy.licences) expect(row.tier).toBe(row.billableAfterDecisions <= 7 ? 7 : 100_000);
    expect(strategy.licences.find((row) => row.product === 'confluence')?.freeLimit).toBe(3);
    fs.writeFileSync(path.join(workspace, 'usermig.json'), JSON.stringify({ strategy: { tiers: [50, 10] } }));
    const bad = usermig(['strategy', '--workspace', workspace]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('strategy.tiers must be in ascending order');
  });

  it('refuses an unknown --idp with exit code 2', () => {
    const result = usermig(['strategy', '--idp', 'keycloak', '--workspace', prepared]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/"keycloak" is not an identity provider usermig knows/);
  });

  it('tracks the journey: decisions, then plan and apply into the local cloud, then the report', () => {
    const workspace = copyOf(prepared);
    const before = strategyJson(workspace);
    expect(before.journey[2]?.items.find((i) => i.label.startsWith('domains trusted'))?.status).toBe('todo');
    expect(before.journey[4]?.status).toBe('todo');

    decideAll(workspace);
    const decided = strategyJson(workspace);
    expect(decided.journey[2]?.items.find((i) => i.label.startsWith('domains trusted'))?.status).toBe('done');
    expect(decided.journey[2]?.items.find((i) => i.label.startsWith('emails fixed'))?.status).toBe('done');

    expect(usermig(['plan', '--workspace', workspace]).code).toBe(0);
    const applied = usermig(['apply', '--yes', '--workspace', workspace]);
    expect(applied.code, applied.stderr).toBe(0);
    const after = strategyJson(workspace);
    expect(after.journey[4]).toMatchObject({ status: 'done' });
    expect(after.journey[4]?.items[0]?.label).toBe('plans applied 1');
    expect(after.journey[4]?.items[0]?.detail).toMatch(/^plan-\S+ \(all\) into local$/);
    expect(after.journey[5]?.items[0]).toMatchObject({ label: 'report', status: 'todo' });

    expect(usermig(['report', '--workspace', workspace]).code).toBe(0);
    const reported = strategyJson(workspace);
    expect(reported.journey[5]?.items[0]).toMatchObject({ label: 'report', status: 'done' });

    // A new decision makes differences outstanding again.
    expect(usermig(['groups', 'skip', 'Developers', '--workspace', workspace]).code).toBe(0);
    const changed = strategyJson(workspace);
    expect(changed.journey[4]?.items[1]).toMatchObject({ label: 'differences outstanding', status: 'todo' });
  });
});
