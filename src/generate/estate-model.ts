/**
 * Builds the whole abstract estate from the generator's options: people and their roles, then the Jira
 * and the Confluence source, with the requested number of group-user memberships split between them,
 * and the tally of what was injected. Writers turn this model into XML; the manifest derives the
 * expected assessment from it.
 */
import { isValidEmail } from '../model/email.js';
import { buildConfluence } from './confluence-estate.js';
import type { Estate, EstateSize, InjectedCounts } from './estate-types.js';
import { buildJira } from './jira-estate.js';
import { MIN_USERS, buildPeople, castPeople } from './people.js';

export function buildEstate(size: EstateSize): Estate {
  checkSize(size);
  const people = buildPeople(size);
  for (const email of people.email) if (!isValidEmail(email)) throw new Error(`generator bug: ${email} is invalid`);
  const cast = castPeople(size, people);

  const jiraRows = cast.jiraPeople.length + cast.jira.shadowed.length;
  const confluenceRows = cast.confluencePeople.length + 1;
  const jiraBudget = Math.round((size.memberships * jiraRows) / (jiraRows + confluenceRows));
  let jira = buildJira(size, people, cast, jiraBudget);
  const confluenceBudget = size.memberships - jira.estate.memberships.count;
  const confluence = buildConfluence(size, people, cast, confluenceBudget, jira.estate.groups.length);
  // In a tiny, dense estate Confluence may have too few users and groups for its share: Jira takes the rest.
  const shortfall = confluenceBudget - confluence.estate.memberships.count;
  if (shortfall > 0 && jira.estate.memberships.count === jiraBudget) jira = buildJira(size, people, cast, jiraBudget + shortfall);

  const injected: InjectedCounts = {
    jira: {
      invalidEmails: cast.jira.invalid.length,
      duplicatedAddresses: cast.jira.duplicates.length,
      whitespaceEmails: cast.jira.whitespace.length,
      disabledUsers: jira.disabledUsers,
      shadowedUsers: cast.jira.shadowed.length,
      shadowedEmailDiffers: cast.jira.shadowedDiffer.size,
      inactiveDirectoryOnlyUsers: cast.jira.inactiveOnly.length,
      deletedReferencedKeys: jira.deletedKeys,
    },
    confluence: {
      invalidEmails: cast.confluence.invalid.length,
      duplicatedAddresses: 1,
      deletedReferencedKeys: confluence.deletedKeys,
    },
    crossSource: { emailMismatches: cast.emailMismatch.length },
    groupCaseCollisions: 1,
    groupsMergedAcrossProducts: 1,
    groupCycles: 1,
    danglingGroupReferences: 1,
    users: people.count,
    groups: jira.estate.groups.length + confluence.estate.groups.length,
    memberships: jira.estate.memberships.count + confluence.estate.memberships.count,
  };
  return { size, people, jira: jira.estate, confluence: confluence.estate, injected };
}

function checkSize(size: EstateSize): void {
  const whole = (name: string, value: number, min: number) => {
    if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`${name} must be a whole number of at least ${min} (got ${value})`);
  };
  whole('users', size.users, MIN_USERS);
  whole('groups', size.groups, 1);
  whole('memberships', size.memberships, 0);
  whole('seed', size.seed, 0);
}
