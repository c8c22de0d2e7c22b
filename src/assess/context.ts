/**
 * What every check may consult besides the estate: the administrator's decisions, and the cloud
 * identities they give each user.
 */
import type { ExternalDirectories } from '../config.js';
import { resolveIdentities, type Identities } from '../decide/identities.js';
import { NO_DECISIONS, type Decisions } from '../model/decision.js';
import type { Estate } from './estate.js';

export interface CheckContext {
  decisions: Decisions;
  /** usermig.json's externalDirectories: which product directories each LDAP source is (directory-drift). */
  externalDirectories?: ReadonlyMap<string, ExternalDirectories>;
  identities: Identities;
  trustedDomains: ReadonlySet<string>;
}

export function checkContext(estate: Estate, decisions: Decisions = NO_DECISIONS, externalDirectories?: ReadonlyMap<string, ExternalDirectories>): CheckContext {
  return {
    decisions,
    ...(externalDirectories ? { externalDirectories } : {}),
    identities: resolveIdentities(estate, decisions.users),
    trustedDomains: new Set(decisions.domains.filter((d) => d.trusted).map((d) => d.domain)),
  };
}
