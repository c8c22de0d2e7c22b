/**
 * A connector for any SCIM 2.0 service provider (`--target scim:URL`): the Atlassian connector's
 * guarantees (paged reads that never trust `count`, creates that adopt on 409 or after an unknown
 * outcome), shaped by what discovery found (endpoints, page size, filter support, cursor paging) and by
 * the dialect profile (PATCH op case, member-removal form, members per PATCH, `active` as a string, how a
 * filter that matches nothing answers). The request bodies are built here for the one-by-one requests
 * and for Bulk alike.
 */
import { UsermigError } from '../model/errors.js';
import type { HttpClient } from './http-client.js';
import { ScimConnector, type ScimGroup, type ScimUser } from './scim-connector.js';
import type { ScimDiscovery } from './scim-discovery.js';
import { activeValue, opName, type ScimProfile } from './scim-profiles.js';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

const quote = (value: string): string => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

interface ListResponse<T> {
  totalResults?: number;
  itemsPerPage?: number;
  nextCursor?: string;
  Resources?: T[];
}

export interface PatchBody {
  schemas: string[];
  Operations: Array<{ op: string; path?: string; value?: unknown }>;
}

export class GenericScimConnector extends ScimConnector {
  constructor(
    http: HttpClient,
    readonly profile: ScimProfile,
    readonly discovery: ScimDiscovery,
  ) {
    super(http, null);
    if (!discovery.patch) {
      throw new UsermigError('usage', 'the SCIM service does not support PATCH (ServiceProviderConfig patch.supported is false), which usermig needs to change memberships');
    }
  }

  path(collection: 'Users' | 'Groups', id?: string): string {
    const base = this.discovery.endpoints[collection];
    return id === undefined ? base : `${base}/${encodeURIComponent(id)}`;
  }

  override async eachPage<T>(collection: 'Users' | 'Groups', onPage: (page: T[]) => void, filter?: string): Promise<void> {
    const count = String(this.discovery.pageSize);
    const seenIds = new Set<string>();
    // Results can shift between index pages while the data changes (RFC 7644 §3.4.2.4): each id once.
    const fresh = (page: T[]): T[] =>
      page.filter((item) => {
        const id = (item as { id?: string }).id;
        if (id === undefined) return true;
        if (seenIds.has(id)) return false;
        seenIds.add(id);
        return true;
      });
    const get = async (query: URLSearchParams): Promise<ListResponse<T> | undefined> => {
      if (filter) query.set('filter', filter);
      const response = await this.http.request<ListResponse<T>>('GET', `${this.path(collection)}?${query}`);
      if (response.status === 404 && filter && this.profile.missingInFilter === '404') return undefined;
      this.expect(response.status, [200], `list ${collection}`);
      return response.body ?? {};
    };
    if (this.discovery.paging === 'cursor') {
      // RFC 9865: an empty cursor for the first page, then nextCursor until it is absent.
      for (let cursor = ''; ; ) {
        const body = await get(new URLSearchParams({ cursor, count }));
        if (!body) return;
        const page = body.Resources ?? [];
        onPage(fresh(page));
        if (!body.nextCursor || page.length === 0) return;
        cursor = body.nextCursor;
      }
    }
    let seen = 0;
    for (let startIndex = 1; ; ) {
      const body = await get(new URLSearchParams({ startIndex: String(startIndex), count }));
      if (!body) return;
      const page = body.Resources ?? [];
      onPage(fresh(page));
      seen += page.length;
      const total = body.totalResults ?? seen;
      if (page.length === 0 || seen >= total) return;
      startIndex += page.length;
    }
  }

  override async totals(): Promise<{ accounts: number; groups: number }> {
    const total = async (collection: 'Users' | 'Groups'): Promise<number> => {
      const response = await this.http.request<ListResponse<unknown>>('GET', `${this.path(collection)}?startIndex=1&count=1`);
      this.expect(response.status, [200], `count ${collection}`);
      const value = response.body?.totalResults;
      if (typeof value !== 'number') throw new UsermigError('unreachable', `the SCIM service did not say how many ${collection} it holds (no totalResults)`);
      return value;
    };
    const [accounts, groups] = await Promise.all([total('Users'), total('Groups')]);
    return { accounts, groups };
  }

  private async find<T>(collection: 'Users' | 'Groups', attribute: string, value: string, read: (item: T) => string | undefined): Promise<T | undefined> {
    const found: T[] = [];
    // Without filtering, a lookup reads the collection (rare: only after a 409 or an unknown outcome).
    const filter = this.discovery.filter.supported ? `${attribute} eq ${quote(value)}` : undefined;
    await this.eachPage<T>(collection, (page) => found.push(...page.filter((item) => read(item)?.toLowerCase() === value.toLowerCase())), filter);
    return found[0];
  }

  override findUser(userName: string): Promise<ScimUser | undefined> {
    return this.find<ScimUser>('Users', 'userName', userName, (user) => user.userName);
  }

  override findGroup(displayName: string): Promise<ScimGroup | undefined> {
    return this.find<ScimGroup>('Groups', 'displayName', displayName, (group) => group.displayName);
  }

