/**
 * Talks to a SCIM 2.0 directory the way Atlassian's user-provisioning API expects (TARGETS.md §1): users
 * and groups paged 100 at a time with startIndex/count, single `eq` filters, memberships changed by
 * PATCH on the group, and creates that are never repeated blindly: a 409, or a create with no answer, is
 * resolved by looking the object up and adopting it.
 */
import { UsermigError } from '../model/errors.js';
import { HttpClient, OutcomeUnknownError } from './http-client.js';
import { backoff } from './retry-policy.js';

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const PAGE_SIZE = 100;
/** Creates sent at most, each only after a lookup showed the one before did not happen. */
const CREATE_ATTEMPTS = 3;

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
  protected readonly prefix: string;

  /** `directoryId` null: the client's base URL is the SCIM base itself (a generic SCIM service). */
  constructor(
    protected readonly http: HttpClient,
    directoryId: string | null,
  ) {
    this.prefix = directoryId === null ? '' : `/scim/directory/${encodeURIComponent(directoryId)}`;
  }

  /**
   * Every resource of a collection, page by page, each page handed over as it arrives (so that a caller
   * that keeps only what it needs never holds the whole directory's JSON); never trusts `count`, stops on
   * an empty page.
   */
  async eachPage<T>(collection: 'Users' | 'Groups', onPage: (page: T[]) => void, filter?: string): Promise<void> {
    let seen = 0;
    for (let startIndex = 1; ; ) {
      const query = new URLSearchParams({ startIndex: String(startIndex), count: String(PAGE_SIZE) });
      if (filter) query.set('filter', filter);
      const response = await this.http.request<ListResponse<T>>('GET', `${this.prefix}/${collection}?${query}`);
      this.expect(response.status, [200], `list ${collection}`);
      const page = response.body.Resources ?? [];
      onPage(page);
      seen += page.length;
      const total = response.body.totalResults ?? seen;
      if (page.length === 0 || seen >= total) return;
      startIndex += page.length;
    }
  }

  private async listAll<T>(collection: 'Users' | 'Groups', filter?: string): Promise<T[]> {
    const all: T[] = [];
    await this.eachPage<T>(collection, (page) => all.push(...page), filter);
    return all;
  }

  /** How many users and groups the directory holds: one request each, a page of one. */
  async totals(): Promise<{ accounts: number; groups: number }> {
    const total = async (collection: 'Users' | 'Groups'): Promise<number> => {
      const response = await this.http.request<ListResponse<unknown>>('GET', `${this.prefix}/${collection}?startIndex=1&count=1`);
      this.expect(response.status, [200], `count ${collection}`);
      const value = response.body.totalResults;
      if (typeof value !== 'number') throw new UsermigError('unreachable', `the SCIM directory did not say how many ${collection} it holds (no totalResults)`);
      return value;
    };
    const [accounts, groups] = await Promise.all([total('Users'), total('Groups')]);
    return { accounts, groups };
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

  /**
   * A new email for a user: userName and the primary email replaced (TARGETS.md: Atlassian's IdPs send the
   * email as userName), display name with them. A PATCH, so every other attribute stays.
   */
  async changeEmail(userId: string, user: { email: string; displayName: string }): Promise<void> {
    const body = {
      schemas: [PATCH_SCHEMA],
      Operations: [
        { op: 'replace', path: 'userName', value: user.email },
        { op: 'replace', path: 'emails', value: [{ value: user.email, type: 'work', primary: true }] },
        { op: 'replace', path: 'displayName', value: user.displayName },
      ],
    };
    const response = await this.http.request('PATCH', `${this.prefix}/Users/${encodeURIComponent(userId)}`, body);
    this.expect(response.status, [200, 204], `change the email of user ${userId} to ${user.email}`);
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
    const response = await this.http.request('PATCH', this.groupPatchPath(groupId), body);
    this.expect(response.status, [200, 204], `add members to group ${groupId}`);
  }

  async removeMembers(groupId: string, userIds: string[]): Promise<void> {
    if (userIds.length === 0) return;
    const body = {
      schemas: [PATCH_SCHEMA],
      Operations: userIds.map((id) => ({ op: 'remove', path: `members[value eq ${quote(id)}]` })),
    };
    const response = await this.http.request('PATCH', this.groupPatchPath(groupId), body);
    this.expect(response.status, [200, 204], `remove members from group ${groupId}`);
  }

  /**
   * A membership PATCH answers with the whole group, which for a group of thousands is a large body the
   * connector never reads; RFC 7644 §3.9 lets the client leave the members out of it.
   */
  private groupPatchPath(groupId: string): string {
    return `${this.prefix}/Groups/${encodeURIComponent(groupId)}?excludedAttributes=members`;
  }

  /**
   * A 409 means the object exists: adopt it. A create with no answer, or a 5xx, may or may not have
   * happened: look the object up and adopt it if it is there; if it is not, the create surely did not
   * happen, and only then is it sent again (TARGETS.md §4.2.4).
   */
  protected async createOrAdopt<T>(
    what: string,
    create: () => Promise<{ status: number; body: T }>,
    find: () => Promise<T | undefined>,
  ): Promise<{ value: T; adopted: boolean }> {
    for (let attempt = 1; ; attempt++) {
      let conflict = false;
      try {
        const response = await create();
        if (response.status === 201 || response.status === 200) return { value: response.body, adopted: false };
        if (response.status !== 409) this.expect(response.status, [201], `create the ${what}`);
        conflict = true;
      } catch (error) {
        if (!(error instanceof OutcomeUnknownError)) throw error;
      }
      const existing = await find();
      if (existing) return { value: existing, adopted: true };
      if (conflict) throw new UsermigError('unreachable', `the ${what} could not be created: the directory says it exists (409) but it cannot be found`);
      if (attempt >= CREATE_ATTEMPTS) throw new UsermigError('unreachable', `the ${what} could not be created after ${attempt} attempts and does not exist; try again`);
      await new Promise((resolve) => setTimeout(resolve, backoff(attempt)));
    }
  }

  protected expect(status: number, allowed: number[], what: string): void {
    if (!allowed.includes(status)) throw new UsermigError('unreachable', `the SCIM directory refused to ${what} (HTTP ${status})`);
  }
}
