/** S-03: shadowed entries (same username in a later directory) and users only in inactive directories. */
import type { Finding } from '../../model/finding.js';
import { normaliseEmail } from '../../model/email.js';
import type { Estate } from '../estate.js';
import { plural } from '../subjects.js';

export function checkDirectoryOrder(estate: Estate): Finding[] {
  const findings: Finding[] = [];
  for (const source of estate.sources) {
    const differs: typeof source.shadowed = [];
    const same: typeof source.shadowed = [];
    for (const pair of source.shadowed) {
      (normaliseEmail(pair.entry.email).normalised === pair.winner.email.normalised ? same : differs).push(pair);
    }
    const describe = ({ entry, winner }: (typeof source.shadowed)[number]) => ({
      type: 'user' as const,
      id: entry.userName,
      source: source.name,
      detail: `${entry.email || '(no email)'} in ${entry.directoryName} is shadowed by ${winner.rawEmail || '(no email)'} in directory ${winner.directoryId}`,
    });
    if (same.length > 0) {
      findings.push({
        code: 'user-shadowed',
        severity: 'info',
        message: `${plural(same.length, 'username')} of ${source.name} exist in several directories; the first directory in order wins`,
        subjects: same.map(describe),
        fix: 'Nothing to do: the entry of the first active directory is migrated, as the product itself uses it.',
      });
    }
    if (differs.length > 0) {
      findings.push({
        code: 'user-shadowed-email-differs',
        severity: 'warning',
        message: `${plural(differs.length, 'username')} of ${source.name} exist in several directories with different emails; only the first directory's email is migrated`,
        subjects: differs.map(describe),
        fix: 'Check that the first directory holds the address the person uses; correct the directories or the directory order at the source.',
      });
    }
    if (source.inactiveOnly.length > 0) {
      findings.push({
        code: 'user-in-inactive-directory',
        severity: 'info',
        message: `${plural(source.inactiveOnly.length, 'user')} of ${source.name} exist only in inactive directories: they are not migrated, and data that refers to them shows a Former user`,
        subjects: source.inactiveOnly.map((entry) => ({
          type: 'user' as const,
          id: entry.userName,
          source: source.name,
          detail: `${entry.email || '(no email)'} in ${entry.directoryName}`,
        })),
        fix: 'To keep their identity, activate the directory (or move the users) before scanning again.',
      });
    }
  }
  return findings;
}
