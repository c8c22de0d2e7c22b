/**
 * Normalisation of user and group names. Cloud group names and source usernames compare
 * case-insensitively (RULES.md §6 S-03, S-05).
 */
export const lowerName = (name: string): string => name.toLowerCase();

/** Groups that Atlassian never creates or writes in the cloud (RULES.md GR-05, §6 S-06). */
export const BLOCKLISTED_GROUPS: ReadonlySet<string> = new Set([
  'site-admins',
  'system-administrators',
  'atlassian-addons',
  'atlassian-addons-admin',
  'org-admins',
]);

export const isBlocklistedGroup = (name: string): boolean => BLOCKLISTED_GROUPS.has(lowerName(name));
