/**
 * The organization API (TARGETS.md §2), for what SCIM cannot see: the groups that exist in the
 * organization outside the SCIM directory (made by hand, by a product, or default access groups). A
 * SCIM create of such a name fails with 409, and merging into it must be a decision (RULES.md P2, S-05).
 *
 * It also writes through the org API v2 (TARGETS.md §2.2) for `--via org`: users search (by email, or
 * every user page by page with their groups), invite without notification, group create and search, and
 * memberships one account per request (the API has no batch).
 */
import { UsermigError } from '../model/errors.js';
import type { HttpClient, Response } from './http-client.js';

interface GroupPage {
  data?: Array<{ id: string; name: string }>;
  links?: { next?: string };
}

export interface OrgUser {
  accountId: string;
  email?: string;
  name?: string;
  status?: string;
  accountStatus?: string;
  membershipStatus?: string;
  groups?: Array<{ id: string; name: string }>;
}

export interface OrgGroup {
  id: string;
  name: string;
  externalSynced?: boolean;
}

interface Page<T> {
  data?: T[];
  links?: { next?: string };
}

/** The largest page the v2 searches accept. */
export const ORG_PAGE_SIZE = 1000;

export class OrgConnector {
  private directory: Promise<string> | undefined;

  constructor(
    private readonly http: HttpClient,
    private readonly orgId: string,
    /** The org API v2 directory id (not the SCIM directory's); looked up when not given. */
    directoryId?: string,
  ) {
    if (directoryId) this.directory = Promise.resolve(directoryId);
  }

  private get v2(): string {
    return `/admin/v2/orgs/${encodeURIComponent(this.orgId)}`;
  }

  /** The organization's verified (claimed) email domains, lower case. */
  async verifiedDomains(): Promise<Set<string>> {
    const verified = new Set<string>();
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?cursor=${encodeURIComponent(cursor)}` : '';
      const response = await this.http.request<{
        data?: Array<{ attributes?: { name?: string; claim?: { status?: string } } }>;
        links?: { next?: string };
      }>('GET', `/admin/v1/orgs/${encodeURIComponent(this.orgId)}/domains${query}`);
      if (response.status !== 200) throw new UsermigError('unreachable', `the organization API refused to list domains (HTTP ${response.status})`);
      for (const domain of response.body.data ?? []) {
        const name = domain.attributes?.name;
        if (name && domain.attributes?.claim?.status?.toLowerCase() === 'verified') verified.add(name.toLowerCase());
      }
      const next = response.body.links?.next;
      cursor = next ? new URL(next, 'http://base.invalid').searchParams.get('cursor') : null;
    } while (cursor);
    return verified;
  }

  /** Every group of the organization: lower-case name → its spelling. */
  async groupNames(): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    let cursor: string | undefined;
    do {
      const response = await this.http.request<GroupPage>('POST', `/admin/v1/orgs/${encodeURIComponent(this.orgId)}/groups/search`, {
        limit: 1000,
        ...(cursor ? { cursor } : {}),
      });
      if (response.status !== 200) throw new UsermigError('unreachable', `the organization API refused to list groups (HTTP ${response.status})`);
      for (const group of response.body.data ?? []) names.set(group.name.toLowerCase(), group.name);
      cursor = response.body.links?.next;
    } while (cursor);
    return names;
  }

  /** The org API v2 directory id: `GET /admin/v2/orgs/{orgId}/directories`, the first listed. */
  directoryId(): Promise<string> {
    this.directory ??= (async () => {
      const response = await this.http.request<Page<{ directoryId?: string; id?: string }>>('GET', `${this.v2}/directories`);
      this.expect(response, [200], 'list its directories');
      const first = response.body.data?.[0];
      const id = first?.directoryId ?? first?.id;
      if (!id) throw new UsermigError('unreachable', 'the organization API lists no directory');
      return id;
    })();
    this.directory.catch(() => {
      this.directory = undefined;
    });
    return this.directory;
  }

  private async inDirectory(suffix: string): Promise<string> {
    return `${this.v2}/directories/${encodeURIComponent(await this.directoryId())}${suffix}`;
  }

  private async searchAll<T>(suffix: string, body: Record<string, unknown>, what: string): Promise<T[]> {
    const path = await this.inDirectory(suffix);
    const all: T[] = [];
    let cursor: string | undefined;
    do {
      const response = await this.http.request<Page<T>>('POST', path, { ...body, limit: ORG_PAGE_SIZE, ...(cursor ? { cursor } : {}) });
      this.expect(response, [200], what);
      all.push(...(response.body.data ?? []));
      cursor = response.body.links?.next || undefined;
    } while (cursor);
    return all;
  }

  /** Every user of the directory, each with its groups (expand GROUPS): O(users / page) requests. */
  listUsersWithGroups(): Promise<OrgUser[]> {
    return this.searchAll<OrgUser>('/users/search', { expand: ['GROUPS'] }, 'search users');
  }

  async findUserByEmail(email: string): Promise<OrgUser | undefined> {
    const found = await this.searchAll<OrgUser>('/users/search', { emails: [email] }, `search the user ${email}`);
    return found.find((user) => user.email?.toLowerCase() === email.toLowerCase()) ?? found[0];
  }

  listGroups(): Promise<OrgGroup[]> {
    return this.searchAll<OrgGroup>('/groups/search', {}, 'search groups');
  }

  async findGroup(name: string): Promise<OrgGroup | undefined> {
    const found = await this.searchAll<OrgGroup>('/groups/search', { groupNames: [name] }, `search the group ${name}`);
    return found.find((group) => group.name.toLowerCase() === name.toLowerCase());
  }

  /** Invites without a notification; inviting an account that exists already is harmless. */
  async invite(email: string): Promise<void> {
    const response = await this.http.request('POST', `${this.v2}/users/invite`, { emails: [email], sendNotification: false });
    this.expect(response, [200, 201, 202, 204], `invite ${email}`);
  }

  /** Sends the create; the caller reads the status (an existing name is 400 or 409) and the outcome. */
  async createGroup(name: string): Promise<Response<OrgGroup | { data?: OrgGroup }>> {
    return this.http.request<OrgGroup | { data?: OrgGroup }>('POST', await this.inDirectory('/groups'), { name, description: '' }, 'create');
  }

  async addMember(groupId: string, accountId: string): Promise<void> {
    const response = await this.http.request('POST', await this.inDirectory(`/groups/${encodeURIComponent(groupId)}/memberships`), { accountId });
    this.expect(response, [200, 201, 204], `add ${accountId} to the group ${groupId}`);
  }

  async removeMember(groupId: string, accountId: string): Promise<void> {
    const path = await this.inDirectory(`/groups/${encodeURIComponent(groupId)}/memberships/${encodeURIComponent(accountId)}`);
    const response = await this.http.request('DELETE', path);
    this.expect(response, [200, 204], `remove ${accountId} from the group ${groupId}`);
  }

  private expect(response: Response, allowed: number[], what: string): void {
    if (!allowed.includes(response.status)) {
      const detail = (response.body as { errors?: Array<{ title?: string; detail?: string }> } | undefined)?.errors?.[0];
      const reason = detail ? `: ${detail.detail ?? detail.title}` : '';
      throw new UsermigError('unreachable', `the organization API refused to ${what} (HTTP ${response.status}${reason})`);
    }
  }
}
