/**
 * What each effective user becomes in the cloud once the decisions apply: an account with an email, a
 * user merged into another's account, a Former user, or skipped. Pure: estate + decisions in, identities
 * and the problems of the decisions out. A decision whose user vanished at a re-scan is orphaned: kept,
 * reported, and never applied to anyone else.
 */
import type { EffectiveUser, Estate } from '../assess/estate.js';
import type { UserDecision, UserRef } from '../model/decision.js';
import { isValidEmail } from '../model/email.js';

export type Outcome = 'account' | 'merged' | 'former-user' | 'skip';

export interface CloudIdentity {
  user: EffectiveUser;
  decision: UserDecision | null;
  outcome: Outcome;
  /** The cloud account's email (for a merged user: the survivor's); null for Former users and skips. */
  email: string | null;
  /** For a merged user: the user whose account it joins. */
  mergedInto: EffectiveUser | null;
}

export interface DecisionProblem {
  decision: UserDecision;
  message: string;
}

export interface Identities {
  byUser: Map<EffectiveUser, CloudIdentity>;
  problems: DecisionProblem[];
  orphaned: UserDecision[];
}

export const refKey = (ref: { source: string; userKey: string }): string => `${ref.source}\u0000${ref.userKey}`;
export const describeRef = (ref: UserRef | EffectiveUser): string => `${ref.source}:${ref.userName}`;

/** Finds effective users by (source, user key). */
export function userIndex(estate: Estate): Map<string, EffectiveUser> {
  const index = new Map<string, EffectiveUser>();
  for (const source of estate.sources) for (const user of source.users) index.set(refKey(user), user);
  return index;
}

export function resolveIdentities(estate: Estate, decisions: readonly UserDecision[]): Identities {
  // The decisions by source and user key (the last of a user's wins). Most users have none: each user is
  // looked up in them, and users are indexed by key only for merge targets, not the other way round.
  const decided = new Map<string, Map<string, UserDecision>>();
  for (const decision of decisions) {
    let bySource = decided.get(decision.source);
    if (!bySource) decided.set(decision.source, (bySource = new Map()));
    bySource.set(decision.userKey, decision);
  }
  /** refKey of each decided user found in the estate. */
  const found = new Set<string>();
  let usersByRef: Map<string, EffectiveUser> | undefined;
  const userOf = (ref: { source: string; userKey: string }) => (usersByRef ??= userIndex(estate)).get(refKey(ref));
  const problems: DecisionProblem[] = [];
  const byUser = new Map<EffectiveUser, CloudIdentity>();

  const own = (user: EffectiveUser, decision: UserDecision | null): CloudIdentity => {
    if (!decision || decision.action === 'migrate') {
      return { user, decision, outcome: 'account', email: user.email.valid ? user.email.normalised : null, mergedInto: null };
    }
    if (decision.action === 'new-email') {
      const email = (decision.newEmail ?? '').trim().toLowerCase();
      if (!isValidEmail(email)) problems.push({ decision, message: `the new email "${decision.newEmail ?? ''}" of ${describeRef(user)} is not a valid address` });
      return { user, decision, outcome: 'account', email: isValidEmail(email) ? email : null, mergedInto: null };
    }
    if (decision.action === 'former-user' || decision.action === 'skip') {
      return { user, decision, outcome: decision.action, email: null, mergedInto: null };
    }
    return { user, decision, outcome: 'merged', email: null, mergedInto: null }; // completed below
  };

  let sourceName: string | undefined;
  let sourceDecisions: Map<string, UserDecision> | undefined;
  for (const source of estate.sources) {
    for (const user of source.users) {
      if (user.source !== sourceName) sourceDecisions = decided.get((sourceName = user.source));
      const decision = sourceDecisions?.get(user.userKey);
      if (decision) found.add(refKey(user));
      byUser.set(user, own(user, decision ?? null));
    }
  }
  const orphaned = decisions.filter((decision) => !found.has(refKey(decision)));

  for (const identity of byUser.values()) {
    if (identity.outcome !== 'merged') continue;
    const decision = identity.decision as UserDecision;
    const target = decision.target ? userOf(decision.target) : undefined;
    if (!target) {
      problems.push({
        decision,
        message: `${describeRef(identity.user)} is to merge into ${decision.target ? describeRef(decision.target) : 'nobody'}, who is not a user of the workspace`,
      });
      continue;
    }
    const survivor = byUser.get(target) as CloudIdentity;
    if (target === identity.user) {
      problems.push({ decision, message: `${describeRef(identity.user)} is to merge into itself` });
    } else if (survivor.outcome !== 'account') {
      const what = survivor.outcome === 'merged' ? 'itself merged into another user (merge chains are not allowed)' : `decided ${survivor.outcome}`;
      problems.push({ decision, message: `${describeRef(identity.user)} is to merge into ${describeRef(target)}, who is ${what}` });
    } else {
      identity.mergedInto = target;
      identity.email = survivor.email;
    }
  }
  return { byUser, problems, orphaned };
}
