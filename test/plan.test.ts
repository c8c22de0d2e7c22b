import { describe, expect, it } from 'vitest';
import { buildEstate } from '../src/assess/estate.js';
import type { Decisions, UserDecision } from '../src/model/decision.js';
import { accountReasons, desiredState } from '../src/plan/desired-state.js';
import { planOperations, type CurrentCloud } from '../src/plan/operations.js';
import { estate, groupGrant } from './support/snapshot.js';

const provenance = { decidedBy: 'test', decidedAt: '2026-11-29T00:00:00Z', reason: '', appliedAt: null };
const decide = (source: string, userName: string, action: UserDecision['action'], extra: Partial<UserDecision> = {}): UserDecision => ({
  source,
  userKey: userName,
  userName,
  action,
  newEmail: null,
  target: null,
  ...provenance,
  ...extra,
});
const none: Decisions = { users: [], domains: [], groups: [] };

const jira = {
  name: 'jira',
  product: 'jira' as const,
  users: [
    ['1', 'ann', 'ann@example.com'],
    ['1', 'old-ann', 'ANN@example.com', false],
    ['1', 'bob', 'bob@example.com'],
    ['1', 'gone', 'gone@host'],
    ['1', 'dan', 'dan@example.com'],
  ] as Array<[string, string, string, boolean?]>,
  groups: [
    ['1', 'jira-software-users'],
    ['1', 'team'],
    ['1', 'jira-administrators'],
    ['1', 'site-admins'],
    ['1', 'empty'],
  ] as Array<[string, string]>,
  memberships: [
    ['1', 'jira-software-users', 'team', true],
    ['1', 'team', 'bob'],
    ['1', 'team', 'ann'],
    ['1', 'jira-administrators', 'old-ann'],
    ['1', 'site-admins', 'dan'],
  ] as Array<[string, string, string, boolean?]>,
  grants: [groupGrant('jira-software-users', 'jira-software', 'application'), groupGrant('jira-administrators', 'ADMINISTER')],
};
const confluence = {
  name: 'confluence',
  product: 'confluence' as const,
  users: [['1', 'ann', 'ann@example.com']] as Array<[string, string, string, boolean?]>,
  groups: [['1', 'confluence-users'], ['1', 'Team']] as Array<[string, string]>,
  memberships: [['1', 'confluence-users', 'ann'], ['1', 'Team', 'ann']] as Array<[string, string, string, boolean?]>,
  grants: [groupGrant('confluence-users', 'USECONFLUENCE')],
};

describe('the desired cloud state', () => {
  it('makes one account per email, across sources and merges, and none for Former users', () => {
    const built = buildEstate(estate(jira, confluence));
    const state = desiredState(built, {
      ...none,
      users: [decide('jira', 'old-ann', 'merge-into', { target: { source: 'jira', userKey: 'ann', userName: 'ann' } }), decide('jira', 'gone', 'former-user')],
    });
    expect([...state.accounts.keys()].sort()).toEqual(['ann@example.com', 'bob@example.com', 'dan@example.com']);
    expect(accountReasons(state.accounts.get('ann@example.com')!)).toEqual(['jira:ann', 'jira:old-ann (merged) (disabled: no groups)', 'confluence:ann']);
    expect(state.formerUsers.map((u) => u.userName)).toEqual(['gone']);
  });

  it('flattens nested groups, keeps empty groups, and gives disabled entries no membership', () => {
    const state = desiredState(buildEstate(estate(jira, confluence)), {
      ...none,
      users: [decide('jira', 'old-ann', 'merge-into', { target: { source: 'jira', userKey: 'ann', userName: 'ann' } })],
    });
    expect([...state.groups.get('jira-software-users')!.members].sort()).toEqual(['ann@example.com', 'bob@example.com']);
    expect(state.groups.get('jira-software-users')!.productAccess).toEqual(new Set(['jira-software']));
    // The disabled duplicate's admin group does not reach the merged account.
    expect([...state.groups.get('jira-administrators')!.members]).toEqual([]);
    expect(state.groups.get('jira-administrators')!.adminPermissions).toEqual(new Set(['ADMINISTER']));
    expect(state.groups.has('empty')).toBe(true);
  });

  it('never creates blocklisted groups, and lists their members instead', () => {
    const state = desiredState(buildEstate(estate(jira, confluence)), none);
    expect(state.groups.has('site-admins')).toBe(false);
    expect(state.blocklisted).toEqual([{ name: 'site-admins', members: new Set(['dan@example.com']) }]);
  });

  it('merges same-name groups across products and follows group decisions', () => {
    const merged = desiredState(buildEstate(estate(jira, confluence)), none);
    expect(merged.groups.get('team')!.occurrences.map((o) => o.source.name)).toEqual(['jira', 'confluence']);
    const renamed = desiredState(buildEstate(estate(jira, confluence)), {
      ...none,
      groups: [
        { source: 'confluence', group: 'team', action: 'rename', value: 'wiki-team', ...provenance },
        { source: '*', group: 'empty', action: 'skip', value: null, ...provenance },
      ],
    });
    expect(renamed.groups.get('team')!.occurrences.map((o) => o.source.name)).toEqual(['jira']);
    expect([...renamed.groups.get('wiki-team')!.members]).toEqual(['ann@example.com']);
    expect(renamed.groups.has('empty')).toBe(false);
  });
});

