/**
 * The dashboard's users index (src/serve/user-index.ts) and the user facts the user page shows
 * (src/decide/user-facts.ts), on estates built in memory: search, filters, facets counted over every other
 * filter, findings mapped from user, email and domain subjects, ids, and the nesting path of a group.
 */
import { describe, expect, it } from 'vitest';
import { assessEstate } from '../src/assess/index.js';
import { buildEstate } from '../src/assess/estate.js';
import { resolveIdentities } from '../src/decide/identities.js';
import { userFacts } from '../src/decide/user-facts.js';
import { NO_DECISIONS, type Decisions, type UserDecision } from '../src/model/decision.js';
import { UserIndex, parseUserId, userId } from '../src/serve/user-index.js';
import { estate } from './support/snapshot.js';

const snapshot = estate(
  {
    name: 'jira',
    directories: [
      { id: '1', position: 0, name: 'Internal' },
      { id: '2', position: 1, name: 'Corporate LDAP' },
    ],
    users: [
      ['1', 'alice', 'alice@example.com'],
      ['1', 'bob', 'bob@example.com', false],
      ['2', 'carol', 'not-an-address'],
      ['2', 'dave', 'dave@elsewhere.org'],
    ],
    groups: [
      ['1', 'engineering'],
      ['1', 'backend'],
    ],
    memberships: [
      ['1', 'engineering', 'backend', true],
      ['1', 'backend', 'alice'],
    ],
  },
  {
    name: 'confluence',
    product: 'confluence',
    users: [
      ['1', 'alice', 'ALICE@example.com'],
      ['1', 'erin', 'erin@example.com'],
    ],
  },
);

const decided = (userName: string, action: UserDecision['action'], source = 'jira'): UserDecision => ({
  source,
  userKey: userName,
  userName,
  action,
  newEmail: null,
  target: null,
  decidedBy: 'test',
  decidedAt: '2026-12-04T00:00:00Z',
  reason: '',
  appliedAt: null,
});

function indexOf(decisions: Decisions = NO_DECISIONS) {
  const built = buildEstate(snapshot);
  return { estate: built, index: new UserIndex(built, decisions, assessEstate(built, { decisions })) };
}

const names = (rows: Array<{ source: string; username: string }>) => rows.map((r) => `${r.source}:${r.username}`);

describe('users index', () => {
  it('searches username, display name and email, case-insensitively, and sorts', () => {
    const { index } = indexOf();
    expect(names(index.query({ q: 'ELSEWHERE' }, 'username', 0, 100).rows)).toEqual(['jira:dave']);
    expect(names(index.query({}, 'username', 0, 100).rows)).toEqual(['jira:alice', 'confluence:alice', 'jira:bob', 'jira:carol', 'jira:dave', 'confluence:erin']);
    expect(names(index.query({}, 'email', 0, 2).rows)).toEqual(['jira:alice', 'confluence:alice']);
    const page = index.query({}, 'username', 2, 2);
    expect([page.total, page.offset, page.limit, names(page.rows)]).toEqual([6, 2, 2, ['jira:bob', 'jira:carol']]);
  });

  it('filters by source, directory, activity and decision, and counts each facet over the other filters', () => {
    const { index } = indexOf({ ...NO_DECISIONS, users: [decided('carol', 'former-user')] });
    const inactive = index.query({ active: false }, 'username', 0, 100);
    expect(names(inactive.rows)).toEqual(['jira:bob']);
    const jira = index.query({ source: 'jira', directory: 'Corporate LDAP' }, 'username', 0, 100);
    expect(names(jira.rows)).toEqual(['jira:carol', 'jira:dave']);
    // The sources facet ignores the source filter, the directories facet the directory filter.
    expect(jira.facets.sources).toEqual([
      { name: 'jira', count: 2 },
      { name: 'confluence', count: 0 },
    ]);
    expect(jira.facets.directories).toEqual(expect.arrayContaining([{ name: 'Internal', count: 2 }, { name: 'Corporate LDAP', count: 2 }]));
    expect(jira.facets.decisions.filter((d) => d.count > 0)).toEqual([
      { name: 'none', count: 1 },
      { name: 'former-user', count: 1 },
    ]);
    expect(names(index.query({ decision: 'former-user' }, 'username', 0, 100).rows)).toEqual(['jira:carol']);
    expect(index.query({ decision: 'none' }, 'username', 0, 100).total).toBe(5);
    expect(index.query({ source: 'bitbucket' }, 'username', 0, 100).total).toBe(0);
  });

  it('maps findings from user, email and domain subjects to the users', () => {
    const { index } = indexOf();
    expect(names(index.query({ finding: 'email-invalid' }, 'username', 0, 100).rows)).toEqual(['jira:carol']);
    // The same address in two sources: both users are subjects of the cross-source finding.
    expect(names(index.query({ finding: 'identity-linked-across-sources' }, 'username', 0, 100).rows)).toEqual(['jira:alice', 'confluence:alice']);
    // An untrusted domain concerns every user with an address there.
    expect(names(index.query({ finding: 'domain-untrusted' }, 'username', 0, 100).rows)).toEqual(['jira:alice', 'confluence:alice', 'jira:bob', 'jira:dave', 'confluence:erin']);
    const trusted = indexOf({ ...NO_DECISIONS, domains: ['example.com', 'elsewhere.org'].map((domain) => ({ domain, trusted: true, decidedBy: 't', decidedAt: '', reason: '', appliedAt: null })) });
    expect(trusted.index.query({ finding: 'domain-untrusted' }, 'username', 0, 100).total).toBe(0);
    // A user's page lists exactly the findings the filter finds them by, each with the subject naming them.
    for (let i = 0; i < index.users.length; i++) {
      expect(index.concerns(i).map((c) => c.finding.code).sort()).toEqual([...index.row(i).findings].sort());
    }
    const carol = index.find(index.query({ finding: 'email-invalid' }, 'username', 0, 1).rows[0]!.id)!;
    expect(index.concerns(carol).find((c) => c.finding.code === 'email-invalid')?.subject).toMatchObject({ type: 'user', id: 'carol' });
  });

  it('names users by an opaque, URL-safe id of source and user key', () => {
    const { index } = indexOf();
    const row = index.query({ q: 'dave' }, 'username', 0, 1).rows[0]!;
    expect(row.id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(parseUserId(row.id)).toEqual({ source: 'jira', userKey: 'dave' });
    expect(index.find(userId({ source: 'jira', userKey: 'dave' }))).toBeDefined();
    expect(index.find(userId({ source: 'jira', userKey: 'nobody' }))).toBeUndefined();
    expect(parseUserId('not base64!')).toBeUndefined();
  });
});

describe('user facts', () => {
  it('gives the groups reached through nesting with the path down to the direct one', () => {
    const built = buildEstate(snapshot);
    const alice = built.sources[0]!.usersByLowerName.get('alice')!;
    const facts = userFacts(built, resolveIdentities(built, []), alice);
    expect(facts.direct).toEqual(['backend']);
    expect(facts.nested).toEqual([{ name: 'engineering', path: ['engineering', 'backend'] }]);
    expect(facts.becomes).toMatchObject({ outcome: 'account', email: 'alice@example.com', text: 'an account alice@example.com' });
  });
});
