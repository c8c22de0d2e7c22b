/** S-01, S-02: invalid addresses (blocker until decided) and addresses padded with white space (info). */
import type { Finding } from '../../model/finding.js';
import { describeUserDecision } from '../../workspace/decision-store.js';
import type { CheckContext } from '../context.js';
import type { EffectiveUser, Estate } from '../estate.js';
import { plural, userSubject } from '../subjects.js';

/** Is the user's lack of a usable email settled by a decision? */
export function settlesMissingEmail(user: EffectiveUser, context: CheckContext): boolean {
  const identity = context.identities.byUser.get(user);
  if (!identity?.decision) return false;
  return identity.outcome === 'former-user' || identity.outcome === 'skip' || identity.email !== null;
}

export function checkEmailValidity(estate: Estate, context: CheckContext): Finding[] {
  const findings: Finding[] = [];
  for (const source of estate.sources) {
    const invalid = source.users.filter((user) => !user.email.valid);
    const open = invalid.filter((user) => !settlesMissingEmail(user, context));
    const settled = invalid.filter((user) => settlesMissingEmail(user, context));
    if (open.length > 0) {
      findings.push({
        code: 'email-invalid',
        severity: 'blocker',
        message: `${plural(open.length, 'user')} of ${source.name} ${open.length === 1 ? 'has' : 'have'} a missing or invalid email address; the cloud identifies people by email`,
        subjects: open.map((user) => userSubject(user)),
        fix: 'Correct the address in the source directory, or decide per user: a new email (usermig users fix --invalid new-email) or a Former user (--invalid former-user).',
      });
    }
    if (settled.length > 0) {
      findings.push({
        code: 'email-invalid',
        severity: 'info',
        resolved: true,
        message: `${plural(settled.length, 'user')} of ${source.name} with a missing or invalid email ${settled.length === 1 ? 'is' : 'are'} settled by decisions`,
        subjects: settled.map((user) => userSubject(user, `${user.rawEmail || '(no email)'} → ${describeUserDecision(context.identities.byUser.get(user)!.decision!)}`)),
        fix: 'Nothing to do.',
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
