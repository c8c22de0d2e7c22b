/**
 * What usermig knows about one user, as `usermig users show` prints it and the dashboard's user page shows
 * it: groups (direct, and through nesting with the path), references, and the cloud account it becomes.
 */
import type { EffectiveUser, Estate, SourceEstate, SourceGroup } from '../assess/estate.js';
import type { Identities } from './identities.js';
import { describeRef } from './identities.js';

export interface UserFacts {
  direct: string[];
  /** Groups the user reaches only through nested groups: the path from the group down to a direct one. */
  nested: Array<{ name: string; path: string[] }>;
  references: { count: number; example: string };
  becomes: {
    outcome: 'account' | 'merged' | 'former-user' | 'skip';
    email: string | null;
    mergedInto: EffectiveUser | null;
    /** In words, as `users show` prints it. */
    text: string;
  };
}

/** The path from `from` down its children to a group the user is a direct member of. */
function nestingPath(source: SourceEstate, from: SourceGroup, user: EffectiveUser): string[] {
  const previous = new Map<number, number>([[from.index, -1]]);
  const queue = [from.index];
  for (let head = 0; head < queue.length; head++) {
    const group = source.groups[queue[head]!]!;
    if (group !== from && group.directUsers.has(user.index)) {
      const path: string[] = [];
      for (let at = group.index; at >= 0; at = previous.get(at)!) path.unshift(source.groups[at]!.name);
      return path;
    }
    for (const child of group.children) {
      if (!previous.has(child)) {
        previous.set(child, group.index);
        queue.push(child);
      }
    }
  }
  return [from.name];
}

export function userFacts(estate: Estate, identities: Identities, user: EffectiveUser): UserFacts {
  const source = estate.sources.find((s) => s.name === user.source)!;
  const identity = identities.byUser.get(user)!;
  const direct = source.groups.filter((g) => g.directUsers.has(user.index)).map((g) => g.name);
  const nested = source.groups
    .filter((g) => !g.directUsers.has(user.index) && source.flattened(g).has(user.index))
    .map((g) => ({ name: g.name, path: nestingPath(source, g, user) }));
  const referenced = source.referencedKeys.find((r) => r.userKey === user.userKey);
  const text =
    identity.outcome === 'account'
      ? identity.email
        ? `an account ${identity.email}`
        : 'no account yet: the email is missing or invalid (undecided)'
      : identity.outcome === 'merged'
        ? identity.mergedInto
          ? `merged into ${describeRef(identity.mergedInto)} (${identity.email})`
          : 'merged into a user who cannot take it (see assess)'
        : identity.outcome === 'former-user'
          ? 'a Former user: the data keeps "Former user", no account'
          : 'skipped: not migrated';
  return {
    direct,
    nested,
    references: { count: referenced?.count ?? 0, example: referenced?.example ?? '' },
    becomes: { outcome: identity.outcome, email: identity.email, mergedInto: identity.mergedInto, text },
  };
}
