/** The `summary` object of `assess --json` (RULES.md §6). */
import { isBlocklistedGroup } from '../model/names.js';
import { billableUsers } from './access.js';
import { duplicatedAddresses } from './checks/duplicated-emails.js';
import { domainInventory } from './checks/domains.js';
import type { Estate } from './estate.js';

export interface AssessmentSummary {
  sources: number;
  users: number;
  activeUsers: number;
  groups: number;
  directMemberships: number;
  invalidEmails: number;
  duplicatedEmails: number;
  domains: number;
  blocklistedGroups: number;
  nestedGroups: number;
  billableUsers: Record<string, number>;
}

export function summarise(estate: Estate): AssessmentSummary {
  const groupNames = new Set<string>();
  const nested = new Set<string>();
  const billable: Record<string, number> = {};
  let users = 0;
  let activeUsers = 0;
  let directMemberships = 0;
  let invalidEmails = 0;
  let duplicatedEmails = 0;
  for (const source of estate.sources) {
    users += source.users.length;
    for (const user of source.users) {
      if (user.active) activeUsers++;
      if (!user.email.valid) invalidEmails++;
    }
    directMemberships += source.directMemberships;
    duplicatedEmails += duplicatedAddresses(source).size;
    for (const group of source.groups) {
      groupNames.add(group.lowerName);
      if (group.children.size > 0) nested.add(group.lowerName);
    }
    for (const [product, holders] of billableUsers(source)) billable[product] = (billable[product] ?? 0) + holders.size;
  }
  return {
    sources: estate.sources.length,
    users,
    activeUsers,
    groups: groupNames.size,
    directMemberships,
    invalidEmails,
    duplicatedEmails,
    domains: domainInventory(estate).size,
    blocklistedGroups: [...groupNames].filter(isBlocklistedGroup).length,
    nestedGroups: nested.size,
    billableUsers: billable,
  };
}
