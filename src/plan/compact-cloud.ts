/**
 * The cloud in compact form: accounts as parallel columns, group members as indexes into them. The
 * workspace's record of the cloud is stored this way, and the planner compares with it this way: with
 * integers instead of sets of emails, a directory of millions of memberships is compared in milliseconds.
 */
import type { CurrentCloud } from './operations.js';

export interface CompactCloud {
  emails: string[];
  /** The accounts' ids (a stored record reads them only when asked: apply needs them, plan does not). */
  readonly ids: string[];
  /** One character per account: 1 active, 0 not. */
  active: string;
  groups: Array<{ lower: string; id: string; name: string; members: Int32Array | readonly number[] }>;
  /** Lower-case name → name of the groups the writer cannot change (the org API's IdP-synced groups). */
  unwritable?: Array<[string, string]>;
}

export const isCompactCloud = (value: CurrentCloud | CompactCloud): value is CompactCloud => Array.isArray((value as CompactCloud).emails);

export function compactCloud(state: CurrentCloud & { unwritableGroups?: Map<string, string> }): CompactCloud {
  const emails: string[] = [];
  const ids: string[] = [];
  let active = '';
  const index = new Map<string, number>();
  for (const [email, account] of state.accounts) {
    index.set(email, emails.length);
    emails.push(email);
    ids.push(account.id);
    active += account.active ? '1' : '0';
  }
  const groups: CompactCloud['groups'] = [];
  for (const [lower, group] of state.groups) {
    const members: number[] = [];
    for (const email of group.members) {
      const at = index.get(email);
      if (at !== undefined) members.push(at);
    }
    groups.push({ lower, id: group.id, name: group.name, members });
  }
  return { emails, ids, active, groups, ...(state.unwritableGroups ? { unwritable: [...state.unwritableGroups] } : {}) };
}

export function expandCloud(compact: CompactCloud): CurrentCloud & {
  emailById: Map<string, string>;
  idByEmail: Map<string, string>;
  unwritableGroups?: Map<string, string>;
} {
  const accounts: CurrentCloud['accounts'] = new Map();
  const emailById = new Map<string, string>();
  const idByEmail = new Map<string, string>();
  const ids = compact.ids;
  compact.emails.forEach((email, at) => {
    const id = ids[at] as string;
    accounts.set(email, { id, active: compact.active[at] === '1' });
    emailById.set(id, email);
    idByEmail.set(email, id);
  });
  const groups: CurrentCloud['groups'] = new Map();
  for (const group of compact.groups) {
    const members = new Set<string>();
    for (const at of group.members) members.add(compact.emails[at] as string);
    groups.set(group.lower, { id: group.id, name: group.name, members });
  }
  return { accounts, groups, emailById, idByEmail, ...(compact.unwritable ? { unwritableGroups: new Map(compact.unwritable) } : {}) };
}
