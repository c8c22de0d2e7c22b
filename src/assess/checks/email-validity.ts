/** S-01, S-02: invalid addresses (blocker) and addresses padded with white space (info). */
import type { Finding } from '../../model/finding.js';
import type { Estate } from '../estate.js';
import { plural, userSubject } from '../subjects.js';

export function checkEmailValidity(estate: Estate): Finding[] {
  const findings: Finding[] = [];
  for (const source of estate.sources) {
    const invalid = source.users.filter((user) => !user.email.valid);
    if (invalid.length > 0) {
      findings.push({
        code: 'email-invalid',
        severity: 'blocker',
        message: `${plural(invalid.length, 'user')} of ${source.name} ${invalid.length === 1 ? 'has' : 'have'} a missing or invalid email address; the cloud identifies people by email`,
        subjects: invalid.map((user) => userSubject(user)),
        fix: 'Correct the address in the source directory, or decide per user: a new email (usermig users fix --invalid new-email) or a Former user (--invalid former-user).',
      });
    }
    const padded = source.users.filter((user) => user.email.hadWhitespace);
    if (padded.length > 0) {
      findings.push({
        code: 'email-whitespace',
        severity: 'info',
        message: `${plural(padded.length, 'email address', 'email addresses')} of ${source.name} ${padded.length === 1 ? 'has' : 'have'} surrounding white space; usermig trims it`,
        subjects: padded.map((user) => userSubject(user, JSON.stringify(user.rawEmail))),
        fix: 'Nothing to do: the trimmed address is used. Clean the source directory when convenient.',
      });
    }
  }
  return findings;
}
