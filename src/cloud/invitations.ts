/**
 * Invitations (org API v2 `users/invite`, TARGETS 2.2): each email's account — created when the cloud has
 * none, one account per email — joins the org directory; a role on a product puts the person in that
 * product's default access group, as the admin UI does (RULES CUM-05); additional groups are joined
 * directly unless the identity provider or Atlassian owns them. A deactivated account cannot be invited
 * until it is reactivated (RULES ID-09). Each role and group gets its own outcome, as Atlassian reports.
 */
import { managedElsewhere, type CloudOrg } from './org-model.js';

export interface InviteRequest {
  emails: string[];
  permissionRules: Array<{ resource: string; role: string }>;
  additionalGroups: string[];
}

export interface InviteOutcome {
  accountId: string;
  email: string;
  /** `error` is null when the role was given, else why not. */
  roles: Array<{ resource: string; role: string; error: string | null }>;
  groups: Array<{ group: string; error: string | null }>;
}

export function invite(org: CloudOrg, request: InviteRequest): InviteOutcome[] {
  return org.transaction(() =>
    request.emails.map((email) => {
      const { account } = org.accountFor(email);
      const inactive = account.status !== 'active' ? `the account ${account.email} is deactivated; reactivate it before inviting it` : null;
      if (!inactive) org.joinDirectory(account.account_id, 'invited');
      const roles = request.permissionRules.map(({ resource, role }) => ({
        resource,
        role,
        error: inactive ?? grantThroughDefaultGroup(org, account.account_id, resource, role),
      }));
      const groups = request.additionalGroups.map((groupId) => ({ group: groupId, error: inactive ?? joinGroup(org, account.account_id, groupId) }));
      return { accountId: account.account_id, email: account.email, roles, groups };
    }),
  );
}

function grantThroughDefaultGroup(org: CloudOrg, accountId: string, resourceId: string, role: string): string | null {
  if (!org.resource(resourceId)) return `no product with the resource id ${resourceId} on this organization's site`;
  const group = org.defaultGroupFor(resourceId, role);
  if (!group) return `no default access group grants ${role} on ${resourceId}`;
  org.insertMembership(group.id, accountId);
  return null;
}

function joinGroup(org: CloudOrg, accountId: string, groupId: string): string | null {
  const group = org.group(groupId);
  if (!group) return `no group with the id ${groupId} in this organization`;
  const refusal = managedElsewhere(group);
  if (refusal) return refusal;
  org.insertMembership(groupId, accountId);
  return null;
}
