/**
 * What a scoped plan carries about its scope (the `scope` field of the plan file): the specs, the cascade
 * per group, every in-scope account with the reasons of each of its source users, the JSM customers kept
 * apart, the Former users, and the account-type mismatches with the cloud (RULES.md SC-S04). Also the
 * rows the workspace records per plan, from which the report tells which wave brought each user in.
 */
import type { DesiredState } from '../plan/desired-state.js';
import type { PlanScopeMember } from '../workspace/scope-store.js';
import { groupCascade, type CascadeRow } from './cascade.js';
import type { FormerWhy, ResolvedScope, ScopedUser } from './resolve.js';

export interface ScopedAccountReasons {
  email: string;
  customer: boolean;
  users: Array<{ source: string; userName: string; userKey: string; status: MemberStatus; reasons: string[] }>;
}

export type MemberStatus = 'direct' | 'via-group' | 'same-account' | 'customer' | 'former-user' | 'skipped';

export interface AccountTypeMismatch {
  email: string;
  user: string;
  /** What the user is at the source: a licensed user, or a portal-only JSM customer. */
  source: 'licensed' | 'customer';
  /** What the cloud account with this email is. */
  cloud: 'customer' | 'atlassian';
  severity: 'warning' | 'info';
  message: string;
}

export interface PlanScope {
  specs: string[];
  groupMembers: 'scoped' | 'all';
  summary: {
    users: number;
    accounts: number;
    direct: number;
    throughGroups: number;
    customers: number;
    formerUsers: number;
    skipped: number;
    groups: number;
    wholeGroups: number;
  };
  groups: CascadeRow[];
  accounts: ScopedAccountReasons[];
  customers: string[];
  formerUsers: Array<{ source: string; userName: string; userKey: string; why: FormerWhy; reasons: string[] }>;
  skipped: Array<{ source: string; userName: string; userKey: string; reasons: string[] }>;
  accountTypeMismatches: AccountTypeMismatch[];
  notes: string[];
}

/** The cloud accounts as plan reads them; `accountType` when the target tells (customer accounts are portal-only). */
export type CloudAccounts = ReadonlyMap<string, { id: string; accountType?: string }>;

const userName = (scoped: ScopedUser) => `${scoped.user.source}:${scoped.user.userName}`;

export function memberStatus(scoped: ScopedUser, outcome: string | undefined): MemberStatus {
  if (outcome === 'former-user') return 'former-user';
  if (outcome === 'skip') return 'skipped';
  if (scoped.customer) return 'customer';
  if (scoped.direct) return 'direct';
  return scoped.reasons.some((r) => r.kind !== 'same-account') ? 'via-group' : 'same-account';
}

export function planScopeSection(desired: DesiredState, scope: ResolvedScope, cloud: CloudAccounts): PlanScope {
  const identities = desired.identities;
  const byEmail = new Map<string, ScopedAccountReasons>();
  const customers: string[] = [];
  const skipped: PlanScope['skipped'] = [];
  let direct = 0;
  let throughGroups = 0;
  for (const scoped of scope.users.values()) {
    const identity = identities.byUser.get(scoped.user);
    const status = memberStatus(scoped, identity?.outcome);
    if (status === 'direct' || status === 'customer') direct++;
    else if (status === 'via-group') throughGroups++;
    if (status === 'customer') customers.push(userName(scoped));
    if (status === 'skipped') skipped.push({ source: scoped.user.source, userName: scoped.user.userName, userKey: scoped.user.userKey, reasons: scoped.reasons.map((r) => r.text) });
    const email = identity?.email;
    if (!email || !desired.accounts.has(email)) continue;
    let account = byEmail.get(email);
    if (!account) byEmail.set(email, (account = { email, customer: false, users: [] }));
    account.customer ||= scoped.customer;
    account.users.push({ source: scoped.user.source, userName: scoped.user.userName, userKey: scoped.user.userKey, status, reasons: scoped.reasons.map((r) => r.text) });
  }
  const groups = groupCascade(desired, scope);
  return {
    specs: scope.spec.specs,
    groupMembers: scope.spec.groupMembers,
    summary: {
      users: scope.users.size,
      accounts: desired.accounts.size,
      direct,
      throughGroups,
      customers: customers.length,
      formerUsers: scope.formerUsers.length,
      skipped: skipped.length,
      groups: groups.length,
      wholeGroups: groups.filter((g) => g.whole).length,
    },
    groups,
    accounts: [...byEmail.values()].sort((a, b) => (a.email < b.email ? -1 : 1)),
    customers: customers.sort(),
    formerUsers: scope.formerUsers.map((f) => ({ source: f.source, userName: f.userName, userKey: f.userKey, why: f.why, reasons: f.reasons })),
    skipped,
    accountTypeMismatches: accountTypeMismatches(desired, scope, cloud),
    notes: [
      ...scope.notes,
      ...(customers.length > 0
        ? [`${customers.length} JSM customer${customers.length === 1 ? '' : 's'} in scope: accounts without groups or product access, not billed (SC-S03, SC-S05)`]
        : []),
    ],
  };
}

/**
 * SC-S04: a licensed source user whose email is a portal-only customer account in the cloud ends up with
 * two accounts; a source customer whose email is an Atlassian account in the cloud stays that account.
 */
export function accountTypeMismatches(desired: DesiredState, scope: ResolvedScope, cloud: CloudAccounts): AccountTypeMismatch[] {
  const result: AccountTypeMismatch[] = [];
  for (const scoped of scope.users.values()) {
    const email = desired.identities.byUser.get(scoped.user)?.email;
    if (!email || !desired.accounts.has(email)) continue;
    const existing = cloud.get(email);
    if (!existing) continue;
    const cloudType = existing.accountType === 'customer' ? 'customer' : 'atlassian';
    if (!scoped.customer && cloudType === 'customer') {
      result.push({
        email,
        user: userName(scoped),
        source: 'licensed',
        cloud: 'customer',
        severity: 'warning',
        message: `${userName(scoped)} is a licensed user, but ${email} is a JSM customer (portal-only) account in the cloud: the migration makes a second, Atlassian account (SC-S04); convert or remove the customer account first`,
      });
    } else if (scoped.customer && cloudType === 'atlassian') {
      result.push({
        email,
        user: userName(scoped),
        source: 'customer',
        cloud: 'atlassian',
        severity: 'info',
        message: `${userName(scoped)} is a JSM customer at the source, and ${email} is an Atlassian account in the cloud: it stays an Atlassian account and is linked (SC-S04)`,
      });
    }
  }
  return result.sort((a, b) => (a.email < b.email ? -1 : 1));
}

/** The rows the workspace records for a scoped plan: every in-scope user and Former user, with why. */
export function scopeMembers(scope: PlanScope): PlanScopeMember[] {
  const members: PlanScopeMember[] = [];
  for (const account of scope.accounts) {
    for (const user of account.users) members.push({ source: user.source, userKey: user.userKey, userName: user.userName, status: user.status, reasons: user.reasons });
  }
  for (const user of scope.skipped) members.push({ ...user, status: 'skipped' });
  for (const former of scope.formerUsers) {
    members.push({ source: former.source, userKey: former.userKey, userName: former.userName, status: `former-user (${former.why})`, reasons: former.reasons });
  }
  return members;
}
