/**
 * Which groups grant product access (RULES.md S-09) and product administration (S-10) in a source.
 */
import { memoised } from './memo.js';
import type { SourceEstate, SourceGroup } from './estate.js';

export type ProductKey = 'jira-software' | 'jira-servicedesk' | 'jira-core' | 'confluence' | 'bitbucket';

const JIRA_ROLES = new Set<string>(['jira-software', 'jira-servicedesk', 'jira-core']);
/** Bitbucket's global permissions that grant the product (LICENSED_USER or higher, S-09). */
export const BITBUCKET_ACCESS: ReadonlySet<string> = new Set(['LICENSED_USER', 'PROJECT_CREATE', 'ADMIN', 'SYS_ADMIN']);
const ADMIN_PERMISSIONS: Record<string, ReadonlySet<string>> = {
  jira: new Set(['ADMINISTER', 'SYSTEM_ADMIN']),
  confluence: new Set(['SYSTEMADMINISTRATOR', 'ADMINISTRATECONFLUENCE']),
  bitbucket: new Set(['ADMIN', 'SYS_ADMIN']),
};

/** Product key → the (lower-case) names of the groups that grant it. Only products granted at all appear. */
export function productAccessGroups(source: SourceEstate): Map<ProductKey, Set<string>> {
  const result = new Map<ProductKey, Set<string>>();
  const add = (product: ProductKey, group: string) => {
    const set = result.get(product) ?? new Set<string>();
    set.add(group.toLowerCase());
    result.set(product, set);
  };
  const groupGrants = source.grants.filter((grant) => grant.subjectType === 'group');
  if (source.product === 'jira') {
    const roles = groupGrants.filter((grant) => grant.scope === 'application' && JIRA_ROLES.has(grant.permission));
    for (const grant of roles) add(grant.permission as ProductKey, grant.subject);
    const hasRoles = source.grants.some((grant) => grant.scope === 'application');
    if (!hasRoles) {
      for (const grant of groupGrants) if (grant.scope === 'global' && grant.permission === 'USE') add('jira-software', grant.subject);
    }
  } else if (source.product === 'confluence') {
    for (const grant of groupGrants) if (grant.scope === 'global' && grant.permission === 'USECONFLUENCE') add('confluence', grant.subject);
  } else if (source.product === 'bitbucket') {
    for (const grant of groupGrants) if (grant.scope === 'global' && BITBUCKET_ACCESS.has(grant.permission)) add('bitbucket', grant.subject);
  }
  return result;
}

/** Groups of the source that hold product administration, with the permissions they hold. */
export function adminGroups(source: SourceEstate): Map<SourceGroup, string[]> {
  const permissions = ADMIN_PERMISSIONS[source.product];
  const result = new Map<SourceGroup, string[]>();
  if (!permissions) return result;
  for (const grant of source.grants) {
    if (grant.subjectType !== 'group' || grant.scope !== 'global' || !permissions.has(grant.permission)) continue;
    const group = source.groupsByLowerName.get(grant.subject.toLowerCase());
    if (!group) continue;
    const list = result.get(group) ?? [];
    if (!list.includes(grant.permission)) list.push(grant.permission);
    result.set(group, list);
  }
  return result;
}

/** Effective active users of the source who hold each product (S-09). */
export const billableUsers = memoised((source: SourceEstate): Map<ProductKey, Set<number>> => {
  const result = new Map<ProductKey, Set<number>>();
  for (const [product, groupNames] of productAccessGroups(source)) {
    const users = new Set<number>();
    for (const name of groupNames) {
      const group = source.groupsByLowerName.get(name);
      if (!group) continue;
      for (const index of source.flattened(group)) if (source.users[index]?.active) users.add(index);
    }
    result.set(product, users);
  }
  return result;
});
