/**
 * The strategy (issue 9) as a pure function, on small estates built in memory and shaped for each branch:
 * small internal-only, large (waves, pre-migration insisted on), with LDAP and nesting (IdP and Guard,
 * --idp), over the SCIM limits, free-tier sized, and the journey's counts.
 */
import { describe, expect, it } from 'vitest';
import { buildEstate } from '../src/assess/estate.js';
import { assessEstate } from '../src/assess/index.js';
import { NO_DECISIONS, type Decisions, type UserDecision } from '../src/model/decision.js';
import { computeStrategy, DEFAULT_TIERS, type ContainerUsage, type Idp, type JourneyState, type Point, type SourceInfo, type Strategy } from '../src/strategy/index.js';
import type { EstateSnapshot } from '../src/workspace/estate-loader.js';
import { estate as snapshotOf, groupGrant, type SourceDraft } from './support/snapshot.js';

const NO_JOURNEY: JourneyState = { applies: [], ledger: { done: 0, failed: 0, intent: 0 }, scopes: [] };

/** Source info as the edge would read it from the snapshot (directory types given per directory id). */
function infoOf(snapshot: EstateSnapshot, types: Record<string, string> = {}, containers: Record<string, number> = {}): SourceInfo[] {
  return snapshot.sources.map((source) => {
    const groupsByDirectory = new Map<string, Set<string>>();
    for (const [dir, name] of source.groups) groupsByDirectory.set(dir, (groupsByDirectory.get(dir) ?? new Set()).add(name.toLowerCase()));
    return {
      name: source.name,
      kind: 'test',
      product: source.product,
      directories: source.directories.map((d) => ({ id: d.id, name: d.name, type: types[d.id] ?? d.type, active: d.active })),
      groupsByDirectory,
      containers,
    };
  });
}

interface Options {
  idp?: Idp;
  decisions?: Decisions;
  types?: Record<string, string>;
  containers?: Record<string, number>;
  usage?: ContainerUsage;
  journey?: JourneyState;
}

function strategyOf(drafts: SourceDraft[], options: Options = {}): Strategy {
  const snapshot = snapshotOf(...drafts);
  const estate = buildEstate(snapshot);
  const decisions = options.decisions ?? NO_DECISIONS;
  return computeStrategy({
    estate,
    decisions,
    assessment: assessEstate(estate, { decisions }),
    sources: infoOf(snapshot, options.types, options.containers),
    journey: options.journey ?? NO_JOURNEY,
    idp: options.idp ?? 'none',
    tiers: DEFAULT_TIERS,
    ...(options.usage ? { containerUsage: () => options.usage as ContainerUsage } : {}),
  });
}

const section = (strategy: Strategy, id: string): Point[] => strategy.sections.find((s) => s.id === id)?.points ?? [];
const withRule = (strategy: Strategy, rule: string): Point[] => strategy.sections.flatMap((s) => s.points).filter((p) => p.rules.includes(rule));

const people = (count: number, domain = 'example.com', from = 0): Array<[string, string, string]> =>
  Array.from({ length: count }, (_, i) => ['1', `u${from + i}`, `u${from + i}@${domain}`]);

const decision = (userName: string, action: UserDecision['action']): UserDecision => ({
  source: 'jira',
  userKey: userName,
  userName,
  action,
  newEmail: null,
  target: null,
  decidedBy: 'test',
  decidedAt: '2026-11-29T00:00:00Z',
  reason: '',
  appliedAt: null,
});

describe('strategy: a small internal-only estate', () => {
  const drafts: SourceDraft[] = [
    {
      users: [['1', 'alice', 'alice@example.com'], ['1', 'bob', 'bob@example.com'], ['1', 'carol', 'carol@other.org'], ['1', 'dan', 'dan@example.com', false]],
      groups: [['1', 'team']],
      memberships: [['1', 'team', 'alice'], ['1', 'team', 'bob']],
    },
  ];
  const strategy = strategyOf(drafts);

  it('advises (does not insist on) pre-migrating users, with the count of active and inactive users', () => {
    const [first] = section(strategy, 'timing');
    expect(first?.level).toBe('advise');
    expect(first?.rules).toEqual(['DIFF-01']);
    expect(first?.because).toContain('4 people (4 source users: 3 active, 1 inactive) is within the 2,000');
    expect(section(strategy, 'waves')[0]?.text).toMatch(/One wave is enough/);
  });

  it('needs no identity provider, no partner, and lists the domains to verify with their user counts', () => {
    expect(section(strategy, 'identity')).toEqual([expect.objectContaining({ level: 'ok', rules: ['CUM-06'] })]);
    expect(section(strategy, 'help')[0]?.level).toBe('info');
    expect(strategy.domains).toEqual([
      { domain: 'example.com', users: 3, trusted: false },
      { domain: 'other.org', users: 1, trusted: false },
    ]);
    const [verify] = section(strategy, 'domains');
    expect(verify?.rules).toEqual(['ID-05', 'ID-08']);
    expect(verify?.text).toContain('example.com (3), other.org (1)');
  });

  it('is the same advice for the same estate', () => {
    expect(strategyOf(drafts)).toEqual(strategy);
  });
});

