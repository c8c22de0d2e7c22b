/**
 * What a SCIM directory holds, in the shape the planner compares with (CurrentCloud): accounts by email,
 * groups by lower-case name with their members' emails. Two listings, paged: O(users + groups) requests
 * divided by the page size, whatever the number of memberships.
 */
import type { CurrentCloud } from '../plan/operations.js';
import type { ScimConnector, ScimGroup, ScimUser } from './scim-connector.js';

export const emailOf = (user: ScimUser): string =>
  (user.emails?.find((email) => email.primary)?.value ?? user.emails?.[0]?.value ?? user.userName).trim().toLowerCase();

export interface ScimState extends CurrentCloud {
  /** SCIM user id → email, and email → SCIM user id. */
  emailById: Map<string, string>;
  idByEmail: Map<string, string>;
}

/**
 * Users first, then groups, each page reduced to what the planner keeps as it arrives: members become
 * emails at once, so the memory held is the state, not the directory's JSON.
 */
export async function readScimState(scim: Pick<ScimConnector, 'eachPage'>): Promise<ScimState> {
  const accounts: CurrentCloud['accounts'] = new Map();
  const emailById = new Map<string, string>();
  const idByEmail = new Map<string, string>();
  await scim.eachPage<ScimUser>('Users', (page) => {
    for (const user of page) {
      const email = emailOf(user);
      // `active` may come as the string "False" (services built for Entra ID, TARGETS.md §6.5).
      accounts.set(email, { id: user.id, active: String(user.active).toLowerCase() !== 'false' });
      emailById.set(user.id, email);
      idByEmail.set(email, user.id);
    }
  });
  const byName: CurrentCloud['groups'] = new Map();
  await scim.eachPage<ScimGroup>('Groups', (page) => {
    for (const group of page) {
      const members = new Set<string>();
      for (const member of group.members ?? []) {
        const email = emailById.get(member.value);
        if (email) members.add(email);
      }
      byName.set(group.displayName.toLowerCase(), { id: group.id, name: group.displayName, members });
    }
  });
  return { accounts, groups: byName, emailById, idByEmail };
}
