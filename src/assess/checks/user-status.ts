/**
 * User status checks: disabled users (S-08), deleted users still referenced in data (S-12), and saved
 * filters or boards owned by people who will not be active in the cloud (RULES.md SC-J05).
 */
import type { Finding, Subject } from '../../model/finding.js';
import type { Estate, SourceEstate } from '../estate.js';
import { plural, userSubject } from '../subjects.js';

export function checkDisabledUsers(estate: Estate): Finding[] {
  const findings: Finding[] = [];
  for (const source of estate.sources) {
    const disabled = source.users.filter((user) => !user.active);
    if (disabled.length === 0) continue;
    findings.push({
      code: 'user-disabled',
      severity: 'info',
      message: `${plural(disabled.length, 'user')} of ${source.name} ${disabled.length === 1 ? 'is' : 'are'} disabled: they become cloud accounts without product access and are not billed`,
      subjects: disabled.map((user) => userSubject(user)),
      fix: 'Nothing to do; decide Former user instead if they should not get an account at all.',
    });
  }
  return findings;
}

/** The lower username a referenced key points to, if the source knows it. */
const nameOfKey = (source: SourceEstate, key: string): string => source.userKeys.get(key) ?? key.toLowerCase();

export function checkDeletedUsersReferenced(estate: Estate): Finding[] {
  const findings: Finding[] = [];
  for (const source of estate.sources) {
    const inactiveNames = new Set(source.inactiveOnly.map((entry) => entry.userName.toLowerCase()));
    const deleted: Subject[] = [];
    for (const reference of source.referencedKeys) {
      // A key the loader found to name a user of the snapshot (any directory: an effective user, or one
      // only in inactive directories) needs no look-up.
      if (reference.known === true) continue;
      const name = nameOfKey(source, reference.userKey);
      if (source.usersByLowerName.has(name) || inactiveNames.has(name)) continue;
      deleted.push({
        type: 'reference',
        id: reference.userKey,
        source: source.name,
        detail: `${plural(reference.count, 'reference')}, e.g. ${reference.example}`,
      });
    }
    if (deleted.length === 0) continue;
    findings.push({
      code: 'user-deleted-referenced',
      severity: 'info',
      message: `${plural(deleted.length, 'deleted user')} of ${source.name} ${deleted.length === 1 ? 'is' : 'are'} still referenced in the data; ${deleted.length === 1 ? 'it shows' : 'they show'} as a Former user in the cloud`,
      subjects: deleted,
      fix: 'Nothing to do, unless the identity matters: then recreate the user at the source before scanning again.',
    });
  }
  return findings;
}

export function checkOwnersOfSharedObjects(estate: Estate): Finding[] {
  const findings: Finding[] = [];
  for (const source of estate.sources) {
    const subjects: Subject[] = [];
    for (const owned of source.ownedObjects) {
      const user = source.usersByLowerName.get(nameOfKey(source, owned.userKey));
      if (user?.active) continue;
      subjects.push({
        type: 'reference',
        id: owned.userKey,
        source: source.name,
        detail: `${owned.kind.replace('-owner', '')} ${owned.item} (owner ${user ? 'disabled' : 'deleted or inactive'})`,
      });
    }
    if (subjects.length === 0) continue;
    findings.push({
      code: 'shared-object-owner-inactive',
      severity: 'warning',
      message: `${plural(subjects.length, 'filter or board', 'filters and boards')} of ${source.name} belong to people who are disabled or gone; they become private in the cloud`,
      subjects,
      fix: 'Reassign their owners at the source before the data migration.',
    });
  }
  return findings;
}
