/** `assess --csv FILE`: one row per finding subject. */
import fs from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import type { Assessment } from '../assess/index.js';
import { FORMULA_SAFE } from './csv-cells.js';
import { UsermigError } from '../model/errors.js';

export const ASSESSMENT_CSV_COLUMNS = ['code', 'severity', 'subject_type', 'source', 'subject', 'detail', 'message'] as const;

export function assessmentCsv(assessment: Assessment): string {
  const rows: string[][] = [];
  for (const finding of assessment.findings) {
    for (const subject of finding.subjects) {
      rows.push([finding.code, finding.severity, subject.type, subject.source ?? '', subject.id, subject.detail ?? '', finding.message]);
    }
  }
  return stringify(rows, { header: true, columns: [...ASSESSMENT_CSV_COLUMNS], cast: FORMULA_SAFE });
}

export function writeAssessmentCsv(assessment: Assessment, file: string): void {
  const temporary = `${file}.tmp-${process.pid}`;
  try {
    fs.writeFileSync(temporary, assessmentCsv(assessment));
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw new UsermigError('input', `cannot write ${file}: ${(error as Error).message}`);
  }
}
