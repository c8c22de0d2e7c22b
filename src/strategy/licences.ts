/**
 * Licences and the migration trial (RULES.md LIC-01, LIC-02, LIC-04, LIC-05): billable users per product
 * now (active members of groups with product access) and after the decisions (Former users and skipped
 * users get no account, merged users share one, disabled users are not billed), the user tier the cloud
 * migration trial must match, and the free tiers this estate exceeds.
 */
import { billableUsers } from '../assess/access.js';
import type { Estate } from '../assess/estate.js';
import type { Identities } from '../decide/identities.js';
import { count, n } from './numbers.js';
import { tierFor, type UserTiers } from './tiers.js';
import type { Point, Section, Strategy } from './types.js';

export function licences(estate: Estate, identities: Identities, tiers: UserTiers): { section: Section; rows: Strategy['licences'] } {
  const now = new Map<string, number>();
  const after = new Map<string, Set<string>>();
  for (const source of estate.sources) {
    for (const [product, holders] of billableUsers(source)) {
      now.set(product, (now.get(product) ?? 0) + holders.size);
      const accounts = after.get(product) ?? new Set<string>();
      for (const index of holders) {
        const user = source.users[index]!;
        const identity = identities.byUser.get(user);
        if (!identity || identity.email === null || (identity.outcome !== 'account' && identity.outcome !== 'merged')) continue;
        accounts.add(identity.email);
      }
      after.set(product, accounts);
    }
  }
  const rows: Strategy['licences'] = [...now.keys()].sort().map((product) => {
    const billableAfterDecisions = after.get(product)?.size ?? 0;
    return {
      product,
      billableNow: now.get(product) ?? 0,
      billableAfterDecisions,
      tier: tierFor(billableAfterDecisions, tiers),
      freeLimit: tiers.free[product] ?? null,
    };
  });
  const points: Point[] = [];
  if (rows.length === 0) {
    points.push({
      level: 'info',
      text: 'No group of the estate grants product access, so no migrated user would be billed.',
      because: 'no application-access, USE, USECONFLUENCE or LICENSED_USER grant to a group was found in the sources',
      rules: ['LIC-01'],
    });
  }
  for (const row of rows) {
    const saved = row.billableNow - row.billableAfterDecisions;
    points.push({
      level: 'info',
      text:
        row.tier === null
          ? `${row.product}: ${count(row.billableAfterDecisions, 'billable user')}, above the largest user tier known (${n(tiers.tiers[tiers.tiers.length - 1] ?? 0)}); agree the licence with Atlassian before the trial.`
          : `${row.product}: the cloud migration trial must cover ${n(row.tier)} users (the tier holding ${count(row.billableAfterDecisions, 'billable user')}).`,
      because:
        `${n(row.billableNow)} active users hold ${row.product} through their groups now; after the decisions ${n(row.billableAfterDecisions)} accounts do` +
        (saved > 0 ? ` (${n(saved)} fewer: Former users, skips and merges are not billed twice or at all)` : '') +
        '; disabled users are not billed',
      rules: ['LIC-01', 'LIC-04', 'LIC-02'],
    });
    if (row.freeLimit !== null && row.billableAfterDecisions > row.freeLimit) {
      points.push({
        level: 'warn',
        text: `${row.product}: the Free plan is not enough; the cloud site needs Standard or Premium.`,
        because: `${n(row.billableAfterDecisions)} billable users, above the Free plan's ${n(row.freeLimit)}`,
        rules: ['LIC-05'],
      });
    }
  }
  if (rows.some((row) => row.billableAfterDecisions > 0)) {
    points.push({
      level: 'advise',
      text: 'Run the "User limit exceeded in cloud" pre-check before migrating; if the licence is short, migrate users without product access and grant it in batches.',
      because: `${n(rows.reduce((sum, row) => sum + row.billableAfterDecisions, 0))} billable seats over ${count(rows.length, 'product')}`,
      rules: ['LIC-02', 'LIC-03'],
    });
  }
  return { section: { id: 'licences', title: 'Licences and the migration trial', points }, rows };
}
