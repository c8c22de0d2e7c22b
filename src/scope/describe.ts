/**
 * The scope part of `usermig plan`'s text (the cascade per group, customers, Former users, account-type
 * mismatches), and recording a saved plan's scope in the workspace for the report's waves.
 */
import type { PlanFile } from '../plan/plan-file.js';
import { recordPlanScope } from '../workspace/scope-store.js';
import type { Db } from '../workspace/workspace.js';
import type { CascadeRow } from './cascade.js';
import { scopeMembers } from './plan-section.js';

const SHOWN = 30;
const n = (value: number) => value.toLocaleString('en-US');

export function cascadeLine(row: CascadeRow): string {
  const parts = [`${n(row.direct)} in scope directly`, `${n(row.throughThisGroupOnly)} only through the group`];
  if (row.throughOther > 0) parts.push(`${n(row.throughOther)} through other groups or accounts`);
  const left = row.leftOut > 0 ? `; ${n(row.leftOut)} of its ${n(row.total)} members stay out${row.whole ? '' : ' (--group-members all would bring them in)'}` : '';
  return `  ${row.group}: ${n(row.inScope)} members in the plan = ${parts.join(' + ')}${left}${row.whole ? ' [whole group]' : ''}  (${row.why.slice(0, 2).join('; ')}${row.why.length > 2 ? '; …' : ''})`;
}

/** The lines `plan` prints about its scope; none for an unscoped plan. */
export function scopeLines(plan: PlanFile): string[] {
  const scope = plan.scope;
  if (!scope) return [];
  const s = scope.summary;
  const lines = [
    `Scope: ${scope.specs.join(', ')}${scope.groupMembers === 'scoped' ? ' (groups with their in-scope members only)' : ''}`,
    `  ${n(s.users)} users in scope (${n(s.direct)} directly, ${n(s.throughGroups)} only through groups, ${n(s.customers)} JSM customers), ${n(s.accounts)} accounts, ${n(s.groups)} groups (${n(s.wholeGroups)} whole), ${n(s.formerUsers)} Former users, ${n(s.skipped)} skipped`,
  ];
  if (scope.groups.length > 0) {
    lines.push('Group cascade (members in the plan = direct + only through the group + other):');
    for (const row of scope.groups.slice(0, SHOWN)) lines.push(cascadeLine(row));
    if (scope.groups.length > SHOWN) lines.push(`  … and ${scope.groups.length - SHOWN} more groups (plan --json lists them all)`);
  }
  if (scope.customers.length > 0) {
    lines.push(`JSM customers (kept apart from licensed users): ${scope.customers.slice(0, SHOWN).join(', ')}${scope.customers.length > SHOWN ? `, … (${scope.customers.length})` : ''}`);
  }
  if (scope.formerUsers.length > 0) {
    lines.push('Former users in scope (their data keeps them as "Former user"; no account):');
    for (const former of scope.formerUsers.slice(0, SHOWN)) {
      const why = former.why === 'deleted' ? 'deleted at the source' : former.why === 'inactive-directory' ? 'only in an inactive directory' : 'decided former-user';
      lines.push(`  ${former.source}:${former.userName} (${why}): ${former.reasons.slice(0, 2).join('; ')}`);
    }
    if (scope.formerUsers.length > SHOWN) lines.push(`  … and ${scope.formerUsers.length - SHOWN} more`);
  }
  for (const mismatch of scope.accountTypeMismatches) lines.push(`${mismatch.severity}: ${mismatch.message}`);
  for (const note of scope.notes) lines.push(`note: ${note}`);
  return lines;
}

/** Records the scope of a saved plan (nothing for an unscoped plan: every user is in). */
export function recordScopeOfPlan(db: Db, plan: PlanFile): void {
  if (!plan.scope) return;
  recordPlanScope(db, { planId: plan.id, createdAt: plan.createdAt, specs: plan.scope.specs, summary: plan.scope.summary }, scopeMembers(plan.scope));
}
