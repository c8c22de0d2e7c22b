/**
 * What a source could not read (its not-read records, e.g. Jira REST lists no global permission grants):
 * one `source-not-read` finding (info) per source and topic, naming the source, what was not read, and
 * what that means for the migration. The assessment is only as complete as its sources; this says where
 * it is not.
 */
import type { Finding } from '../../model/finding.js';
import type { Estate } from '../estate.js';

export function checkSourcesNotRead(estate: Estate): Finding[] {
  const findings: Finding[] = [];
  for (const source of estate.sources) {
    const seen = new Set<string>();
    for (const record of source.notRead) {
      const key = `${record.topic}\u0000${record.text}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push({
        code: 'source-not-read',
        severity: 'info',
        message: `${source.name} (${source.kind}:${source.location}): ${record.text}`,
        subjects: [{ type: 'estate', id: record.topic, source: source.name, detail: record.text }],
        fix: record.consequence
          ? `${capitalise(record.consequence)}.`
          : 'Check by hand what this means for the migration, or scan a source that has it (a backup).',
      });
    }
  }
  return findings;
}

const capitalise = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);
