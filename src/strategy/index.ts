/**
 * computeStrategy: the user migration strategy for this estate (issue 9), a pure function of the estate,
 * the decisions, the assessment, the journey state read from the workspace and the --idp choice.
 */
import { checkContext } from '../assess/context.js';
import { domains } from './domains.js';
import { identityProvider } from './identity-provider.js';
import { journey } from './journey.js';
import { licences } from './licences.js';
import { distinctPeople, personOf } from './numbers.js';
import { subset } from './subset.js';
import { help, timing } from './timing.js';
import type { Strategy, StrategyInput } from './types.js';
import { suggestWaves, wavesNeeded, wavesSection } from './waves.js';

export * from './types.js';
export { configuredTiers, DEFAULT_TIERS, tierFor, type UserTiers } from './tiers.js';
export { wavesNeeded } from './waves.js';

export function computeStrategy(input: StrategyInput): Strategy {
  const { estate, decisions, assessment, sources, idp } = input;
  const context = checkContext(estate, decisions);
  const person = personOf(context.identities);
  let users = 0;
  let activeUsers = 0;
  const groupNames = new Set<string>();
  for (const source of estate.sources) {
    users += source.users.length;
    for (const user of source.users) if (user.active) activeUsers++;
    for (const group of source.groups) groupNames.add(group.lowerName);
  }
  const people = distinctPeople(estate, person);
  const identity = identityProvider(estate, decisions, context.identities, sources, idp, person);
  const numbers: Strategy['numbers'] = { sources: estate.sources.length, users, activeUsers, people, groups: groupNames.size, ...identity.numbers };
  const containers = sources.reduce((sum, s) => sum + (s.containers['jira-project'] ?? 0) + (s.containers['confluence-space'] ?? 0), 0);
  const waves = wavesNeeded(people) && input.containerUsage ? suggestWaves(estate, input.containerUsage(), person) : [];
  const domainPart = domains(estate, context);
  const licencePart = licences(estate, context.identities, input.tiers);
  return {
    idp,
    numbers,
    sections: [
      timing(numbers),
      wavesSection(people, containers, waves),
      subset(estate, sources, input.journey),
      identity.section,
      domainPart.section,
      licencePart.section,
      help(numbers),
    ],
    waves,
    domains: domainPart.rows,
    licences: licencePart.rows,
    journey: journey(assessment, input.journey, numbers, domainPart.rows, licencePart.rows, idp !== 'none'),
  };
}
