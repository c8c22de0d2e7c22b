/**
 * The assessment as every command and the dashboard compute it: the decisions, and the settings of the
 * configuration file that bear on it (which product directories the LDAP and Crowd sources are). One
 * function, so that `assess`, `strategy`, `plan` and the dashboard never disagree.
 */
import { externalDirectoriesOf, type UsermigConfig } from '../config.js';
import type { Decisions } from '../model/decision.js';
import type { Estate } from './estate.js';
import { assessEstate, type Assessment } from './index.js';

export function assessConfigured(estate: Estate, decisions: Decisions, config: UsermigConfig | undefined): Assessment {
  const externalDirectories = externalDirectoriesOf(config);
  return assessEstate(estate, { decisions, ...(externalDirectories ? { externalDirectories } : {}) });
}
