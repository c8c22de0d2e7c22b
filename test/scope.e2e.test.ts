/**
 * Scoped plans end to end through the built CLI (issue 5): every reference kind brings its user in,
 * +roles and +group-members widen exactly as specified, the MIG-2590 cascade is visible, explain gives
 * the reasons, two waves in a row against the local cloud lose and duplicate nothing, JSM customers are
 * kept apart and account-type mismatches are flagged, and the report tells each user's wave.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PlanFile } from '../src/plan/plan-file.js';
import { usermig } from './support/cli.js';
import { copyOf } from './support/estate-workspace.js';
import { tempDir } from './support/files.js';
import { CONFLUENCE_KIND_USERS, JIRA_KIND_USERS, STAFF_SIZE, staffMember, writeScopeBackups } from './support/scope-fixture.js';

let prepared: string;
beforeAll(() => {
  const dir = tempDir();
  const specs = writeScopeBackups(dir);
  prepared = path.join(dir, 'ws');
  const scan = usermig(['scan', specs.jira, specs.confluence, '--workspace', prepared]);
  expect(scan.code, scan.stderr).toBe(0);
  expect(usermig(['domains', 'trust', 'example.com', '--workspace', prepared]).code).toBe(0);
});

function plan(workspace: string, ...args: string[]): PlanFile {
  const result = usermig(['plan', '--json', ...args, '--workspace', workspace]);
  expect(result.code, result.stdout + result.stderr).toBe(0);
  return JSON.parse(result.stdout) as PlanFile;
}

const emails = (p: PlanFile) => new Set(p.scope?.accounts.map((a) => a.email));
const reasonsOf = (p: PlanFile, email: string) => p.scope?.accounts.find((a) => a.email === email)?.users.flatMap((u) => u.reasons) ?? [];
const cascade = (p: PlanFile, group: string) => p.scope?.groups.find((g) => g.group === group);

describe('jira:projects scope', () => {
  it('brings in the user of every reference kind, and nobody referenced only elsewhere', () => {
    const p = plan(copyOf(prepared), '--scope', 'jira:projects=APO');
    for (const [name, phrase] of Object.entries(JIRA_KIND_USERS)) {
      expect(emails(p).has(`${name}@example.com`), name).toBe(true);
      expect(reasonsOf(p, `${name}@example.com`).join(' | '), name).toContain(phrase);
    }
    expect(reasonsOf(p, 'bob@example.com')).toContain('assignee of 2 issues in APO, e.g. APO-1');
    for (const outside of ['oli', 'pat', 'rt1', 'rt2', 'aa1', 'cus1', staffMember(1)]) expect(emails(p).has(`${outside}@example.com`), outside).toBe(false);
    // Groups holding permissions in APO come even without in-scope members; the users' groups come with them.
    expect(cascade(p, 'role-team')).toMatchObject({ inScope: 0, leftOut: 2, whole: false });
    expect(cascade(p, 'apo-admins')).toMatchObject({ inScope: 0, leftOut: 1 });
    expect(cascade(p, 'jira-developers')?.why.join()).toContain('a group of in-scope users (e.g. jira:bob via eng)');
    // Former users: the deleted reporter and the inactive-directory assignee.
    expect(p.scope?.formerUsers.map((f) => [f.userName, f.why]).sort()).toEqual([
      ['ghost', 'deleted'],
      ['old', 'inactive-directory'],
    ]);
    // The plan creates only in-scope accounts.
    const created = p.operations.filter((o) => o.kind === 'create-account').map((o) => (o.kind === 'create-account' ? o.email : ''));
    expect(new Set(created)).toEqual(emails(p));
  });

  it('+roles adds the members of the role groups; +group-members migrates the included groups whole', () => {
    const workspace = copyOf(prepared);
    const roles = plan(workspace, '--scope', 'jira:projects=APO+roles');
    expect(emails(roles).has('rt1@example.com')).toBe(true);
    expect(reasonsOf(roles, 'rt1@example.com')).toContain('in the role Developers of APO through the group role-team (+roles)');
    expect(emails(roles).has('aa1@example.com')).toBe(false); // a scheme group, not a role group
    expect(emails(roles).has(`${staffMember(1)}@example.com`)).toBe(false);

    const whole = plan(workspace, '--scope', 'jira:projects=APO+group-members');
    expect(emails(whole).has('aa1@example.com')).toBe(true); // apo-admins holds BROWSE_PROJECTS: migrated whole
    expect(emails(whole).has('rt1@example.com')).toBe(true);
    expect(emails(whole).has(`${staffMember(7)}@example.com`)).toBe(true); // staff is a group of ann
    expect(emails(whole).has('cus1@example.com')).toBe(false);
  });
});

describe('the MIG-2590 cascade: one scoped user in a 1,156-member group', () => {
  it('shows 1 direct member and 1,155 left out, or 1,155 through the group when migrated whole', () => {
    const workspace = copyOf(prepared);
    const scoped = plan(workspace, '--scope', 'confluence:spaces=ENG');
    expect(cascade(scoped, 'staff')).toBeUndefined(); // ann is in through Confluence; staff is a Jira group…
    const jira = plan(workspace, '--scope', 'jira:projects=BET');
    expect(cascade(jira, 'staff')).toMatchObject({ inScope: 1, direct: 1, throughThisGroupOnly: 0, leftOut: STAFF_SIZE - 1, total: STAFF_SIZE, whole: false });
    const text = usermig(['plan', '--scope', 'jira:projects=BET', '--workspace', workspace]).stdout;
    expect(text).toContain(`staff: 1 members in the plan = 1 in scope directly + 0 only through the group; ${(STAFF_SIZE - 1).toLocaleString('en-US')} of its ${STAFF_SIZE.toLocaleString('en-US')} members stay out (--group-members all would bring them in)`);

    const whole = plan(workspace, '--scope', 'jira:projects=BET', '--group-members', 'all');
    expect(cascade(whole, 'staff')).toMatchObject({ inScope: STAFF_SIZE, direct: 1, throughThisGroupOnly: STAFF_SIZE - 1, leftOut: 0, whole: true });
    expect(reasonsOf(whole, `${staffMember(3)}@example.com`)[0]).toMatch(/^member of staff, which migrates whole/);
  });
});

describe('confluence:spaces scope', () => {
  it('brings in space permission holders (directly or through a group), authors, modifiers and mentioned users', () => {
    const p = plan(copyOf(prepared), '--scope', 'confluence:spaces=ENG');
    for (const [name, phrase] of Object.entries(CONFLUENCE_KIND_USERS)) {
      expect(emails(p).has(`${name}@example.com`), name).toBe(true);
      expect(reasonsOf(p, `${name}@example.com`).join(' | '), name).toContain(phrase);
    }
    expect(emails(p).has('vic@example.com')).toBe(false);
    expect(cascade(p, 'wiki-team')).toMatchObject({ inScope: 1, direct: 0, throughThisGroupOnly: 1 });
  });

  it('refuses a key no source has, naming it and the keys that exist', () => {
    const result = usermig(['plan', '--scope', 'confluence:spaces=NOPE', '--workspace', copyOf(prepared)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--scope names Confluence space NOPE, which no scanned source has');
    expect(result.stderr).toContain('Confluence spaces: ENG, OPS');
    const bad = usermig(['plan', '--scope', 'jira:projects=APO+everything', '--workspace', copyOf(prepared)]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown option "+everything"');
  });
});

describe('usermig explain', () => {
  it('prints every reason with counts and an example, and why someone is out', () => {
    const workspace = copyOf(prepared);
    const inside = usermig(['explain', 'jira:bob', '--scope', 'jira:projects=APO', '--workspace', workspace]);
    expect(inside.code, inside.stderr).toBe(0);
    expect(inside.stdout).toContain('jira:bob: in scope directly');
    expect(inside.stdout).toContain('assignee of 2 issues in APO, e.g. APO-1');
    expect(inside.stdout).toContain('member of jira-developers via eng: in scope');
    const outside = usermig(['explain', 'jira:pat', '--scope', 'jira:projects=APO', '--workspace', workspace]);
    expect(outside.stdout).toContain('jira:pat: out of scope');
    expect(outside.stdout).toContain('reporter of 1 issue in BET (BET-1) — BET is not in scope');
    // Without --scope: the scope of the last plan.
    plan(workspace, '--scope', 'jira:projects=BET');
    const last = usermig(['explain', 'jira:pat', '--workspace', workspace]);
    expect(last.stdout).toMatch(/Scope: jira:projects=BET \(the last plan \(plan-/);
    expect(last.stdout).toContain('jira:pat: in scope directly');
  });
});

describe('waves against the local cloud', () => {
  it('links wave-1 users in wave 2, grows groups, and never removes wave-1 memberships', () => {
    const workspace = copyOf(prepared);
    const wave1 = plan(workspace, '--scope', 'jira:projects=APO');
    expect(usermig(['apply', '--yes', '--workspace', workspace]).code).toBe(0);
    const wave1Members = new Set(wave1.operations.flatMap((o) => (o.kind === 'add-members' ? o.emails.map((e) => `${o.group}/${e}`) : [])));

    const wave2 = plan(workspace, '--scope', 'jira:projects=BET');
    expect(wave2.operations.filter((o) => o.kind === 'remove-members')).toEqual([]);
    expect(wave2.linked).toContain('ann@example.com'); // in both waves: linked, not created again
    const created2 = wave2.operations.filter((o) => o.kind === 'create-account').map((o) => (o.kind === 'create-account' ? o.email : ''));
    expect(created2).toContain('pat@example.com');
    expect(created2).not.toContain('ann@example.com');
    // jira-software-users exists since wave 1: it grows by wave 2's members.
    expect(wave2.operations.some((o) => o.kind === 'create-group' && o.name === 'jira-software-users')).toBe(false);
    expect(wave2.operations.some((o) => o.kind === 'add-members' && o.group === 'jira-software-users' && o.emails.includes('pat@example.com'))).toBe(true);
    const applied = usermig(['apply', '--yes', '--prune', '--force', '--workspace', workspace]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/0 removed/);

    // Everything both waves added is still there, and nothing is created twice: a full plan adds only
    // what no wave covered, and removes nothing.
    const all = plan(workspace, '--scope', 'all');
    expect(all.operations.filter((o) => o.kind === 'remove-members')).toEqual([]);
    const stillMissing = new Set(all.operations.flatMap((o) => (o.kind === 'add-members' ? o.emails.map((e) => `${o.group}/${e}`) : [])));
    for (const membership of wave1Members) expect(stillMissing.has(membership), membership).toBe(false);
    const createdAgain = all.operations.filter((o) => o.kind === 'create-account' && (o.email === 'ann@example.com' || o.email === 'pat@example.com'));
    expect(createdAgain).toEqual([]);

    // The report tells which wave brought each user in, and why.
    const out = path.join(workspace, 'report');
    expect(usermig(['report', '--format', 'json', '--out', out, '--workspace', workspace]).code).toBe(0);
    const report = JSON.parse(fs.readFileSync(path.join(out, 'report.json'), 'utf8')) as {
      users: Array<{ source: string; userName: string; wave: { number: number; planId: string; scope: string; reasons: string[] } | null }>;
      formerUsers: Array<{ userName: string; why: string; wave: number }>;
    };
    const row = (name: string) => report.users.find((u) => u.source === 'jira' && u.userName === name);
    expect(row('bob')?.wave).toMatchObject({ number: 1, planId: wave1.id, scope: 'jira:projects=APO' });
    expect(row('bob')?.wave?.reasons).toContain('assignee of 2 issues in APO, e.g. APO-1');
    expect(row('pat')?.wave).toMatchObject({ number: 2, planId: wave2.id, scope: 'jira:projects=BET' });
    expect(row('ann')?.wave?.number).toBe(1);
    expect(report.formerUsers.map((f) => f.userName).sort()).toEqual(['ghost', 'old']);
  });
});

describe('jsm:customers', () => {
  it('keeps customers apart from licensed users, and flags a customer whose email is an Atlassian account (SC-S04)', () => {
    const workspace = copyOf(prepared);
    const customers = plan(workspace, '--scope', 'jsm:customers=all');
    expect(customers.scope?.customers).toEqual(['jira:cus1', 'jira:cus2']);
    expect(emails(customers).has('agent@example.com')).toBe(false); // an agent is a licensed user, not a customer
    expect(reasonsOf(customers, 'cus1@example.com')).toContain('JSM customer: raised 1 request in HELP (HELP-1)');

    const related = plan(workspace, '--scope', 'jira:projects=HELP', '--scope', 'jsm:customers=related');
    expect(related.scope?.customers).toEqual(['jira:cus1', 'jira:cus2']);
    expect(emails(related).has('agent@example.com')).toBe(true);

    // cus1 exists in the cloud as an Atlassian account (a first wave made it): it stays one, and is linked.
    plan(workspace, '--scope', 'all');
    expect(usermig(['apply', '--yes', '--workspace', workspace]).code).toBe(0);
    const again = plan(workspace, '--scope', 'jsm:customers=all');
    expect(again.scope?.accountTypeMismatches).toContainEqual(
      expect.objectContaining({ email: 'cus1@example.com', source: 'customer', cloud: 'atlassian', severity: 'info' }),
    );
    expect(again.linked).toContain('cus1@example.com');
  });
});

describe('blockers of a scoped plan (RULES.md AS-06)', () => {
  it('a wave is blocked only by what concerns its scope; the others are named as blocking other waves', () => {
    const dir = tempDir();
    const workspace = path.join(dir, 'ws');
    const file = path.join(dir, 'entities.xml');
    fs.writeFileSync(
      file,
      `<entity-engine-xml>
<Directory id="1" directoryName="Internal" active="1" type="INTERNAL" position="0"/>
<User id="1" directoryId="1" userName="ann" active="1" emailAddress="ann@example.com"/>
<User id="2" directoryId="1" userName="bad" active="1" emailAddress="not-an-email"/>
<Project id="10000" key="AAA" name="Alpha" lead="ann" projecttype="software"/>
<Project id="10001" key="BBB" name="Beta" lead="bad" projecttype="software"/>
</entity-engine-xml>`,
    );
    expect(usermig(['scan', `jira-backup:${file}`, '--workspace', workspace]).code).toBe(0);
    expect(usermig(['domains', 'trust', 'example.com', '--workspace', workspace]).code).toBe(0);

    const everything = usermig(['plan', '--workspace', workspace]);
    expect(everything.code).toBe(1);
    expect(everything.stdout).toMatch(/No plan: 1 blocker remain/);

    const alpha = usermig(['plan', '--scope', 'jira:projects=AAA', '--workspace', workspace]);
    expect(alpha.code, alpha.stdout).toBe(0);
    expect(alpha.stdout).toContain('note: 1 blocker concerns only users and groups outside this scope');
    expect(alpha.stdout).toContain('+ account ann@example.com');

    const beta = usermig(['plan', '--scope', 'jira:projects=BBB', '--workspace', workspace]);
    expect(beta.code).toBe(1);
    expect(beta.stdout).toMatch(/No plan: 1 blocker remain/);
  });
});
