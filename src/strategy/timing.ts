/**
 * When users move (RULES.md DIFF-01, ID-04, ID-06, GR-11) and whether to get help: pre-migrate all users
 * and groups before any data, insisted on above 2,000 users counting active and inactive; later waves move
 * only the differences. Above 1,000 users a migration partner is advised.
 */
import { count, n } from './numbers.js';
import type { Section, Strategy } from './types.js';

/** DIFF-01: above this many users (active and inactive) Atlassian stresses migrating users first. */
export const PRE_MIGRATION_THRESHOLD = 2_000;
/** Above this many users, working with a migration partner is advised. */
export const PARTNER_THRESHOLD = 1_000;

export function timing(numbers: Strategy['numbers']): Section {
  const { users, activeUsers, people } = numbers;
  const inactive = users - activeUsers;
  const large = people > PRE_MIGRATION_THRESHOLD;
  return {
    id: 'timing',
    title: 'When users move',
    points: [
      {
        level: large ? 'insist' : 'advise',
        text: large
          ? 'Migrate all users and groups first, before any project or space data: a separate users-and-groups run (usermig plan, then apply), with no downtime.'
          : 'Migrate all users and groups before any data (usermig plan, then apply); it needs no downtime.',
        because: `${count(people, 'person', 'people')} (${n(users)} source users: ${n(activeUsers)} active, ${n(inactive)} inactive) ${large ? 'is above' : 'is within'} the ${n(PRE_MIGRATION_THRESHOLD)} users above which Atlassian insists`,
        rules: ['DIFF-01'],
      },
      {
        level: 'advise',
        text: 'On every later wave and on cut-over day, plan and apply again: only the differences move (new users, changed emails, new and removed memberships).',
        because: 'a re-run of Atlassian\'s assistants only adds; usermig computes the removals too and applies them only with --prune',
        rules: ['DIFF-03', 'GR-11'],
      },
      {
        level: 'advise',
        text: 'Decide every duplicate before the first apply: accounts cannot be merged afterwards, and each account is one identity across every product and site.',
        because: `${count(people, 'cloud account')} would be created or linked from ${n(users)} source users`,
        rules: ['ID-06', 'ID-04'],
      },
    ],
  };
}

export function help(numbers: Strategy['numbers']): Section {
  const { people } = numbers;
  const big = people > PARTNER_THRESHOLD;
  return {
    id: 'help',
    title: 'Help',
    points: [
      {
        level: big ? 'advise' : 'info',
        text: big ? 'Work with an Atlassian migration partner.' : 'An estate of this size is usually migrated by its own administrators.',
        because: `${count(people, 'person', 'people')}, ${big ? 'above' : 'within'} the ${n(PARTNER_THRESHOLD)} users above which a migration partner is advised`,
        rules: ['DIFF-01'],
      },
    ],
  };
}
