import { describe, expect, it } from 'vitest';
import { assess } from '../src/assess/index.js';
import type { Finding } from '../src/model/finding.js';
import { estate, groupGrant } from './support/snapshot.js';

const codes = (findings: Finding[]) => findings.map((f) => f.code);
const find = (findings: Finding[], code: string) => findings.filter((f) => f.code === code);

describe('effective users (S-03)', () => {
  const snapshot = estate({
    directories: [
      { id: '10000', position: 1, name: 'LDAP' },
      { id: '1', position: 0, name: 'Internal' },
      { id: '2', position: 2, active: false, name: 'Old Crowd' },
    ],
    users: [
      ['10000', 'Alice', 'alice@ldap.example.com'],
      ['1', 'alice', 'alice@example.com'],
      ['10000', 'bob', 'bob@example.com'],
      ['1', 'BOB', 'bob@example.com'],
      ['2', 'carol', 'carol@example.com'],
      ['2', 'bob', 'other@example.com'],
    ],
    groups: [
      ['1', 'jira-users'],
      ['10000', 'jira-users'],
      ['10000', 'ldap-only'],
    ],
    memberships: [
      ['1', 'jira-users', 'alice'],
      ['10000', 'jira-users', 'alice'], // alice's effective entry is internal: this LDAP membership does not count
      ['10000', 'ldap-only', 'Alice'],
      ['1', 'jira-users', 'bob'], // BOB's internal entry wins; usernames compare case-insensitively
    ],
  });
  const result = assess(snapshot);

  it('takes each username from the first active directory in position order', () => {
    expect(result.summary.users).toBe(2);
    expect(result.summary.activeUsers).toBe(2);
  });

  it('reports shadowed entries, as a warning when their email differs', () => {
    const [differs] = find(result.findings, 'user-shadowed-email-differs');
    expect(differs?.subjects.map((s) => s.id)).toEqual(['Alice']);
    const [same] = find(result.findings, 'user-shadowed');
    expect(same?.subjects.map((s) => s.id)).toEqual(['bob']);
  });

  it('does not count users found only in inactive directories', () => {
    const [inactive] = find(result.findings, 'user-in-inactive-directory');
    expect(inactive?.subjects.map((s) => s.id)).toEqual(['carol']);
  });

  it('counts memberships only in the directory holding the effective entry', () => {
    expect(result.summary.directMemberships).toBe(2);
    expect(result.summary.groups).toBe(2);
  });
});

describe('emails (S-01, S-02, S-04, AS-02)', () => {
  const result = assess(
    estate({
      users: [
        ['1', 'a', 'Same@Example.com'],
        ['1', 'b', 'same@example.com '],
        ['1', 'c', 'same@example.com'],
        ['1', 'd', 'bad@host'],
        ['1', 'e', 'bad@host'],
        ['1', 'f', ''],
        ['1', 'g', 'pair@example.org'],
        ['1', 'h', 'PAIR@example.org'],
      ],
    }),
  );

  it('counts duplicated addresses, not users, comparing case-insensitively after trimming', () => {
    expect(result.summary.duplicatedEmails).toBe(2);
    const [duplicated] = find(result.findings, 'email-duplicated');
    expect(duplicated?.severity).toBe('blocker');
    expect(duplicated?.subjects).toHaveLength(5);
  });

  it('counts an invalid address only as invalid, even when shared', () => {
    expect(result.summary.invalidEmails).toBe(3);
    expect(find(result.findings, 'email-invalid')[0]?.subjects.map((s) => s.id)).toEqual(['d', 'e', 'f']);
  });

  it('notes padded addresses as information', () => {
    expect(find(result.findings, 'email-whitespace')[0]?.subjects.map((s) => s.id)).toEqual(['b']);
  });

  it('blocks once per untrusted domain, with its user count', () => {
    const domains = find(result.findings, 'domain-untrusted');
    expect(domains.map((f) => f.subjects[0]?.id)).toEqual(['example.com', 'example.org']);
    expect(result.summary.domains).toBe(2);
  });
});

