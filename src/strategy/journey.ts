/**
 * The journey to done (RULES.md POST-02, POST-01) as an ordered checklist whose status comes from the
 * workspace: the scan, the assessment and the decisions, the plans applied and the ledger, the report.
 * Steps usermig cannot see (the cloud admin's own work) are `manual`.
 */
import type { Assessment } from '../assess/index.js';
import { count, n } from './numbers.js';
import type { JourneyItem, JourneyState, JourneyStep, StepStatus, Strategy } from './types.js';

/** n of N subjects of these finding codes settled by decisions (resolved findings) rather than open. */
function settled(assessment: Assessment, codes: string[], type: 'user' | 'group' | 'domain'): { done: number; total: number } {
  const open = new Set<string>();
  const resolved = new Set<string>();
  for (const finding of assessment.findings) {
    if (!codes.includes(finding.code)) continue;
    for (const subject of finding.subjects) {
      if (subject.type !== type) continue;
      (finding.resolved ? resolved : open).add(`${subject.source ?? ''}\u0000${subject.id.toLowerCase()}`);
    }
  }
  for (const key of open) resolved.delete(key);
  return { done: resolved.size, total: resolved.size + open.size };
}

const ratio = (label: string, { done, total }: { done: number; total: number }, what: string): JourneyItem => ({
  label: `${label} ${n(done)}/${n(total)}`,
  status: done === total ? 'done' : done > 0 ? 'in-progress' : 'todo',
  detail: total === 0 ? `no ${what} to fix` : `${n(done)} of ${count(total, what)} settled by decisions`,
});

function overall(items: JourneyItem[]): StepStatus {
  const relevant = items.filter((i) => i.status !== 'not-needed');
  if (relevant.length === 0) return 'not-needed';
  if (relevant.every((i) => i.status === 'done')) return 'done';
  if (relevant.every((i) => i.status === 'manual' || i.status === 'done') && relevant.some((i) => i.status === 'manual')) {
    return relevant.some((i) => i.status === 'done') ? 'in-progress' : 'manual';
  }
  return relevant.some((i) => i.status === 'done' || i.status === 'in-progress') ? 'in-progress' : 'todo';
}

