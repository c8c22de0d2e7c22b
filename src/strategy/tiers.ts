/**
 * The one place that holds the user tiers the strategy uses (RULES.md LIC-04, LIC-05). A cloud migration
 * trial matches the server or Data Center licence's user tier; the tier to match is the smallest tier that
 * holds the billable users. The table is Atlassian's published Data Center user tiers at the time of writing;
 * check it against your licence, and override it in the configuration file (`{ "strategy": { "tiers": [...], "free": {...} } }`,
 * configuredTiers) when yours differs.
 */
import { UsermigError } from '../model/errors.js';

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

/**
 * The tiers of the configuration file's `strategy` section, over the defaults:
 * `{ "strategy": { "tiers": [10, 25, …], "free": { "confluence": 10 } } }`. Errors name the setting.
 */
export function configuredTiers(section: Record<string, unknown> | undefined, file = 'the configuration'): UserTiers {
  if (!section) return DEFAULT_TIERS;
  const fail = (setting: string, what: string): never => {
    throw new UsermigError('usage', `${file}: strategy.${setting} ${what}`);
  };
  for (const key of Object.keys(section)) if (key !== 'tiers' && key !== 'free') fail(key, 'is not a setting (known: tiers, free)');
  let tiers = DEFAULT_TIERS.tiers;
  if (section.tiers !== undefined) {
    const value = section.tiers;
    if (!Array.isArray(value) || value.length === 0 || !value.every((n) => Number.isInteger(n) && (n as number) > 0)) {
      fail('tiers', 'must be a non-empty list of whole numbers of users, e.g. [10, 25, 50]');
    }
    const list = value as number[];
    if (list.some((n, i) => i > 0 && n <= (list[i - 1] as number))) fail('tiers', 'must be in ascending order');
    tiers = list;
  }
  let free = DEFAULT_TIERS.free;
  if (section.free !== undefined) {
    const value = section.free;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('free', 'must be an object of product → users, e.g. { "confluence": 10 }');
    for (const [product, n] of Object.entries(value as Record<string, unknown>)) {
      if (!Number.isInteger(n) || (n as number) < 0) fail(`free.${product}`, 'must be a whole number of users');
    }
    free = value as Record<string, number>;
  }
  return { tiers, free };
}
