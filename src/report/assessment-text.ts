/**
 * The readable assessment report: the summary, then findings grouped by severity with their first
 * subjects and how to fix them.
 */
import type { Assessment } from '../assess/index.js';
import { SEVERITY_ORDER, type Subject } from '../model/finding.js';

const HEADINGS = { blocker: 'BLOCKERS', warning: 'WARNINGS', info: 'INFORMATION' } as const;
const SHOWN_SUBJECTS = 5;

export const describeSubject = (subject: Subject): string =>
  `${subject.source ? `${subject.source}:` : ''}${subject.id}${subject.detail ? ` — ${subject.detail}` : ''}`;

export function formatAssessment(assessment: Assessment): string {
  const s = assessment.summary;
  const n = (value: number) => value.toLocaleString('en-US');
  const lines: string[] = [
    'Start with the migration checklist and where this estate stands on it: usermig strategy',
    '',
    'Assessment',
    `  sources             ${n(s.sources)}`,
    `  users               ${n(s.users)} (${n(s.activeUsers)} active)`,
    `  groups              ${n(s.groups)} (${n(s.nestedGroups)} with nested groups, ${n(s.blocklistedGroups)} blocklisted)`,
    `  direct memberships  ${n(s.directMemberships)}`,
    `  invalid emails      ${n(s.invalidEmails)}`,
    `  duplicated emails   ${n(s.duplicatedEmails)} addresses`,
    `  email domains       ${n(s.domains)}`,
    `  billable users      ${Object.entries(s.billableUsers).map(([product, count]) => `${product} ${n(count)}`).join(', ') || 'none'}`,
    '',
  ];
  for (const severity of SEVERITY_ORDER) {
    const findings = assessment.findings.filter((finding) => finding.severity === severity);
    if (findings.length === 0) continue;
    lines.push(`${HEADINGS[severity]} (${findings.length})`);
    for (const finding of findings) {
      lines.push(`  [${finding.code}] ${finding.message}`);
      for (const subject of finding.subjects.slice(0, SHOWN_SUBJECTS)) lines.push(`      ${describeSubject(subject)}`);
      if (finding.subjects.length > SHOWN_SUBJECTS) {
        lines.push(`      … and ${n(finding.subjects.length - SHOWN_SUBJECTS)} more (assess --csv FILE lists them all)`);
      }
      lines.push(`    fix: ${finding.fix}`);
    }
    lines.push('');
  }
  const blockers = assessment.findings.filter((finding) => finding.severity === 'blocker').length;
  lines.push(
    blockers > 0
      ? `${n(blockers)} blocker${blockers === 1 ? '' : 's'} must be resolved before apply.`
      : 'No blockers: the estate can be planned and applied.',
  );
  return lines.join('\n');
}