describe('strategy: a large estate', () => {
  // 2,100 people: projects A and B share their people, C and D share theirs, and the two halves share none.
  const users = people(2_100);
  const keys = (from: number, to: number) => new Set(users.slice(from, to).map(([, name]) => name));
  const usage: ContainerUsage = new Map([
    [
      'jira',
      new Map([
        ['A', keys(0, 1_000)],
        ['B', keys(100, 1_000)],
        ['C', keys(1_000, 2_100)],
        ['D', keys(1_000, 1_800)],
      ]),
    ],
  ]);
  const strategy = strategyOf([{ users }], { usage, containers: { 'jira-project': 4 } });

  it('insists on pre-migrating all users above 2,000 users (DIFF-01) and advises a partner above 1,000', () => {
    const [first] = section(strategy, 'timing');
    expect(first?.level).toBe('insist');
    expect(first?.because).toContain('2,100 people');
    expect(first?.because).toContain('above the 2,000');
    expect(section(strategy, 'help')[0]).toMatchObject({ level: 'advise', text: 'Work with an Atlassian migration partner.' });
  });

  it('suggests waves of project clusters that share few people, with their sizes', () => {
    expect(strategy.waves).toEqual([
      { wave: 1, containers: ['jira:C', 'jira:D'], people: 1_100, sharedWithOtherWaves: 0 },
      { wave: 2, containers: ['jira:A', 'jira:B'], people: 1_000, sharedWithOtherWaves: 0 },
    ]);
    const [point] = section(strategy, 'waves');
    expect(point?.level).toBe('advise');
    expect(point?.because).toContain('wave 1: 2 projects and spaces, 1,100 people; wave 2: 2 projects and spaces, 1,000 people');
  });
});

describe('strategy: external directories and nested groups', () => {
  // Directory 1 internal, 2 LDAP: "eng" (in both) holds "devs" (LDAP) and, in the internal directory, admin.
  const drafts: SourceDraft[] = [
    {
      directories: [{ id: '1', position: 0 }, { id: '2', position: 1, name: 'Corporate LDAP' }],
      users: [['1', 'admin', 'admin@example.com'], ['2', 'alice', 'alice@example.com'], ['2', 'bob', 'bob@example.com']],
      groups: [['2', 'eng'], ['1', 'eng'], ['2', 'devs'], ['1', 'jira-software-users']],
      memberships: [['2', 'eng', 'devs', true], ['2', 'devs', 'alice'], ['2', 'devs', 'bob'], ['1', 'eng', 'admin'], ['1', 'jira-software-users', 'admin']],
      grants: [groupGrant('eng', 'ADMINISTER')],
    },
  ];
  const types = { '2': 'CONNECTOR' };

  it('an LDAP directory means an identity provider in between and Guard (CUM-06), with its users counted', () => {
    const strategy = strategyOf(drafts, { types });
    const [idp] = section(strategy, 'identity');
    expect(idp).toMatchObject({ level: 'insist', rules: ['CUM-06', 'CUM-07'] });
    expect(idp?.text).toContain('Atlassian Guard');
    expect(idp?.because).toBe('1 external directory hold 2 users: jira: Corporate LDAP (CONNECTOR, 2 users)');
    expect(strategy.numbers).toMatchObject({ externalDirectories: 1, usersInExternalDirectories: 2, nestedGroups: 1 });
    expect(strategy.journey[1]?.items[1]).toMatchObject({ label: 'Guard and identity provider', status: 'todo' });
  });

  it('--idp google warns that the nested groups are lost (CUM-07, GR-10)', () => {
    const strategy = strategyOf(drafts, { types, idp: 'google' });
    const lost = withRule(strategy, 'GR-10')[0];
    expect(lost?.level).toBe('warn');
    expect(lost?.text).toMatch(/nested groups are lost/);
    expect(lost?.because).toContain('1 nested group (jira:eng) give 2 memberships through a child group');
    expect(strategy.journey[1]?.items[1]?.status).toBe('done');
  });

  it('--idp okta flattens; --idp entra loses parent memberships', () => {
    expect(withRule(strategyOf(drafts, { types, idp: 'okta' }), 'CUM-07').find((p) => p.text.includes('flattens'))?.level).toBe('ok');
    const entra = withRule(strategyOf(drafts, { types, idp: 'entra' }), 'GR-10')[0];
    expect(entra?.text).toMatch(/lose their membership of parent groups/);
  });

  it('names the migrated groups a SCIM sync would overwrite, the ones it cannot sync, and when to turn SCIM on', () => {
    const strategy = strategyOf(drafts, { types, idp: 'okta' });
    const overwrite = withRule(strategy, 'GR-12').find((p) => p.text.includes('overwrites'));
    expect(overwrite?.text).toContain('eng (1 member from outside the directory)');
    expect(withRule(strategy, 'GR-13')[0]?.because).toContain('eng');
    expect(withRule(strategy, 'GR-12').find((p) => p.text.includes('cannot be SCIM-synced'))?.because).toContain('jira-software-users');
    expect(withRule(strategy, 'GR-15')[0]?.level).toBe('advise');
    const merged = strategyOf(drafts, { types, idp: 'okta', decisions: { ...NO_DECISIONS, users: [{ ...decision('bob', 'new-email'), newEmail: 'robert@example.com' }] } });
    expect(withRule(merged, 'ID-08').find((p) => p.rules.includes('GR-15'))).toMatchObject({ level: 'insist' });
  });

  it('an inactive external directory does not call for an identity provider', () => {
    const strategy = strategyOf([{ ...drafts[0], directories: [{ id: '1', position: 0 }, { id: '2', position: 1, active: false }] }], { types });
    expect(section(strategy, 'identity')[0]?.level).toBe('ok');
  });
});

