/**
 * The one place that holds the user tiers the strategy uses (RULES.md LIC-04, LIC-05). A cloud migration
 * trial matches the server or Data Center licence's user tier; the tier to match is the smallest tier that
 * holds the billable users. The table is Atlassian's published Data Center user tiers at the time of writing;
 * check it against your licence, and pass another table to computeStrategy (`tiers`) when yours differs.
 */
export interface UserTiers {
  /** User tiers in ascending order (a licence for N users). */
  tiers: number[];
  /** Free-plan caps per product (LIC-05): above them a paid plan (Standard or Premium) is needed. */
  free: Record<string, number>;
}

export const DEFAULT_TIERS: UserTiers = {
  tiers: [
    10, 25, 50, 100, 250, 500, 1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 7_000, 8_000, 9_000, 10_000, 15_000, 20_000, 25_000, 30_000, 35_000,
    40_000, 45_000, 50_000, 60_000, 70_000, 80_000, 90_000, 100_000,
  ],
  free: { confluence: 10, bitbucket: 5 },
};

/** The smallest tier that holds `users`, or null when none does (talk to Atlassian). */
export function tierFor(users: number, tiers: UserTiers): number | null {
  for (const tier of tiers.tiers) if (users <= tier) return tier;
  return null;
}
