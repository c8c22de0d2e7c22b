/**
 * The last plan basis the workspace computed, under its key: the workspace fingerprint (every scan and
 * every decision changes it), the scope and the version of usermig. Only one is kept. Stored in columns:
 * the emails, the groups, their members packed as integers, and the accounts' details (display name,
 * reasons, keys; one JSON line per account), which are read only when a plan creates or changes accounts.
 */
import type { BasisDetail, PlanBasis } from '../plan/plan-basis.js';
import { packLists, unpackLists } from './packed-lists.js';
import type { Db } from './workspace.js';

interface Row {
  saved_at: string;
  emails: string;
  groups: string;
  members: Buffer;
  member_offsets: Buffer;
}

export function loadPlanBasis(db: Db, key: string): { basis: PlanBasis; savedAt: string } | undefined {
  const row = db.prepare('SELECT saved_at, emails, groups, members, member_offsets FROM plan_bases WHERE key = ?').get(key) as Row | undefined;
  if (!row) return undefined;
  const members = unpackLists(row.members, row.member_offsets);
  const groups = (JSON.parse(row.groups) as Array<[string, string, 0 | 1]>).map(([lower, name, mapped], at) => ({
    lower,
    name,
    mapped: mapped === 1,
    members: members[at] as Int32Array,
  }));
  let details: string[] | undefined;
  const detail = (at: number): BasisDetail => {
    details ??= (db.prepare('SELECT details FROM plan_bases WHERE key = ?').pluck().get(key) as string).split('\n');
    return JSON.parse(details[at] as string) as BasisDetail;
  };
  return { basis: { emails: JSON.parse(row.emails) as string[], detail, groups }, savedAt: row.saved_at };
}

export function savePlanBasis(db: Db, key: string, basis: PlanBasis): void {
  const details = basis.emails.map((_, at) => JSON.stringify(basis.detail(at))).join('\n');
  const groups = basis.groups.map((group) => [group.lower, group.name, group.mapped ? 1 : 0]);
  const packed = packLists(basis.groups.map((group) => group.members));
  db.transaction(() => {
    db.prepare('DELETE FROM plan_bases').run();
    db.prepare('INSERT INTO plan_bases (key, saved_at, emails, details, groups, members, member_offsets) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      key,
      new Date().toISOString(),
      JSON.stringify(basis.emails),
      details,
      JSON.stringify(groups),
      packed.values,
      packed.offsets,
    );
  })();
}
