/** Trusting and untrusting domains, as `usermig domains trust|untrust` and the dashboard's Domains page do. */
import { saveDomainDecisions, type DecisionContext } from '../workspace/decision-store.js';
import type { Db } from '../workspace/workspace.js';

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** Trusts or untrusts domains (`domains trust|untrust`, the dashboard's Domains page); the message says what changed. */
export function setDomainTrust(db: Db, domains: string[], trusted: boolean, context: DecisionContext): { changed: number; message: string } {
  const changed = saveDomainDecisions(db, domains, trusted, context);
  const rest = domains.length - changed;
  return {
    changed,
    message: `${trusted ? 'trusted' : 'untrusted'} ${plural(changed, 'domain')}${rest > 0 ? ` (${rest} ${trusted ? 'already trusted' : 'not trusted anyway'})` : ''}`,
  };
}
