/**
 * Finds users by what an administrator types: `source:username`, a bare username (in every source), a
 * user key, or an email address.
 */
import type { EffectiveUser, Estate } from '../assess/estate.js';
import { usageError } from '../model/errors.js';

export function findUsers(estate: Estate, text: string): EffectiveUser[] {
  const wanted = text.trim().toLowerCase();
  const colon = wanted.indexOf(':');
  const sourceName = colon > 0 ? wanted.slice(0, colon) : undefined;
  const sources = sourceName !== undefined ? estate.sources.filter((s) => s.name.toLowerCase() === sourceName) : [];
  const scoped = sources.length > 0 ? sources : estate.sources;
  const name = sources.length > 0 ? wanted.slice(colon + 1) : wanted;
  const found: EffectiveUser[] = [];
  for (const source of scoped) {
    const byName = source.usersByLowerName.get(name);
    if (byName) {
      found.push(byName);
      continue;
    }
    for (const user of source.users) {
      if (user.userKey.toLowerCase() === name || (name.includes('@') && user.email.normalised === name)) found.push(user);
    }
  }
  return found;
}

/** Exactly one user, or a usage error that says why not. */
export function findOneUser(estate: Estate, text: string): EffectiveUser {
  const found = findUsers(estate, text);
  if (found.length === 1) return found[0] as EffectiveUser;
  if (found.length === 0) throw usageError(`no user "${text}" in the workspace; name one as SOURCE:USERNAME (e.g. jira:alice), a user key or an email`);
  throw usageError(`"${text}" names ${found.length} users (${found.map((u) => `${u.source}:${u.userName}`).join(', ')}); name one as SOURCE:USERNAME`);
}
