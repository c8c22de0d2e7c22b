/**
 * The report's files (users.csv, groups.csv, checklist.csv, report.json, report.html) and the lines
 * `usermig report` prints; the dashboard's downloads are the same bytes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsermigError, usageError } from '../model/errors.js';
import type { Report } from './outcomes.js';
import { reportHtml } from './report-html.js';
import { checklistCsv, groupsCsv, usersCsv, writeFileAtomically } from './report-csv.js';

export const REPORT_FORMATS = ['csv', 'json', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function parseFormats(format: string | undefined): ReportFormat[] {
  if (format === undefined) return [...REPORT_FORMATS];
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) throw usageError(`"${format}" is not a report format; use csv, json or html`);
  return [format as ReportFormat];
}

/** Writes the report in the formats asked for; returns the files written. */
export function writeReport(report: Report, dir: string, formats: readonly ReportFormat[]): string[] {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new UsermigError('input', `cannot create the report folder ${dir}: ${(error as Error).message}`);
  }
  const files: string[] = [];
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    writeFileAtomically(file, text);
    files.push(file);
  };
  for (const format of formats) {
    if (format === 'csv') {
      write('users.csv', usersCsv(report));
      write('groups.csv', groupsCsv(report));
      write('checklist.csv', checklistCsv(report));
    } else if (format === 'json') {
      write('report.json', `${JSON.stringify(report, null, 2)}\n`);
    } else {
      write('report.html', reportHtml(report));
    }
  }
  return files;
}

/** The lines `usermig report` prints: the summary, the checklist in brief, and the files. */
export function describeReport(report: Report, dir: string, files: readonly string[]): string[] {
  const s = report.summary;
  const approvals = new Set(report.checklist.filter((item) => item.step === 1).map((item) => item.group)).size;
  const readds = report.checklist.filter((item) => item.step === 2 && item.item !== '').length;
  return [
    ...report.notices,
    `${s.users} source users: ${Object.entries(s.byOutcome)
      .map(([outcome, count]) => `${count} ${outcome}`)
      .join(', ')}; ${s.accounts.desired} accounts (${s.accounts.created} created, ${s.accounts.linked} linked, ${s.accounts.pending} pending); ` +
      `${s.groups.desired} groups (${s.groups.created} created, ${s.groups.mergedIntoExisting} merged into existing, ${s.groups.pending} pending), ` +
      `${s.groups.blocklisted} blocklisted, ${s.groups.skipped} skipped.`,
    `Checklist: 1) approve access for ${approvals} group${approvals === 1 ? '' : 's'}; ` +
      `2) re-add ${readds} member${readds === 1 ? '' : 's'} to ${s.groups.blocklisted} blocklisted group${s.groups.blocklisted === 1 ? '' : 's'}; ` +
      `3) invite the users of ${s.accountsCreatedByLedger} created account${s.accountsCreatedByLedger === 1 ? '' : 's'}.`,
    `Report written to ${dir}:`,
    ...files.map((file) => `  ${file}`),
  ];
}