describe('groups (S-05, S-06, S-07, S-09, S-10)', () => {
  const jira = {
    name: 'jira',
    product: 'jira' as const,
    users: [
      ['1', 'ann', 'ann@example.com'],
      ['1', 'ben', 'ben@example.com'],
      ['1', 'cid', 'cid@example.com', false],
      ['1', 'dan', 'dan@example.com'],
    ] as Array<[string, string, string, boolean?]>,
    groups: [
      ['1', 'jira-software-users'],
      ['1', 'team-a'],
      ['1', 'team-b'],
      ['1', 'loop-1'],
      ['1', 'loop-2'],
      ['1', 'System-Administrators'],
      ['1', 'jira-administrators'],
      ['1', 'Engineering'],
    ] as Array<[string, string]>,
    memberships: [
      ['1', 'jira-software-users', 'team-a', true],
      ['1', 'team-a', 'team-b', true],
      ['1', 'team-b', 'ann'],
      ['1', 'team-a', 'cid'],
      ['1', 'loop-1', 'loop-2', true],
      ['1', 'loop-2', 'loop-1', true],
      ['1', 'loop-1', 'ben'],
      ['1', 'loop-2', 'dan'],
      ['1', 'System-Administrators', 'dan'],
      ['1', 'jira-administrators', 'ben'],
      ['1', 'Engineering', 'ann'],
    ] as Array<[string, string, string, boolean?]>,
    grants: [
      groupGrant('jira-software-users', 'jira-software', 'application'),
      groupGrant('loop-2', 'jira-servicedesk', 'application'),
      groupGrant('jira-administrators', 'ADMINISTER'),
      groupGrant('Jira Users Old', 'BROWSE_PROJECTS', 'permission-scheme', 'Default Permission Scheme'),
    ],
  };
  const confluence = {
    name: 'confluence',
    product: 'confluence' as const,
    users: [
      ['1', 'ann', 'ann@example.com'],
      ['1', 'eve', 'eve@example.com'],
    ] as Array<[string, string, string, boolean?]>,
    groups: [
      ['1', 'engineering'],
      ['1', 'confluence-users'],
    ] as Array<[string, string]>,
    memberships: [
      ['1', 'engineering', 'eve'],
      ['1', 'confluence-users', 'eve'],
      ['1', 'confluence-users', 'ann'],
    ] as Array<[string, string, string, boolean?]>,
    grants: [groupGrant('confluence-users', 'USECONFLUENCE')],
  };
  const result = assess(estate(jira, confluence));

  it('flattens nested groups and bills only active members of granting groups', () => {
    expect(result.summary.billableUsers).toEqual({ 'jira-software': 1, 'jira-servicedesk': 2, confluence: 2 });
    expect(result.summary.nestedGroups).toBe(4);
  });

  it('gives every group of a cycle the members of the whole cycle, and reports the cycle', () => {
    const [cycle] = find(result.findings, 'group-cycle');
    expect(cycle?.subjects.map((s) => s.id)).toEqual(['loop-1', 'loop-2']);
  });

  it('lists the members of blocklisted groups, case-insensitively', () => {
    const [blocklisted] = find(result.findings, 'group-blocklisted');
    expect(blocklisted?.subjects.map((s) => s.id)).toEqual(['System-Administrators', 'dan']);
    expect(result.summary.blocklistedGroups).toBe(1);
  });

  it('warns about admin groups with their members', () => {
    const [admin] = find(result.findings, 'group-admin-access');
    expect(admin?.subjects.map((s) => s.id)).toEqual(['jira-administrators', 'ben']);
  });

  it('merges same-name groups across products and names who gains membership', () => {
    const [merged] = find(result.findings, 'group-merged-across-products');
    const gains = merged?.subjects.filter((s) => s.type === 'user').map((s) => `${s.source}:${s.id}`);
    expect(gains).toEqual(['confluence:eve', 'jira:ann']);
    expect(find(result.findings, 'group-case-collision')[0]?.subjects.map((s) => s.id)).toEqual(['Engineering', 'engineering']);
    expect(result.summary.groups).toBe(9);
  });

  it('warns about grants to groups that do not exist', () => {
    const [dangling] = find(result.findings, 'group-reference-dangling');
    expect(dangling?.subjects[0]).toMatchObject({ type: 'group', id: 'Jira Users Old' });
    expect(dangling?.subjects[1]?.detail).toContain('Default Permission Scheme');
  });

  it('links people across sources by email', () => {
    expect(find(result.findings, 'identity-linked-across-sources')[0]?.subjects.map((s) => s.id)).toEqual(['ann@example.com']);
  });
});

