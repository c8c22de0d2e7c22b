/**
 * `--via org`: the cloud read and written through the organization API v2 (TARGETS.md §2.2).
 *
 * - State: users search page by page with each user's groups (expand GROUPS), and groups search: O(users
 *   + groups) / page requests, whatever the number of memberships. Accounts are the users of the org
 *   directory; groups are every group of the organization, those synced from an identity provider being
 *   listed as unwritable (the org API cannot change their members).
 * - Accounts: looked up by email; an account that exists is invited into the directory if it is not in it
 *   already, and adopted; otherwise invited, without notification (the invite creates the account).
 * - Groups: created; an answer that the name exists (400 or 409), or no answer, is resolved by searching
 *   the name and adopting the group.
 * - Memberships: one account per request, the org API having no batch; the HTTP client paces them.
 */
import { UsermigError } from '../model/errors.js';
import type { CurrentCloud } from '../plan/operations.js';
import type { CloudState, CloudWriter } from './cloud-writer.js';
import { OutcomeUnknownError } from './http-client.js';
import type { OrgConnector, OrgGroup, OrgUser } from './org-connector.js';
import { backoff } from './retry-policy.js';

const CREATE_ATTEMPTS = 3;

const inDirectory = (user: OrgUser): boolean => user.membershipStatus !== undefined && user.membershipStatus !== 'no_membership';

export class OrgWriter implements CloudWriter {
  readonly via = 'org' as const;

  constructor(private readonly org: OrgConnector) {}

  async readState(): Promise<CloudState> {
    const [users, groups] = await Promise.all([this.org.listUsersWithGroups(), this.org.listGroups()]);
    const accounts: CurrentCloud['accounts'] = new Map();
    const emailById = new Map<string, string>();
    const idByEmail = new Map<string, string>();
    const byName: CurrentCloud['groups'] = new Map();
    const byId = new Map<string, Set<string>>();
    const unwritableGroups = new Map<string, string>();
    for (const group of groups) {
      const members = new Set<string>();
      byName.set(group.name.toLowerCase(), { id: group.id, name: group.name, members });
      byId.set(group.id, members);
      if (group.externalSynced) unwritableGroups.set(group.name.toLowerCase(), group.name);
    }
    for (const user of users) {
      if (!user.email || !inDirectory(user)) continue;
      const email = user.email.trim().toLowerCase();
      accounts.set(email, { id: user.accountId, active: user.accountStatus !== 'inactive' && user.accountStatus !== 'closed' && user.membershipStatus !== 'suspended' });
      emailById.set(user.accountId, email);
      idByEmail.set(email, user.accountId);
      for (const group of user.groups ?? []) byId.get(group.id)?.add(email);
    }
    return { accounts, groups: byName, emailById, idByEmail, unwritableGroups };
  }

  async createAccount(account: { email: string; displayName: string }): Promise<{ id: string; adopted: boolean }> {
    const existing = await this.org.findUserByEmail(account.email);
    if (existing && inDirectory(existing)) return { id: existing.accountId, adopted: true };
    await this.org.invite(account.email);
    const invited = await this.org.findUserByEmail(account.email);
    if (!invited) throw new UsermigError('unreachable', `the account ${account.email} was invited but cannot be found`);
    return { id: invited.accountId, adopted: existing !== undefined };
  }

  /** Plan refuses email changes through the organization API (it cannot change an account's email). */
  async changeEmail(): Promise<void> {
    throw new UsermigError('usage', "the organization API cannot change an account's email; apply this plan with --via scim");
  }

  async createGroup(name: string): Promise<{ id: string; adopted: boolean }> {
    for (let attempt = 1; ; attempt++) {
      let refused: string | undefined;
      try {
        const response = await this.org.createGroup(name);
        if (response.status === 200 || response.status === 201) {
          const body = response.body as OrgGroup & { data?: OrgGroup };
          const group = body.data ?? body;
          if (group?.id) return { id: group.id, adopted: false };
        } else if (response.status === 400 || response.status === 409) {
          const detail = (response.body as { errors?: Array<{ detail?: string }> } | undefined)?.errors?.[0]?.detail;
          refused = `HTTP ${response.status}${detail ? `: ${detail}` : ''}`;
        } else {
          throw new UsermigError('unreachable', `the organization API refused to create the group ${name} (HTTP ${response.status})`);
        }
      } catch (error) {
        if (!(error instanceof OutcomeUnknownError)) throw error;
      }
      // The name exists, or the create may or may not have happened: adopt the group if it is there.
      const found = await this.org.findGroup(name);
      if (found) return { id: found.id, adopted: true };
      if (refused) throw new UsermigError('unreachable', `the group ${name} could not be created (${refused}) and does not exist`);
      if (attempt >= CREATE_ATTEMPTS) throw new UsermigError('unreachable', `the group ${name} could not be created after ${attempt} attempts and does not exist; try again`);
      await new Promise((resolve) => setTimeout(resolve, backoff(attempt)));
    }
  }

  addMembers(groupId: string, accountIds: string[]): Promise<void> {
    return settle(accountIds.map((id) => this.org.addMember(groupId, id)));
  }

  removeMembers(groupId: string, accountIds: string[]): Promise<void> {
    return settle(accountIds.map((id) => this.org.removeMember(groupId, id)));
  }
}

/** Waits for every request of an operation, then fails with the first failure, if any. */
async function settle(requests: Array<Promise<void>>): Promise<void> {
  const failed = (await Promise.allSettled(requests)).find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failed) throw failed.reason;
}
