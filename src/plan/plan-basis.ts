/**
 * What a plan needs from the estate and the decisions, in a compact form that can be saved: the accounts
 * in email order, each with its display name, the reasons it exists and its source users' keys (read only
 * for the accounts a plan creates or changes), and the groups in name order with their members as
 * indexes into the accounts. The planner compares it with the cloud.
 *
 * It is a pure function of the workspace (sources and decisions), so the workspace keeps the last one
 * under the workspace's fingerprint (src/workspace/plan-basis-store.ts): planning again with nothing
 * changed neither loads nor assesses the estate.
 */
import type { DesiredState } from './desired-state.js';

export interface BasisDetail {
  displayName: string;
  reasons: string[];
  /** `source:userKey` of each source user that lands in the account: how a later plan recognises them. */
  keys: string[];
}

export interface BasisGroup {
  /** Lower-case cloud name. */
  lower: string;
  name: string;
  /** A source group was mapped into it: a merge the administrator consented to. */
  mapped: boolean;
  /** Indexes into the accounts, ascending (so in email order). */
  members: Int32Array | readonly number[];
}

export interface PlanBasis {
  /** The accounts' emails, sorted. */
  emails: string[];
  /** The rest of account `at`. */
  detail(at: number): BasisDetail;
  groups: BasisGroup[];
}

const byKey = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function planBasis(desired: DesiredState): PlanBasis {
  const accounts = [...desired.accounts.values()].sort((a, b) => byKey(a.email, b.email));
  const emails = accounts.map((account) => account.email);
  const details: BasisDetail[] = accounts.map((account) => ({
    displayName: account.displayName,
    reasons: account.users.map(({ user, via }) => `${user.source}:${user.userName}${via === 'merged' ? ' (merged)' : ''}`),
    keys: account.users.map(({ user }) => `${user.source}:${user.userKey}`),
  }));
  const index = new Map(emails.map((email, at) => [email, at]));
  const groups = [...desired.groups.entries()]
    .sort((a, b) => byKey(a[0], b[0]))
    .map(([lower, group]) => {
      const members: number[] = [];
      for (const email of group.members) {
        const at = index.get(email);
        if (at !== undefined) members.push(at);
      }
      return { lower, name: group.name, mapped: group.mapped, members: Int32Array.from(members.sort((a, b) => a - b)) };
    });
  return { emails, detail: (at) => details[at] as BasisDetail, groups };
}

export const isPlanBasis = (value: PlanBasis | DesiredState): value is PlanBasis => Array.isArray((value as PlanBasis).emails);
