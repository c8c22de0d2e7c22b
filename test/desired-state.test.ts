import { describe, expect, it } from 'vitest';
import { buildEstate } from '../src/assess/estate.js';
import type { Decisions, UserDecision } from '../src/model/decision.js';
import { accountReasons, desiredState } from '../src/plan/desired-state.js';
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