describe('strategy: SCIM limits', () => {
  it('flags a group above 35,000 members once flattened (LIM-03, LIM-04)', () => {
    const users = people(35_001);
    const strategy = strategyOf([
      {
        users,
        groups: [['1', 'everyone'], ['1', 'staff']],
        memberships: [['1', 'everyone', 'staff', true], ...users.map(([, name]): [string, string, string] => ['1', 'staff', name])],
      },
    ]);
    const limit = withRule(strategy, 'LIM-03')[0];
    expect(limit).toMatchObject({ level: 'warn', rules: ['LIM-03', 'LIM-04'] });
    expect(limit?.because).toBe('2 groups above 35,000 members once flattened: everyone (35,001), staff (35,001)');
  });
});

describe('strategy: licences', () => {
  const users = people(12);
  const drafts: SourceDraft[] = [
    {
      name: 'confluence',
      product: 'confluence',
      users,
      groups: [['1', 'confluence-users']],
      memberships: users.map(([, name]): [string, string, string] => ['1', 'confluence-users', name]),
      grants: [groupGrant('confluence-users', 'USECONFLUENCE')],
    },
  ];

  it('counts billable users now and after the decisions, the trial tier, and warns above the free tier (LIC-04, LIC-05)', () => {
    const formers: UserDecision[] = ['u0', 'u1', 'u2'].map((name) => ({ ...decision(name, 'former-user'), source: 'confluence' }));
    const strategy = strategyOf(drafts, { decisions: { ...NO_DECISIONS, users: formers } });
    expect(strategy.licences).toEqual([{ product: 'confluence', billableNow: 12, billableAfterDecisions: 9, tier: 10, freeLimit: 10 }]);
    expect(section(strategy, 'licences')[0]?.text).toBe('confluence: the cloud migration trial must cover 10 users (the tier holding 9 billable users).');
    expect(withRule(strategy, 'LIC-05')).toEqual([]);
    const all = strategyOf(drafts);
    expect(all.licences[0]).toMatchObject({ billableAfterDecisions: 12, tier: 25 });
    expect(withRule(all, 'LIC-05')[0]).toMatchObject({ level: 'warn', because: '12 billable users, above the Free plan\'s 10' });
  });
});

describe('strategy: the journey', () => {
  it('counts the emails fixed and the domains trusted, and follows the applies', () => {
    const drafts: SourceDraft[] = [{ users: [['1', 'alice', 'alice@example.com'], ['1', 'bob', 'not-an-email'], ['1', 'carol', '']] }];
    const before = strategyOf(drafts);
    const prepare = before.journey[2]!;
    expect(prepare.items[0]).toMatchObject({ label: 'emails fixed 0/2', status: 'todo' });
    expect(prepare.items[1]).toMatchObject({ label: 'domains trusted 0/1', status: 'todo' });
    expect(before.journey[4]?.items[0]).toMatchObject({ label: 'plans applied 0', status: 'todo' });

    const decisions: Decisions = {
      users: [decision('bob', 'former-user')],
      domains: [{ domain: 'example.com', trusted: true, decidedBy: 't', decidedAt: 't', reason: '', appliedAt: null }],
      groups: [],
    };
    const journey: JourneyState = {
      ...NO_JOURNEY,
      applies: [{ planId: 'plan-1', startedAt: 't', finishedAt: 't', target: 'local', specs: ['all'], summary: {} }],
      lastPlan: { id: 'plan-1', createdAt: 't', writes: 3, applied: true, current: true },
    };
    const after = strategyOf(drafts, { decisions, journey });
    expect(after.journey[2]?.items[0]).toMatchObject({ label: 'emails fixed 1/2', status: 'in-progress' });
    expect(after.journey[2]?.items[1]).toMatchObject({ label: 'domains trusted 1/1', status: 'done' });
    expect(after.journey[4]).toMatchObject({ status: 'done', items: [expect.objectContaining({ label: 'plans applied 1' }), expect.objectContaining({ status: 'done' })] });
  });
});
