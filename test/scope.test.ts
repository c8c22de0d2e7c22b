/**
 * Scope resolution as pure functions (issue 5): spec parsing, exactly how +roles and +group-members widen,
 * nested paths, Former users, JSM customers and the SC-S04 account-type mismatch both ways, and wave-2
 * removals limited to the people of the scope.
 */
import { describe, expect, it } from 'vitest';
import { buildEstate } from '../src/assess/estate.js';
import { resolveIdentities } from '../src/decide/identities.js';
import type { Decisions } from '../src/model/decision.js';
import { desiredState } from '../src/plan/desired-state.js';
import { planOperations } from '../src/plan/operations.js';
import { accountTypeMismatches } from '../src/scope/plan-section.js';
import { resolveScope, viaText } from '../src/scope/resolve.js';
import type { ReferenceRow, ScopeData } from '../src/scope/scope-data.js';
import { parseScope } from '../src/scope/spec.js';
import { estate, groupGrant } from './support/snapshot.js';

const none: Decisions = { users: [], domains: [], groups: [] };

describe('scope specs', () => {
  it('parses and combines the specs, and names what is wrong', () => {
    const spec = parseScope(['jira:projects=APO,BET+roles', 'confluence:spaces=ENG+group-members', 'jsm:customers=related'], 'all');
    expect(spec).toMatchObject({
      all: false,
      jira: [{ projects: ['APO', 'BET'], roles: true, groupMembers: false }],
      confluence: [{ spaces: ['ENG'], groupMembers: true }],
      customers: 'related',
      groupMembers: 'all',
    });
    expect(parseScope([]).all).toBe(true);
    expect(parseScope(['all', 'jira:projects=APO']).all).toBe(true);
    expect(() => parseScope(['jira:project=APO'])).toThrow(/--scope jira:project=APO: not a scope/);
    expect(() => parseScope(['jira:projects=APO,'])).toThrow(/give at least one project key/);
    expect(() => parseScope(['jsm:customers=some'])).toThrow(/use jsm:customers=all or jsm:customers=related/);
    expect(() => parseScope(['all'], 'most')).toThrow(/--group-members most/);
  });
});

// One Jira source: project APO; role-team in the Developers role of APO; eng nested in devs; a big group.
const jira = {
  name: 'jira',
  product: 'jira' as const,
  users: [
    ['1', 'ann', 'ann@example.com'],
    ['1', 'bob', 'bob@example.com'],
    ['1', 'rt1', 'rt1@example.com'],
    ['1', 'big1', 'big1@example.com'],
    ['1', 'big2', 'big2@example.com'],
    ['1', 'cus', 'cus@example.com'],
  ] as Array<[string, string, string, boolean?]>,
  groups: [['1', 'users'], ['1', 'devs'], ['1', 'eng'], ['1', 'role-team'], ['1', 'big']] as Array<[string, string]>,
  memberships: [
    ['1', 'users', 'ann'],
    ['1', 'users', 'bob'],
    ['1', 'users', 'rt1'],
    ['1', 'devs', 'eng', true],
    ['1', 'eng', 'bob'],
    ['1', 'role-team', 'rt1'],
    ['1', 'big', 'ann'],
    ['1', 'big', 'big1'],
    ['1', 'big', 'big2'],
  ] as Array<[string, string, string, boolean?]>,
  grants: [groupGrant('users', 'jira-software', 'application'), groupGrant('role-team', 'Developers', 'project-role', 'APO/Developers')],
};
const refs = (...rows: Array<[string, string, string]>): ReferenceRow[] => rows.map(([userKey, kind, container]) => ({ userKey, kind, container, count: 1, example: `${container}-1` }));
const data = (references: ReferenceRow[], containers = [{ kind: 'jira-project', key: 'APO', name: 'Apollo' }]): ScopeData => ({
  sources: new Map([['jira', { source: 'jira', containers, projectSchemes: new Map(), references }]]),
});

function resolve(specs: string[], references: ReferenceRow[], groupMembers?: string, containers?: Array<{ kind: string; key: string; name: string }>) {
  const built = buildEstate(estate(jira));
  const identities = resolveIdentities(built, []);
  return { built, scope: resolveScope(built, identities, parseScope(specs, groupMembers), data(references, containers)) };
}
const names = (scope: ReturnType<typeof resolve>['scope']) => [...scope.users.keys()].map((u) => u.userName).sort();

