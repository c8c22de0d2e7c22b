/**
 * The waves of the report (issue 5): per source user, the first applied plan whose scope brought them in,
 * with its scope and why; and the Former users the scoped waves listed. An applied plan recorded without
 * a scope is an unscoped wave: everyone is in. Pure: the applies and the recorded plan scopes in.
 */
import type { PlanScopeMember, PlanScopeRecord } from '../workspace/scope-store.js';

export interface UserWave {
  /** 1 for the first applied plan, 2 for the second, … */
  number: number;
  planId: string;
  /** The plan's scope specs, joined: `jira:projects=APO`, or `all`. */
  scope: string;
  reasons: string[];
}

export interface FormerUserInWave {
  wave: number;
  planId: string;
  source: string;
  userName: string;
  userKey: string;
  why: string;
  reasons: string[];
}

export interface WaveInput {
  /** Plan ids of the applies, in the order they started. */
  appliedPlans: readonly string[];
  /** Plan id → its recorded scope (absent: unscoped). */
  scopes: ReadonlyMap<string, PlanScopeRecord>;
  /** Plan id → (source \0 user key) → member. */
  members: ReadonlyMap<string, ReadonlyMap<string, PlanScopeMember>>;
}

export interface Waves {
  of(source: string, userKey: string): UserWave | null;
  formerUsers: FormerUserInWave[];
}

export function computeWaves(input: WaveInput): Waves {
  const formerUsers: FormerUserInWave[] = [];
  const seenFormer = new Set<string>();
  input.appliedPlans.forEach((planId, index) => {
    for (const member of input.members.get(planId)?.values() ?? []) {
      if (!member.status.startsWith('former-user')) continue;
      const key = `${member.source}\u0000${member.userKey}`;
      if (seenFormer.has(key)) continue;
      seenFormer.add(key);
      const why = /\((.*)\)/.exec(member.status)?.[1] ?? 'decided';
      formerUsers.push({ wave: index + 1, planId, source: member.source, userName: member.userName, userKey: member.userKey, why, reasons: member.reasons });
    }
  });
  return {
    formerUsers,
    of(source, userKey) {
      const key = `${source}\u0000${userKey}`;
      for (const [index, planId] of input.appliedPlans.entries()) {
        const scope = input.scopes.get(planId);
        if (!scope) return { number: index + 1, planId, scope: 'all', reasons: ['the wave migrated every user (--scope all)'] };
        const member = input.members.get(planId)?.get(key);
        if (member) return { number: index + 1, planId, scope: scope.specs.join(', '), reasons: member.reasons };
      }
      return null;
    },
  };
}
