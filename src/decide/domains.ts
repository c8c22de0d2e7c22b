/**
 * Email domains and their trust (RULES.md DOM-01..03, §6 S-11), as pure functions: the inventory with the
 * number of cloud accounts per domain, domain validity (S-02's domain rule), and the domains CSV
 * (`Domain,Users,Trusted`, TRUE/FALSE) both ways.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { accountDomains, domainInventory } from '../assess/checks/domains.js';
import type { CheckContext } from '../assess/context.js';
import type { Estate } from '../assess/estate.js';
import { isValidEmail } from '../model/email.js';
import { usageError } from '../model/errors.js';

export interface DomainRow {
  domain: string;
  /** Accounts that will have an address in the domain once the decisions apply. */
  users: number;
  trusted: boolean;
}

export const normaliseDomain = (raw: string): string => raw.trim().toLowerCase();

/** S-02's domain rule: two or more labels of letters, digits and inner hyphens (1–63 each), the last alphabetic. */
export const isValidDomain = (domain: string): boolean => domain.length > 0 && !domain.includes('@') && isValidEmail(`a@${domain}`);

/**
 * Every domain usermig knows: those of the accounts after decisions (with their count), those present
 * only in the estate's own addresses (0: every user there gets another address) and those decided
 * without users (pre-trusted). Sorted by users, most first, then by name.
 */
export function domainRows(estate: Estate, context: CheckContext): DomainRow[] {
  const counts = new Map(accountDomains(estate, context));
  for (const domain of domainInventory(estate).keys()) if (!counts.has(domain)) counts.set(domain, 0);
  for (const decision of context.decisions.domains) if (!counts.has(decision.domain)) counts.set(decision.domain, 0);
  return [...counts]
    .map(([domain, users]) => ({ domain, users, trusted: context.trustedDomains.has(domain) }))
    .sort((a, b) => b.users - a.users || a.domain.localeCompare(b.domain));
}

export const DOMAIN_CSV_COLUMNS = ['Domain', 'Users', 'Trusted'] as const;

export function domainsCsv(rows: readonly DomainRow[]): string {
  return stringify(
    rows.map((row) => [row.domain, String(row.users), row.trusted ? 'TRUE' : 'FALSE']),
    { header: true, columns: [...DOMAIN_CSV_COLUMNS], record_delimiter: '\n' },
  );
}

export interface DomainImportRow {
  line: number;
  domain: string;
  trusted: boolean;
}

export interface DomainImport {
  rows: DomainImportRow[];
  /** One message per bad row, each starting with its line number. */
  errors: string[];
}

/**
 * Reads a domains CSV: a header naming at least Domain and Trusted (any case, any order; Users and other
 * columns are ignored), then one row per domain. A byte-order mark, CRLF line ends and blank lines are
 * accepted. Every bad row is reported, not just the first.
 */
export function parseDomainsCsv(text: string): DomainImport {
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, info: true }) as unknown as typeof records;
  } catch (error) {
    return { rows: [], errors: [`${(error as Error).message}`] };
  }
  if (records.length === 0) return { rows: [], errors: ['the file is empty: it needs the header Domain,Users,Trusted'] };
  const header = records[0]!.record.map((cell) => cell.trim().toLowerCase());
  const domainColumn = header.indexOf('domain');
  const trustedColumn = header.indexOf('trusted');
  if (domainColumn < 0 || trustedColumn < 0) {
    return { rows: [], errors: [`line ${records[0]!.info.lines}: the header must name the columns Domain,Users,Trusted (found ${records[0]!.record.join(',')})`] };
  }
  const rows: DomainImportRow[] = [];
  const errors: string[] = [];
  const seen = new Map<string, number>();
  for (const { record, info } of records.slice(1)) {
    const line = info.lines;
    if (record.every((cell) => cell.trim() === '')) continue;
    const raw = record[domainColumn] ?? '';
    const domain = normaliseDomain(raw);
    const trustedText = (record[trustedColumn] ?? '').trim();
    const problems: string[] = [];
    if (!isValidDomain(domain)) problems.push(`"${raw}" is not a valid domain`);
    const trusted = trustedText.toUpperCase() === 'TRUE' ? true : trustedText.toUpperCase() === 'FALSE' ? false : null;
    if (trusted === null) problems.push(`Trusted must be TRUE or FALSE, not "${trustedText}"`);
    const first = seen.get(domain);
    if (domain !== '' && first !== undefined) problems.push(`domain ${domain} is already on line ${first}`);
    else if (domain !== '') seen.set(domain, line);
    if (problems.length > 0) errors.push(`line ${line}: ${problems.join('; ')}`);
    else rows.push({ line, domain, trusted: trusted as boolean });
  }
  return { rows, errors };
}

/** Normalises and checks domains named on the command line; a malformed one is a usage error. */
export function namedDomains(raw: readonly string[]): string[] {
  const domains = [...new Set(raw.map(normaliseDomain))];
  const bad = domains.filter((domain) => !isValidDomain(domain));
  if (bad.length > 0) {
    throw usageError(
      `${bad.map((domain) => JSON.stringify(domain)).join(', ')} ${bad.length === 1 ? 'is not a valid domain' : 'are not valid domains'} (two or more labels of letters, digits and hyphens, e.g. example.com)`,
    );
  }
  return domains;
}