export function journey(
  assessment: Assessment,
  state: JourneyState,
  numbers: Strategy['numbers'],
  domainRows: Strategy['domains'],
  licenceRows: Strategy['licences'],
  idpChosen: boolean,
): JourneyStep[] {
  const blockers = assessment.findings.filter((f) => f.severity === 'blocker' && !f.resolved).length;
  const external = numbers.externalDirectories > 0;
  const emails = settled(assessment, ['email-invalid', 'email-duplicated'], 'user');
  const collisions = settled(assessment, ['group-case-collision', 'group-merged-across-products'], 'group');
  const trusted = { done: domainRows.filter((d) => d.trusted).length, total: domainRows.length };
  const finished = state.applies.filter((a) => a.finishedAt !== null);
  const step = (stepNumber: number, title: string, items: JourneyItem[], rules: string[]): JourneyStep => ({ step: stepNumber, title, status: overall(items), items, rules });

  const steps: JourneyStep[] = [
    step(1, 'Understand cloud user management', [{ label: 'read how accounts, groups, product access and domains work in the cloud', status: 'manual', detail: 'one Atlassian account per person, across every site (ID-04)' }], ['POST-02', 'ID-04']),
    step(
      2,
      'Plan',
      [
        { label: 'strategy', status: 'done', detail: `scanned: ${count(numbers.sources, 'source')}, ${count(numbers.people, 'person', 'people')}; this recommendation` },
        {
          label: 'Guard and identity provider',
          status: external ? (idpChosen ? 'done' : 'todo') : 'not-needed',
          detail: external ? (idpChosen ? 'provider chosen (--idp)' : `${count(numbers.externalDirectories, 'external directory', 'external directories')}: choose a provider (--idp)`) : 'no external directory',
        },
        {
          label: 'duplicate and re-migrated groups',
          status: collisions.done === collisions.total ? 'done' : 'todo',
          detail: `${n(collisions.total - collisions.done)} group collision${collisions.total - collisions.done === 1 ? '' : 's'} open; re-runs add and remove memberships (GR-11)`,
        },
        { label: 'nested groups', status: numbers.nestedGroups > 0 ? 'done' : 'not-needed', detail: `${count(numbers.nestedGroups, 'nested group')}, flattened by the plan` },
      ],
      ['POST-02', 'CUM-06', 'GR-10', 'GR-11'],
    ),
    step(
      3,
      'Prepare',
      [
        ratio('emails fixed', emails, 'user'),
        ratio('domains trusted', trusted, 'domain'),
        ratio('group collisions resolved', collisions, 'group'),
        {
          label: 'licences sufficient',
          status: licenceRows.length === 0 ? 'not-needed' : 'manual',
          detail: licenceRows.map((l) => `${l.product} ${n(l.billableAfterDecisions)} billable${l.tier !== null ? ` (tier ${n(l.tier)})` : ''}`).join(', ') || 'no product access granted',
        },
        { label: 'no open blockers', status: blockers === 0 ? 'done' : 'todo', detail: blockers === 0 ? 'usermig assess finds no open blocker' : `${count(blockers, 'open blocker')} (usermig assess)` },
      ],
      ['POST-02', 'LIC-02', 'ID-05'],
    ),
    step(
      4,
      'Set up cloud user management',
      [
        { label: 'domains verified', status: 'manual', detail: `${count(domainRows.length, 'domain')} to verify in admin.atlassian.com (ID-05); may also come after the migration` },
        { label: 'Atlassian Guard', status: external ? 'manual' : 'not-needed', detail: external ? 'subscribe for SCIM and SSO (CUM-06)' : 'optional' },
        { label: 'identity provider, SCIM and SSO', status: external ? 'manual' : 'not-needed', detail: external ? 'connect the provider; turn SCIM on as the identity section advises (ID-08)' : 'optional' },
      ],
      ['POST-02', 'ID-05', 'ID-08'],
    ),
  ];
  const plan = state.lastPlan;
  const failed = state.ledger.failed;
  const migrateItems: JourneyItem[] = [
    {
      label: `plans applied ${n(finished.length)}`,
      status: finished.length > 0 ? 'done' : state.applies.length > 0 ? 'in-progress' : 'todo',
      detail:
        finished.length > 0
          ? finished.map((a) => `${a.planId} (${a.specs.join(', ')}) into ${a.target}`).join('; ')
          : state.applies.length > 0
            ? 'an apply started and did not finish: run usermig apply again to resume'
            : 'nothing applied yet (usermig plan, then usermig apply)',
    },
    {
      label: 'differences outstanding',
      status: finished.length === 0 ? 'todo' : plan?.applied && plan.current && failed === 0 ? 'done' : 'todo',
      detail:
        finished.length === 0
          ? 'the first run moves everything'
          : failed > 0
            ? `${count(failed, 'failed operation')} in the ledger: apply again`
            : plan?.applied && plan.current
              ? `none since ${plan.id}: no scan or decision since it was applied`
              : 'the estate or the decisions changed since the last applied plan: plan and apply again',
    },
  ];
  steps.push(step(5, 'Migrate users and groups', migrateItems, ['DIFF-01', 'DIFF-03']));
  steps.push(
    step(
      6,
      'Post-migration tasks',
      [
        { label: 'report', status: state.report ? 'done' : 'todo', detail: state.report ? `written ${state.report.writtenAt} (${state.report.file})` : 'usermig report' },
        { label: 'approve product access per migrated group', status: finished.length > 0 ? 'manual' : 'todo', detail: 'admin.atlassian.com (GR-07)' },
        { label: 'add admins back to the blocklisted groups', status: finished.length > 0 ? 'manual' : 'todo', detail: 'the report lists them (GR-05)' },
        { label: 'invite users', status: finished.length > 0 ? 'manual' : 'todo', detail: 'IN-07' },
      ],
      ['POST-01'],
    ),
  );
  return steps;
}