describe('references and status', () => {
  it('reports deleted users still referenced, and filters owned by people who will not be active', () => {
    const result = assess(
      estate({
        users: [
          ['1', 'ann', 'ann@example.com'],
          ['1', 'old', 'old@example.com', false],
        ],
        userKeys: [
          ['JIRAUSER10000', 'ann'],
          ['JIRAUSER10001', 'gone'],
          ['JIRAUSER10002', 'old'],
        ],
        referencedKeys: [
          { userKey: 'JIRAUSER10000', count: 3, example: 'assignee TST-1' },
          { userKey: 'JIRAUSER10001', count: 2, example: 'reporter TST-2' },
        ],
        ownedObjects: [
          { userKey: 'JIRAUSER10002', kind: 'filter-owner', item: 'My open bugs' },
          { userKey: 'JIRAUSER10000', kind: 'filter-owner', item: 'Team filter' },
        ],
      }),
    );
    expect(find(result.findings, 'user-deleted-referenced')[0]?.subjects.map((s) => s.id)).toEqual(['JIRAUSER10001']);
    expect(find(result.findings, 'shared-object-owner-inactive')[0]?.subjects.map((s) => s.detail)).toEqual([
      'filter My open bugs (owner disabled)',
    ]);
    expect(find(result.findings, 'user-disabled')[0]?.subjects.map((s) => s.id)).toEqual(['old']);
  });

  it('counts jira-software from the USE permission only when the instance has no application roles', () => {
    const old = assess(
      estate({
        users: [['1', 'ann', 'ann@example.com']],
        groups: [['1', 'jira-users']],
        memberships: [['1', 'jira-users', 'ann']],
        grants: [groupGrant('jira-users', 'USE')],
      }),
    );
    expect(old.summary.billableUsers).toEqual({ 'jira-software': 1 });
    expect(codes(old.findings)).toContain('licence-projection');
  });
});

describe('limits (S-07, LIM-01..03)', () => {
  it('warns when a flattened group passes the 35,000 members an identity provider syncs', () => {
    const users = Array.from({ length: 35_001 }, (_, i) => ['1', `u${i}`, `u${i}@example.com`] as [string, string, string]);
    const half = Math.floor(users.length / 2);
    const result = assess(
      estate({
        users,
        groups: [
          ['1', 'everyone'],
          ['1', 'first-half'],
        ],
        memberships: [
          ['1', 'everyone', 'first-half', true],
          ...users.slice(0, half).map(([, name]) => ['1', 'first-half', name] as [string, string, string]),
          ...users.slice(half).map(([, name]) => ['1', 'everyone', name] as [string, string, string]),
        ],
      }),
    );
    const [limit] = find(result.findings, 'group-over-sync-limit');
    expect(limit?.subjects).toEqual([{ type: 'group', id: 'everyone', source: 'jira', detail: '35001 members' }]);
    expect(find(result.findings, 'group-over-limit')).toEqual([]);
    expect(find(result.findings, 'directory-over-recommended-size')).toEqual([]);
  });
});
