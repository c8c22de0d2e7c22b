/**
 * Domains to verify and claim in the cloud before migrating (RULES.md ID-05, ID-08): every domain of the
 * cloud accounts the decisions give, with its user count, apart from the trust decisions of the assessment
 * (trusting a domain lets usermig migrate its users; verifying it makes its accounts managed by the org).
 */
import { accountDomains } from '../assess/checks/domains.js';
import type { CheckContext } from '../assess/context.js';
import type { Estate } from '../assess/estate.js';
import { count, n } from './numbers.js';
import type { Point, Section, Strategy } from './types.js';

export function domains(estate: Estate, context: CheckContext): { section: Section; rows: Strategy['domains'] } {
  const rows = [...accountDomains(estate, context)]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([domain, users]) => ({ domain, users, trusted: context.trustedDomains.has(domain) }));
  const total = rows.reduce((sum, row) => sum + row.users, 0);
  const points: Point[] = [];
  if (rows.length === 0) {
    points.push({ level: 'info', text: 'No cloud account would be created: no domain to verify.', because: 'no user has a valid email after the decisions', rules: ['ID-05'] });
  } else {
    const shown = rows.slice(0, 10).map((row) => `${row.domain} (${n(row.users)})`);
    points.push({
      level: 'insist',
      text: `Verify ${rows.length === 1 ? 'the domain' : `the ${n(rows.length)} domains`} you own in admin.atlassian.com and claim their accounts before migrating: ${shown.join(', ')}${rows.length > 10 ? `, and ${n(rows.length - 10)} more` : ''}.`,
      because: `${count(total, 'user')} get a cloud account on these ${count(rows.length, 'domain')}; verified domains make them managed accounts and lower the risk of duplicates`,
      rules: ['ID-05', 'ID-08'],
    });
    const untrusted = rows.filter((row) => !row.trusted);
    if (untrusted.length > 0) {
      points.push({
        level: 'warn',
        text: `Decide the trust of ${count(untrusted.length, 'domain')} (usermig domains trust …): usermig migrates people only from trusted domains.`,
        because: `${count(untrusted.reduce((s, r) => s + r.users, 0), 'user')} on untrusted domains: ${untrusted.slice(0, 10).map((r) => `${r.domain} (${n(r.users)})`).join(', ')}`,
        rules: ['ID-05'],
      });
    }
  }
  return { section: { id: 'domains', title: 'Domains', points }, rows };
}
