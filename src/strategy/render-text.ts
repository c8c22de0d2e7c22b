/** The strategy as text, for the terminal. */
import { n } from './numbers.js';
import type { Level, StepStatus, Strategy } from './types.js';

const LEVEL: Record<Level, string> = { insist: 'MUST', advise: 'advise', warn: 'WARN', info: 'info', ok: 'ok' };
const STATUS: Record<StepStatus, string> = { done: '[x]', 'in-progress': '[~]', todo: '[ ]', manual: '[?]', 'not-needed': '[-]' };

export function strategyText(strategy: Strategy): string {
  const s = strategy.numbers;
  const lines: string[] = [
    `User migration strategy${strategy.idp !== 'none' ? ` (identity provider: ${strategy.idp})` : ''}`,
    `${n(s.sources)} sources, ${n(s.people)} people (${n(s.users)} source users, ${n(s.activeUsers)} active), ${n(s.groups)} groups (${n(s.nestedGroups)} nested), ${n(s.externalDirectories)} external directories (${n(s.usersInExternalDirectories)} users)`,
  ];
  strategy.sections.forEach((section, at) => {
    lines.push('', `${at + 1}. ${section.title}`);
    for (const point of section.points) {
      lines.push(`  ${LEVEL[point.level]}: ${point.text}`, `      because ${point.because} [${point.rules.join(', ')}]`);
    }
    if (section.id === 'waves') {
      for (const wave of strategy.waves) {
        const shown = wave.containers.slice(0, 12).join(', ');
        lines.push(`      wave ${wave.wave}: ${n(wave.people)} people, ${n(wave.containers.length)} projects/spaces: ${shown}${wave.containers.length > 12 ? ', …' : ''}`);
      }
    }
    if (section.id === 'domains') {
      for (const row of strategy.domains.slice(0, 20)) lines.push(`      ${row.domain}: ${n(row.users)} users${row.trusted ? ' (trusted)' : ' (not trusted yet)'}`);
      if (strategy.domains.length > 20) lines.push(`      … and ${n(strategy.domains.length - 20)} more (--json lists them all)`);
    }
  });
  lines.push('', 'The journey ([x] done, [~] in progress, [ ] to do, [?] yours to check, [-] not needed)');
  for (const step of strategy.journey) {
    lines.push(`${STATUS[step.status]} ${step.step}. ${step.title} [${step.rules.join(', ')}]`);
    for (const item of step.items) lines.push(`    ${STATUS[item.status]} ${item.label}: ${item.detail}`);
  }
  return `${lines.join('\n')}\n`;
}
