/**
 * The organization API (TARGETS.md §2), for what SCIM cannot see: the groups that exist in the
 * organization outside the SCIM directory (made by hand, by a product, or default access groups). A
 * SCIM create of such a name fails with 409, and merging into it must be a decision (RULES.md P2, S-05).
 */
import { UsermigError } from '../model/errors.js';
import type { HttpClient } from './http-client.js';

interface GroupPage {
  data?: Array<{ id: string; name: string }>;
  links?: { next?: string };
}

export class OrgConnector {
  constructor(
    private readonly http: HttpClient,
    private readonly orgId: string,
  ) {}

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
}