  /** The attributes the service's User schema has (all of them when /Schemas did not list it). */
  private knows(attribute: string): boolean {
    return this.discovery.userAttributes.size === 0 || this.discovery.userAttributes.has(attribute.toLowerCase());
  }

  userBody(user: { email: string; displayName: string; active: boolean }): Record<string, unknown> {
    return {
      schemas: [USER_SCHEMA],
      userName: user.email,
      ...(this.knows('emails') ? { emails: [{ value: user.email, type: 'work', primary: true }] } : {}),
      ...(this.knows('displayName') ? { displayName: user.displayName } : {}),
      ...(this.knows('active') ? { active: activeValue(this.profile, user.active) } : {}),
    };
  }

  groupBody(name: string): Record<string, unknown> {
    return { schemas: [GROUP_SCHEMA], displayName: name };
  }

  changeEmailBody(user: { email: string; displayName: string }): PatchBody {
    const replace = opName(this.profile, 'replace');
    return {
      schemas: [PATCH_SCHEMA],
      Operations: [
        { op: replace, path: 'userName', value: user.email },
        ...(this.knows('emails') ? [{ op: replace, path: 'emails', value: [{ value: user.email, type: 'work', primary: true }] }] : []),
        ...(this.knows('displayName') ? [{ op: replace, path: 'displayName', value: user.displayName }] : []),
      ],
    };
  }

  /** Member values are SCIM ids, or `bulkId:…` references inside a Bulk request. */
  addMembersBody(values: string[]): PatchBody {
    return { schemas: [PATCH_SCHEMA], Operations: [{ op: opName(this.profile, 'add'), path: 'members', value: values.map((value) => ({ value })) }] };
  }

  removeMembersBody(values: string[]): PatchBody {
    const remove = opName(this.profile, 'remove');
    return {
      schemas: [PATCH_SCHEMA],
      Operations:
        this.profile.memberRemove === 'filter'
          ? values.map((value) => ({ op: remove, path: `members[value eq ${quote(value)}]` }))
          : [{ op: remove, path: 'members', value: values.map((value) => ({ value })) }],
    };
  }

  /** Member changes per PATCH, within the profile's limit. */
  chunks(values: string[]): string[][] {
    const size = this.profile.maxMembersPerPatch;
    const out: string[][] = [];
    for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
    return out;
  }

  override async createUser(user: { email: string; displayName: string; active: boolean }): Promise<{ user: ScimUser; adopted: boolean }> {
    const body = this.userBody(user);
    const { value, adopted } = await this.createOrAdopt(
      `user ${user.email}`,
      () => this.http.request<ScimUser>('POST', this.path('Users'), body, 'create'),
      () => this.findUser(user.email),
    );
    return { user: value, adopted };
  }

  override async changeEmail(userId: string, user: { email: string; displayName: string }): Promise<void> {
    const response = await this.http.request('PATCH', this.path('Users', userId), this.changeEmailBody(user));
    this.expect(response.status, [200, 204], `change the email of user ${userId} to ${user.email}`);
  }

  override async createGroup(name: string): Promise<{ group: ScimGroup; adopted: boolean }> {
    const body = this.groupBody(name);
    const { value, adopted } = await this.createOrAdopt(
      `group ${name}`,
      () => this.http.request<ScimGroup>('POST', this.path('Groups'), body, 'create'),
      () => this.findGroup(name),
    );
    return { group: value, adopted };
  }

  /**
   * Of these user ids, those the group does not hold yet. Asked only for a membership change that an
   * interrupted run may have sent already: RFC 7644 leaves a repeated `add` of a member to the server, and
   * some (SCIMMY among them) then hold the member twice.
   */
  async notYetMembers(groupId: string, userIds: string[]): Promise<string[]> {
    const response = await this.http.request<ScimGroup>('GET', `${this.path('Groups', groupId)}?attributes=members`);
    this.expect(response.status, [200], `read the members of group ${groupId}`);
    const held = new Set((response.body?.members ?? []).map((member) => member.value));
    return userIds.filter((id) => !held.has(id));
  }

  override async addMembers(groupId: string, userIds: string[]): Promise<void> {
    for (const chunk of this.chunks(userIds)) {
      const response = await this.http.request('PATCH', this.patchPath(groupId), this.addMembersBody(chunk));
      this.expect(response.status, [200, 204], `add members to group ${groupId}`);
    }
  }

  override async removeMembers(groupId: string, userIds: string[]): Promise<void> {
    for (const chunk of this.chunks(userIds)) {
      const response = await this.http.request('PATCH', this.patchPath(groupId), this.removeMembersBody(chunk));
      this.expect(response.status, [200, 204], `remove members from group ${groupId}`);
    }
  }

  /**
   * Unlike the Atlassian connector, no `excludedAttributes=members` on the PATCH (RFC 7644 §3.9 allows it
   * for the answer): SCIMMY 1.3.5 applies the PATCH to the group without its members and so drops every
   * member the PATCH does not add. Correctness first: the answer's members are simply not read.
   */
  private patchPath(groupId: string): string {
    return this.path('Groups', groupId);
  }
}
