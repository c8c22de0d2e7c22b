/**
 * The outcome report as CSV: `users.csv` (one row per source user), `groups.csv` (one row per cloud
 * group, blocklisted group and skipped source group) and `checklist.csv` (POST-01, in order). Lists inside
 * a cell are separated by "; ". Files are written atomically (a temporary file renamed into place).
 */
import fs from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { UsermigError } from '../model/errors.js';
import { FORMULA_SAFE } from './csv-cells.js';
import type { GroupRow, GroupSourceRow, Report } from './outcomes.js';

export const USERS_CSV_COLUMNS = [
  'source',
  'username',
  'user_key',
  'email',
  'cloud_email',
  'outcome',
  'account_state',
  'cloud_scim_user_id',
  'active_in_source',
  'cloud_groups',
  'cloud_groups_via_nested',
  'blocklisted_groups_to_readd',
  'reasons',
  'wave',
  'wave_plan',
  'wave_scope',
  'wave_reasons',
] as const;

export const GROUPS_CSV_COLUMNS = [
  'cloud_group',
  'source_groups',
  'outcome',
  'cloud_scim_group_id',
  'members',
  'members_via_nested_only',
  'product_access_awaiting_approval',
  'admin_access_awaiting_approval',
  'reasons',
] as const;

export const CHECKLIST_CSV_COLUMNS = ['step', 'task', 'group', 'item', 'people', 'billable', 'detail'] as const;

const list = (items: readonly string[]) => items.join('; ');

/** `jira:team-1 (own)`, `confluence:Eng (renamed)`. */
export const describeGroupSource = (source: GroupSourceRow): string => `${source.source}:${source.name} (${source.naming})`;
export const describeGroupSources = (row: GroupRow): string => list(row.sources.map(describeGroupSource));

export function usersCsv(report: Report): string {
  const rows = report.users.map((row) => [
    row.source,
    row.userName,
    row.userKey,
    row.email,
    row.cloudEmail,
    row.outcome,
    row.accountState ?? '',
    row.cloudUserId,
    row.activeInSource ? 'yes' : 'no',
    list(row.groups),
    list(row.groupsViaNested),
    list(row.blocklistedGroups),
    list(row.reasons),
    row.wave ? String(row.wave.number) : '',
    row.wave?.planId ?? '',
    row.wave?.scope ?? '',
    list(row.wave?.reasons ?? []),
  ]);
  return stringify(rows, { header: true, columns: [...USERS_CSV_COLUMNS], cast: FORMULA_SAFE });
}

export function groupsCsv(report: Report): string {
  const rows = report.groups.map((row) => [
    row.cloudName,
    describeGroupSources(row),
    row.outcome,
    row.cloudGroupId,
    String(row.members),
    String(row.membersViaNestedOnly),
    list(row.productAccessAwaitingApproval),
    list(row.adminAccessAwaitingApproval),
    list(row.reasons),
  ]);
  return stringify(rows, { header: true, columns: [...GROUPS_CSV_COLUMNS], cast: FORMULA_SAFE });
}

export function checklistCsv(report: Report): string {
  const rows = report.checklist.map((item) => [String(item.step), item.task, item.group, item.item, String(item.people), item.billable === null ? '' : String(item.billable), item.detail]);
  return stringify(rows, { header: true, columns: [...CHECKLIST_CSV_COLUMNS], cast: FORMULA_SAFE });
}

/** Writes `text` to `file` atomically: a temporary file next to it, renamed into place. */
export function writeFileAtomically(file: string, text: string): void {
  const temporary = `${file}.tmp-${process.pid}`;
  try {
    fs.writeFileSync(temporary, text);
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw new UsermigError('input', `cannot write ${file}: ${(error as Error).message}`);
  }
}
