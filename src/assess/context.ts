/**
 * What every check may consult besides the estate: the administrator's decisions, and the cloud
 * identities they give each user.
 */
import { resolveIdentities, type Identities } from '../decide/identities.js';
import { NO_DECISIONS, type Decisions } from '../model/decision.js';
import type { Estate } from './estate.js';

export interface CheckContext {
  decisions: Decisions;
  identities: Identities;
  trustedDomains: ReadonlySet<string>;
}

export function checkContext(estate: Estate, decisions: Decisions = NO_DECISIONS): CheckContext {
  return {
    decisions,
    identities: resolveIdentities(estate, decisions.users),
    trustedDomains: new Set(decisions.domains.filter((d) => d.trusted).map((d) => d.domain)),
  };
}
