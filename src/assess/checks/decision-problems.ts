/** Decisions that cannot apply (blocker) and decisions whose user vanished at a re-scan (warning). */
import type { Finding } from '../../model/finding.js';
import { describeUserDecision } from '../../workspace/decision-store.js';
import type { CheckContext } from '../context.js';
import { plural } from '../subjects.js';

export function checkDecisions(_estate: unknown, context: CheckContext): Finding[] {
  const findings: Finding[] = [];
  const { problems, orphaned } = context.identities;
  if (problems.length > 0) {
    findings.push({
      code: 'decision-invalid',
      severity: 'blocker',
      message: `${plural(problems.length, 'decision')} cannot apply`,
      subjects: problems.map(({ decision, message }) => ({ type: 'user' as const, id: decision.userName, source: decision.source, detail: message })),
      fix: 'Change those decisions (usermig users decide, or users import) so that each names a valid address or a user who keeps an account.',
    });
  }
  if (orphaned.length > 0) {
    findings.push({
      code: 'decision-orphaned',
      severity: 'warning',
      message: `${plural(orphaned.length, 'decision')} name users who are no longer in the sources; they are kept, and applied to nobody`,
      subjects: orphaned.map((decision) => ({
        type: 'user' as const,
        id: decision.userName,
        source: decision.source,
        detail: `key ${decision.userKey}: ${describeUserDecision(decision)}`,
      })),
      fix: 'Nothing to do if they left; if they were renamed in a way that changed their key, decide again for the new user.',
    });
  }
  return findings;
}
