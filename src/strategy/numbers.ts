/** Shared helpers of the strategy: counting people and formatting numbers. */
import type { EffectiveUser, Estate } from '../assess/estate.js';
import type { CloudIdentity, Identities } from '../decide/identities.js';

export const n = (value: number): string => value.toLocaleString('en-US');
export const count = (value: number, one: string, many = `${one}s`): string => `${n(value)} ${value === 1 ? one : many}`;

/** One key per person: the cloud account's email after decisions, else the source user. */
export function personOf(identities: Identities): (user: EffectiveUser) => string {
  return (user) => {
    const identity: CloudIdentity | undefined = identities.byUser.get(user);
    const email = identity?.email ?? (user.email.valid ? user.email.normalised : null);
    return email ?? `${user.source}:${user.userKey}`;
  };
}

export function distinctPeople(estate: Estate, person: (user: EffectiveUser) => string): number {
  const people = new Set<string>();
  for (const source of estate.sources) for (const user of source.users) people.add(person(user));
  return people.size;
}
