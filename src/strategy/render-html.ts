/** The strategy as one self-contained HTML page: no script, no external resource, every value escaped. */
import { escapeHtml } from '../report/report-html.js';
import { n } from './numbers.js';
import type { Strategy } from './types.js';

const e = escapeHtml;

export function strategyHtml(strategy: Strategy, generatedAt: string): string {
  const s = strategy.numbers;
  const parts: string[] = [];
  parts.push(
    `<p>${e(n(s.sources))} sources, ${e(n(s.people))} people (${e(n(s.users))} source users, ${e(n(s.activeUsers))} active), ${e(n(s.groups))} groups (${e(n(s.nestedGroups))} nested), ${e(n(s.externalDirectories))} external directories. Identity provider: ${e(strategy.idp)}.</p>`,
  );
  strategy.sections.forEach((section, at) => {
    parts.push(`<h2>${at + 1}. ${e(section.title)}</h2><ul>`);
    for (const point of section.points) {
      parts.push(`<li class="${e(point.level)}"><b>${e(point.level)}</b> ${e(point.text)}<br><small>because ${e(point.because)} — ${point.rules.map((r) => `<code>${e(r)}</code>`).join(' ')}</small></li>`);
    }
    parts.push('</ul>');
    if (section.id === 'waves' && strategy.waves.length > 0) {
      parts.push('<table><tr><th>Wave</th><th>People</th><th>Also in other waves</th><th>Projects and spaces</th></tr>');
      for (const w of strategy.waves) parts.push(`<tr><td>${e(w.wave)}</td><td>${e(n(w.people))}</td><td>${e(n(w.sharedWithOtherWaves))}</td><td>${e(w.containers.join(', '))}</td></tr>`);
      parts.push('</table>');
    }
    if (section.id === 'domains' && strategy.domains.length > 0) {
      parts.push('<table><tr><th>Domain</th><th>Users</th><th>Trusted</th></tr>');
      for (const d of strategy.domains) parts.push(`<tr><td>${e(d.domain)}</td><td>${e(n(d.users))}</td><td>${d.trusted ? 'yes' : 'no'}</td></tr>`);
      parts.push('</table>');
    }
    if (section.id === 'licences' && strategy.licences.length > 0) {
      parts.push('<table><tr><th>Product</th><th>Billable now</th><th>After decisions</th><th>Trial tier</th><th>Free plan cap</th></tr>');
      for (const l of strategy.licences) {
        parts.push(`<tr><td>${e(l.product)}</td><td>${e(n(l.billableNow))}</td><td>${e(n(l.billableAfterDecisions))}</td><td>${l.tier === null ? '—' : e(n(l.tier))}</td><td>${l.freeLimit === null ? '—' : e(n(l.freeLimit))}</td></tr>`);
      }
      parts.push('</table>');
    }
  });
  parts.push('<h2>The journey</h2><ol>');
  for (const step of strategy.journey) {
    parts.push(`<li><b>${e(step.title)}</b> <span class="${e(step.status)}">${e(step.status)}</span> <small>${step.rules.map((r) => `<code>${e(r)}</code>`).join(' ')}</small><ul>`);
    for (const item of step.items) parts.push(`<li><span class="${e(item.status)}">${e(item.status)}</span> ${e(item.label)}: ${e(item.detail)}</li>`);
    parts.push('</ul></li>');
  }
  parts.push('</ol>');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>usermig strategy</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>
body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem;color:#172b4d}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #dfe1e6;padding:.25rem .5rem;text-align:left}
li{margin:.3rem 0}.insist,.warn{color:#ae2a19}.ok,.done{color:#216e4e}.todo{color:#a54800}small{color:#44546f}
</style></head><body>
<h1>User migration strategy</h1>
<p><small>generated ${e(generatedAt)}</small></p>
${parts.join('\n')}
</body></html>
`;
}