describe('scope resolution', () => {
  const apoRefs = refs(['ann', 'assignee', 'APO'], ['gone-key', 'reporter', 'APO']);

  it('brings in referenced users; +roles adds role-group members; +group-members migrates included groups whole', () => {
    expect(names(resolve(['jira:projects=APO'], apoRefs).scope)).toEqual(['ann']);
    expect(names(resolve(['jira:projects=APO+roles'], apoRefs).scope)).toEqual(['ann', 'rt1']);
    // Whole groups: role-team (holds the role), users and big (groups of ann); one level: not devs/eng.
    const whole = resolve(['jira:projects=APO+group-members'], apoRefs).scope;
    expect(names(whole)).toEqual(['ann', 'big1', 'big2', 'bob', 'rt1']);
    expect(whole.users.get([...whole.users.keys()].find((u) => u.userName === 'big1')!)?.reasons[0]?.text).toMatch(/^member of big, which migrates whole/);
    expect(names(resolve(['jira:projects=APO'], apoRefs, 'all').scope)).toEqual(['ann', 'big1', 'big2', 'bob', 'rt1']);
  });

  it('lists deleted users referenced in scope as Former users', () => {
    expect(resolve(['jira:projects=APO'], apoRefs).scope.formerUsers).toEqual([
      { source: 'jira', userKey: 'gone-key', userName: 'gone-key', why: 'deleted', reasons: ['reporter of 1 issue in APO (APO-1)'] },
    ]);
  });

  it('names the nested group a membership comes through', () => {
    const { built } = resolve(['jira:projects=APO'], apoRefs);
    const source = built.sources[0]!;
    expect(viaText(source, source.groupsByLowerName.get('devs')!, source.usersByLowerName.get('bob')!.index)).toBe(' via eng');
  });

  it('keeps only in-scope members in scoped groups, and keeps holders of permissions as groups', () => {
    const { built, scope } = resolve(['jira:projects=APO'], apoRefs);
    const desired = desiredState(built, none, scope);
    expect([...desired.accounts.keys()]).toEqual(['ann@example.com']);
    expect([...desired.groups.get('big')!.members]).toEqual(['ann@example.com']);
    expect(desired.groups.get('role-team')!.members.size).toBe(0);
    expect(desired.groups.has('devs')).toBe(false);
  });

  it('takes JSM customers apart: unlicensed reporters in service desks, not licensed ones', () => {
    const desk = [{ kind: 'jira-project', key: 'HELP', name: 'Help' }, { kind: 'jsm-service-desk', key: 'HELP', name: 'Help' }];
    const { scope } = resolve(['jsm:customers=all'], refs(['cus', 'reporter', 'HELP'], ['ann', 'reporter', 'HELP']), undefined, desk);
    expect(names(scope)).toEqual(['cus']);
    expect([...scope.users.values()][0]).toMatchObject({ customer: true, direct: true });
  });

  it('flags account-type mismatches both ways (SC-S04)', () => {
    const desk = [{ kind: 'jira-project', key: 'HELP', name: 'Help' }, { kind: 'jsm-service-desk', key: 'HELP', name: 'Help' }];
    const { built, scope } = resolve(['jira:projects=HELP', 'jsm:customers=related'], refs(['cus', 'reporter', 'HELP'], ['ann', 'assignee', 'HELP']), undefined, desk);
    const desired = desiredState(built, none, scope);
    const cloud = new Map([
      ['ann@example.com', { id: 'a', accountType: 'customer' }],
      ['cus@example.com', { id: 'c', accountType: 'atlassian' }],
    ]);
    const found = accountTypeMismatches(desired, scope, cloud);
    expect(found.map((m) => [m.user, m.source, m.cloud, m.severity])).toEqual([
      ['jira:ann', 'licensed', 'customer', 'warning'],
      ['jira:cus', 'customer', 'atlassian', 'info'],
    ]);
    expect(found[0]!.message).toContain('second, Atlassian account');
  });

  it('a wave proposes no removal for people outside its scope', () => {
    const { built, scope } = resolve(['jira:projects=APO'], apoRefs);
    const desired = desiredState(built, none, scope);
    const current = {
      accounts: new Map([['ann@example.com', { id: 'a', active: true }], ['old@example.com', { id: 'o', active: true }]]),
      groups: new Map([['big', { id: 'g', name: 'big', members: new Set(['ann@example.com', 'old@example.com']) }]]),
    };
    const applied = () => true; // an earlier wave added both
    expect(planOperations(desired, current, applied).operations.filter((o) => o.kind === 'remove-members')).toHaveLength(1);
    // What make-plan passes for a scoped plan: only people of the scope are removal candidates.
    const scoped = (group: string, email: string) => desired.accounts.has(email) && applied();
    expect(planOperations(desired, current, scoped).operations.filter((o) => o.kind === 'remove-members')).toEqual([]);
  });
});
