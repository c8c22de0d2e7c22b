/**
 * The outcome report as one self-contained HTML page: no scripts, no external assets (a Content Security
 * Policy forbids loading any), and every piece of text from the estate escaped through `escapeHtml`, so
 * that a group named `<script>` shows as text.
 */
import type { ChecklistItem, Report } from './outcomes.js';
import { describeGroupSource } from './report-csv.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (character) => ESCAPES[character] as string);
}

/** Markup built only from escaped text and fixed tags. */
class Html {
  constructor(readonly markup: string) {}
}

/** A template tag that escapes every interpolated value unless it is already `Html`. */
function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let markup = strings[0] as string;
  values.forEach((value, index) => {
    markup += render(value) + (strings[index + 1] as string);
  });
  return new Html(markup);
}

function render(value: unknown): string {
  if (value instanceof Html) return value.markup;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(value);
}

const lines = (items: readonly string[]): Html => (items.length === 0 ? html`` : html`${items.map((item, index) => (index === 0 ? html`${item}` : html`<br>${item}`))}`);

function table(headers: readonly string[], rows: readonly unknown[][]): Html {
  if (rows.length === 0) return html`<p class="empty">None.</p>`;
  return html`<table><thead><tr>${headers.map((header) => html`<th>${header}</th>`)}</tr></thead><tbody>${rows.map(
    (row) => html`<tr>${row.map((cell) => html`<td>${cell}</td>`)}</tr>`,
  )}</tbody></table>`;
}

const badge = (text: string): Html => html`<span class="badge ${text.split(' ')[0] ?? ''}">${text}</span>`;

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem; color: #172b4d; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #dfe1e6; padding-bottom: .3rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; width: 100%; }
th, td { border: 1px solid #dfe1e6; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f4f5f7; position: sticky; top: 0; }
tr:nth-child(even) td { background: #fafbfc; }
.notice { background: #fffae6; border-left: 4px solid #ffab00; padding: .5rem 1rem; margin: .5rem 0; }
.badge { display: inline-block; padding: 0 .4rem; border-radius: 3px; background: #dfe1e6; white-space: nowrap; }
.badge.created { background: #e3fcef; } .badge.linked { background: #deebff; } .badge.pending { background: #fffae6; }
.badge.merged { background: #eae6ff; } .badge.skipped, .badge.former, .badge.unresolved { background: #ffebe6; }
.muted, .empty { color: #6b778c; } dl { display: grid; grid-template-columns: max-content auto; gap: .2rem 1rem; }
dt { font-weight: 600; } ol > li { margin-bottom: 1rem; }
`;

export function reportHtml(report: Report): string {
  const s = report.summary;
  const step = (n: ChecklistItem['step']) => report.checklist.filter((item) => item.step === n);
  const approvals = step(1);
  const readds = step(2);
  const invite = step(3)[0];
  const billable = Object.entries(s.billableIfApproved);

  const page = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>usermig migration report</title>
<style>${new Html(STYLE)}</style>
</head>
<body>
<h1>usermig migration report</h1>
<dl>
<dt>Generated</dt><dd>${report.generatedAt}</dd>
<dt>Target</dt><dd>${report.target ?? 'none: nothing was applied yet'}</dd>
<dt>Last apply</dt><dd>${report.lastApply ? `${report.lastApply.planId}, started ${report.lastApply.startedAt}, ${report.lastApply.finishedAt ? `finished ${report.lastApply.finishedAt}` : 'not finished'}` : 'none'}</dd>
</dl>
${report.notices.map((notice) => html`<p class="notice">${notice}</p>`)}

<h2>Summary</h2>
<dl>
<dt>Source users</dt><dd>${s.users} (${Object.entries(s.byOutcome)
    .map(([outcome, count]) => `${count} ${outcome}`)
    .join(', ')})</dd>
<dt>Cloud accounts</dt><dd>${s.accounts.desired} desired: ${s.accounts.created} created, ${s.accounts.linked} linked, ${s.accounts.pending} pending</dd>
<dt>Cloud groups</dt><dd>${s.groups.desired} desired: ${s.groups.created} created, ${s.groups.mergedIntoExisting} merged into existing, ${s.groups.pending} pending; ${s.groups.blocklisted} blocklisted, ${s.groups.skipped} skipped</dd>
<dt>Billable once approved</dt><dd>${billable.length === 0 ? 'no product access to approve' : billable.map(([product, count]) => `${product}: ${count}`).join(', ')}</dd>
</dl>

<h2>Post-migration checklist</h2>
<ol>
<li><strong>Review and approve product and admin access per migrated group</strong> (held for approval, GR-07)
${table(
  ['Group', 'Access', 'People', 'Become billable', 'What to do'],
  approvals.map((item) => [item.group, item.item, item.people, item.billable ?? '', item.detail]),
)}</li>
<li><strong>Add the admins back to the blocklisted groups by hand</strong> (GR-05)
${table(
  ['Blocklisted group', 'Cloud email', 'What to do'],
  readds.map((item) => [item.group, item.item, item.detail]),
)}</li>
<li><strong>Invite the users</strong> (a migration sends no invitations, IN-07)
<p>${invite ? invite.detail : ''}</p></li>
</ol>

<h2>Groups</h2>
${table(
  ['Cloud group', 'Source groups', 'Outcome', 'Cloud SCIM group id', 'Members', 'Via nested only', 'Product access awaiting approval', 'Admin access awaiting approval', 'Reasons'],
  report.groups.map((row) => [
    row.cloudName,
    lines(row.sources.map(describeGroupSource)),
    badge(row.outcome),
    row.cloudGroupId,
    row.members,
    row.membersViaNestedOnly,
    row.productAccessAwaitingApproval.join(', '),
    row.adminAccessAwaitingApproval.join(', '),
    lines(row.reasons),
  ]),
)}

<h2>Users</h2>
${table(
  ['Source', 'Username', 'User key', 'Email', 'Cloud email', 'Outcome', 'Cloud SCIM user id', 'Active', 'Cloud groups', 'Via nested', 'Blocklisted groups to re-add', 'Reasons', 'Wave'],
  report.users.map((row) => [
    row.source,
    row.userName,
    row.userKey,
    row.email,
    row.cloudEmail,
    badge(row.outcome),
    row.cloudUserId,
    row.activeInSource ? 'yes' : 'no',
    row.groups.join(', '),
    row.groupsViaNested.join(', '),
    row.blocklistedGroups.join(', '),
    lines(row.reasons),
    row.wave ? lines([`wave ${row.wave.number}: ${row.wave.planId} (${row.wave.scope})`, ...row.wave.reasons]) : '',
  ]),
)}

<h2>Former users in scope</h2>
${table(
  ['Wave', 'Source', 'Username', 'User key', 'Why', 'Referenced as'],
  report.formerUsers.map((former) => [`${former.wave}: ${former.planId}`, former.source, former.userName, former.userKey, former.why, lines(former.reasons)]),
)}

<h2>Apply timing</h2>
${table(
  ['Plan', 'Phase', 'Operations', 'Done', 'Skipped', 'Unfinished', 'First update', 'Last update', 'Seconds'],
  report.phases.map((phase) => [phase.planId, phase.kind, phase.operations, phase.done, phase.skipped, phase.intent + phase.failed, phase.first, phase.last, phase.seconds]),
)}
<p class="muted">Timing comes from the apply ledger: the first and the last update of each kind of operation.</p>
</body>
</html>
`;
  return page.markup;
}