describe('the operations that reach the desired state', () => {
  const state = () => desiredState(buildEstate(estate(jira, confluence)), none);

  it('creates what is missing, links existing accounts, and adds members in chunks of 100', () => {
    const many = {
      name: 'jira',
      product: 'jira' as const,
      users: Array.from({ length: 250 }, (_, i) => ['1', `u${i}`, `u${i}@example.com`] as [string, string, string]),
      groups: [['1', 'big']] as Array<[string, string]>,
      memberships: Array.from({ length: 250 }, (_, i) => ['1', 'big', `u${i}`] as [string, string, string]),
    };
    const desired = desiredState(buildEstate(estate(many)), none);
    const planned = planOperations(desired, { accounts: new Map([['u0@example.com', { id: 'a0', active: true }]]), groups: new Map() });
    expect(planned.linked).toEqual(['u0@example.com']);
    expect(planned.operations.filter((o) => o.kind === 'create-account')).toHaveLength(249);
    const adds = planned.operations.filter((o) => o.kind === 'add-members');
    expect(adds.map((o) => (o.kind === 'add-members' ? o.emails.length : 0))).toEqual([100, 100, 50]);
    expect(planned.writes).toBe(249 + 1 + 3);
  });

  it('plans nothing when the cloud already holds the desired state', () => {
    const desired = state();
    const current: CurrentCloud = {
      accounts: new Map([...desired.accounts.keys()].map((email, i) => [email, { id: `a${i}`, active: true }])),
      groups: new Map([...desired.groups].map(([lower, group], i) => [lower, { id: `g${i}`, name: group.name, members: new Set(group.members) }])),
    };
    expect(planOperations(desired, current).operations).toEqual([]);
  });

  it('proposes removing only memberships an earlier apply added', () => {
    const desired = state();
    const current: CurrentCloud = {
      accounts: new Map([...desired.accounts.keys()].map((email, i) => [email, { id: `a${i}`, active: true }])),
      groups: new Map([...desired.groups].map(([lower, group], i) => [lower, { id: `g${i}`, name: group.name, members: new Set(group.members) }])),
    };
    for (const email of ['left@example.com', 'someone-else-added@example.com']) {
      current.accounts.set(email, { id: email, active: true });
      current.groups.get('team')!.members.add(email);
    }
    const planned = planOperations(desired, current, (group, email) => group === 'team' && email === 'left@example.com');
    expect(planned.operations).toEqual([{ kind: 'remove-members', group: 'team', emails: ['left@example.com'] }]);
  });
});
