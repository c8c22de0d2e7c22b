/**
 * Talks to a SCIM 2.0 directory the way Atlassian's user-provisioning API expects (TARGETS.md §1): users
 * and groups paged 100 at a time with startIndex/count, single `eq` filters, memberships changed by
 * PATCH on the group, and creates that are never repeated blindly: a 409, or a create with no answer, is
 * resolved by looking the object up and adopting it.
 */
import { UsermigError } from '../model/errors.js';
import { HttpClient, OutcomeUnknownError } from './http-client.js';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const PAGE_SIZE = 100;

export interface ScimUser {
  id: string;
  userName: string;
  emails?: Array<{ value: string; primary?: boolean }>;
  displayName?: string;
  active?: boolean;
}

export interface ScimGroup {
  id: string;
  displayName: string;
  members?: Array<{ value: string; display?: string }>;
}

interface ListResponse<T> {
  totalResults?: number;
  startIndex?: number;
  itemsPerPage?: number;
  Resources?: T[];
}

const quote = (value: string): string => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export class ScimConnector {
  private readonly prefix: string;

  constructor(
    private readonly http: HttpClient,
    directoryId: string,
  ) {
    this.prefix = `/scim/directory/${encodeURIComponent(directoryId)}`;
  }

  /** Every resource of a collection, page by page; never trusts `count`, stops on an empty page. */
  private async listAll<T>(collection: 'Users' | 'Groups', filter?: string): Promise<T[]> {
    const all: T[] = [];
    for (let startIndex = 1; ; ) {
      const query = new URLSearchParams({ startIndex: String(startIndex), count: String(PAGE_SIZE) });
      if (filter) query.set('filter', filter);
      const response = await this.http.request<ListResponse<T>>('GET', `${this.prefix}/${collection}?${query}`);
      this.expect(response.status, [200], `list ${collection}`);
      const page = response.body.Resources ?? [];
      all.push(...page);
      const total = response.body.totalResults ?? all.length;
      if (page.length === 0 || all.length >= total) return all;
      startIndex += page.length;
    }
  }

  listUsers(): Promise<ScimUser[]> {
    return this.listAll<ScimUser>('Users');
  }

  listGroups(): Promise<ScimGroup[]> {
    return this.listAll<ScimGroup>('Groups');
  }

  async findUser(userName: string): Promise<ScimUser | undefined> {
    return (await this.listAll<ScimUser>('Users', `userName eq ${quote(userName)}`))[0];
  }

  async findGroup(displayName: string): Promise<ScimGroup | undefined> {
    const found = await this.listAll<ScimGroup>('Groups', `displayName eq ${quote(displayName)}`);
    return found.find((group) => group.displayName.toLowerCase() === displayName.toLowerCase());
  }

  /** Creates the user, or adopts the one that exists with that userName. */
  async createUser(user: { email: string; displayName: string; active: boolean }): Promise<{ user: ScimUser; adopted: boolean }> {
    const body = {
      schemas: [USER_SCHEMA],
      userName: user.email,
      emails: [{ value: user.email, type: 'work', primary: true }],
      displayName: user.displayName,
      active: user.active,
    };
    const { value, adopted } = await this.createOrAdopt(
      `user ${user.email}`,
      () => this.http.request<ScimUser>('POST', `${this.prefix}/Users`, body, 'create'),
      () => this.findUser(user.email),
    );
    return { user: value, adopted };
  }

  /** Creates the group, or adopts the one that exists with that name (the plan decided it may). */
  async createGroup(name: string): Promise<{ group: ScimGroup; adopted: boolean }> {
    const body = { schemas: [GROUP_SCHEMA], displayName: name };
    const { value, adopted } = await this.createOrAdopt(
      `group ${name}`,
      () => this.http.request<ScimGroup>('POST', `${this.prefix}/Groups`, body, 'create'),
      () => this.findGroup(name),
    );
    return { group: value, adopted };
  }

  async addMembers(groupId: string, userIds: string[]): Promise<void> {
    if (userIds.length === 0) return;
    const body = { schemas: [PATCH_SCHEMA], Operations: [{ op: 'add', path: 'members', value: userIds.map((value) => ({ value })) }] };
    const response = await this.http.request('PATCH', `${this.prefix}/Groups/${encodeURIComponent(groupId)}`, body);
    this.expect(response.status, [200, 204], `add members to group ${groupId}`);
  }

  async removeMembers(groupId: string, userIds: string[]): Promise<void> {
    if (userIds.length === 0) return;
    const body = {
      schemas: [PATCH_SCHEMA],
      Operations: userIds.map((id) => ({ op: 'remove', path: `members[value eq ${quote(id)}]` })),
    };
    const response = await this.http.request('PATCH', `${this.prefix}/Groups/${encodeURIComponent(groupId)}`, body);
    this.expect(response.status, [200, 204], `remove members from group ${groupId}`);
  }

  private async createOrAdopt<T>(
    what: string,
    create: () => Promise<{ status: number; body: T }>,
    find: () => Promise<T | undefined>,
  ): Promise<{ value: T; adopted: boolean }> {
    try {
      const response = await create();
      if (response.status === 201 || response.status === 200) return { value: response.body, adopted: false };
      if (response.status !== 409) this.expect(response.status, [201], `create the ${what}`);
    } catch (error) {
      if (!(error instanceof OutcomeUnknownError)) throw error;
    }
    // 409, or no answer: the object may exist. Look it up; adopt it if it does, else fail loudly.
    const existing = await find();
    if (!existing) throw new UsermigError('unreachable', `the ${what} could not be created and does not exist; try again`);
    return { value: existing, adopted: true };
  }

  private expect(status: number, allowed: number[], what: string): void {
    if (!allowed.includes(status)) throw new UsermigError('unreachable', `the SCIM directory refused to ${what} (HTTP ${status})`);
  }
}
