/**
 * What apply writes through and what plan reads from: the SCIM directory (`--via scim`, the default) or
 * the organization API (`--via org`: invite without notification, groups, memberships). Both give the
 * cloud in the planner's shape and the ids that the membership writes need.
 */
import { usageError } from '../model/errors.js';
import type { ScimConnector } from './scim-connector.js';
import { readScimState, type ScimState } from './scim-state.js';

export type Via = 'scim' | 'org';
export const VIAS: readonly Via[] = ['scim', 'org'];

export function parseVia(value: string | undefined): Via {
  if (value === undefined) return 'scim';
  if ((VIAS as readonly string[]).includes(value)) return value as Via;
  throw usageError(`"${value}" is not a way to write; use --via scim or --via org`);
}

/** The cloud as the planner compares with it, plus account id ↔ email. */
export interface CloudState extends ScimState {
  /**
   * Lower-case names of groups this writer cannot change (for the org API: groups synced from an identity
   * provider). Absent when the writer can write every group it lists.
   */
  unwritableGroups?: Map<string, string>;
}

export interface CloudWriter {
  readonly via: Via;
  readState(): Promise<CloudState>;
  /**
   * How many accounts and groups the cloud holds, cheaply; absent when the API cannot tell. With it, the
   * workspace's record of the cloud can be checked instead of the cloud read again.
   */
  totals?(): Promise<{ accounts: number; groups: number }>;
  /** Creates the account, or adopts the one that exists with that email. */
  createAccount(account: { email: string; displayName: string }): Promise<{ id: string; adopted: boolean }>;
  /** Gives the account a new email (and display name), keeping its id and memberships. */
  changeEmail(accountId: string, account: { email: string; displayName: string }): Promise<void>;
  /** Creates the group, or adopts the one that exists with that name. */
  createGroup(name: string): Promise<{ id: string; adopted: boolean }>;
  addMembers(groupId: string, accountIds: string[]): Promise<void>;
  removeMembers(groupId: string, accountIds: string[]): Promise<void>;
}

export class ScimWriter implements CloudWriter {
  readonly via = 'scim' as const;

  constructor(private readonly scim: ScimConnector) {}

  readState(): Promise<CloudState> {
    return readScimState(this.scim);
  }

  totals(): Promise<{ accounts: number; groups: number }> {
    return this.scim.totals();
  }

  async createAccount(account: { email: string; displayName: string }): Promise<{ id: string; adopted: boolean }> {
    const { user, adopted } = await this.scim.createUser({ ...account, active: true });
    return { id: user.id, adopted };
  }

  changeEmail(accountId: string, account: { email: string; displayName: string }): Promise<void> {
    return this.scim.changeEmail(accountId, account);
  }

  async createGroup(name: string): Promise<{ id: string; adopted: boolean }> {
    const { group, adopted } = await this.scim.createGroup(name);
    return { id: group.id, adopted };
  }

  addMembers(groupId: string, accountIds: string[]): Promise<void> {
    return this.scim.addMembers(groupId, accountIds);
  }

  removeMembers(groupId: string, accountIds: string[]): Promise<void> {
    return this.scim.removeMembers(groupId, accountIds);
  }
}
