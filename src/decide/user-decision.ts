/**
 * Deciding for one user, as `usermig users decide` and the dashboard's user page both do: the action and
 * its value checked (a valid address for new-email, one surviving user for merge-into), the decision tried
 * against every other decision (a merge into a merged user, a cycle…), then saved with its log entry.
 */
import type { EffectiveUser, Estate } from '../assess/estate.js';
import { USER_ACTIONS, type Decisions, type UserAction } from '../model/decision.js';
import { isValidEmail } from '../model/email.js';
import { usageError } from '../model/errors.js';
import { clearUserDecisions, describeUserDecision, saveUserDecisions, type DecisionContext, type UserDecisionInput } from '../workspace/decision-store.js';
import type { Db } from '../workspace/workspace.js';
import { findOneUser } from './find-user.js';
import { describeRef, refKey, resolveIdentities } from './identities.js';

const ref = (user: EffectiveUser) => ({ source: user.source, userKey: user.userKey, userName: user.userName });

/** The decision input for an action typed by the administrator; usage errors say what is wrong. */
export function userDecisionInput(estate: Estate, user: EffectiveUser, action: string, value: string | undefined): UserDecisionInput {
  if (!USER_ACTIONS.includes(action as UserAction)) throw usageError(`"${action}" is not a decision; use one of ${USER_ACTIONS.join(', ')}, or clear`);
  switch (action as UserAction) {
    case 'new-email': {
      const address = (value ?? '').trim();
      if (!isValidEmail(address)) throw usageError(`new-email needs a valid address, not "${value ?? ''}"`);
      return { user: ref(user), action: 'new-email', newEmail: address.toLowerCase() };
    }
    case 'merge-into': {
      if (!value) throw usageError('merge-into needs the surviving user, e.g. merge-into jira:alice');
      const target = findOneUser(estate, value);
      if (target === user) throw usageError(`${describeRef(user)} cannot merge into itself`);
      return { user: ref(user), action: 'merge-into', target: ref(target) };
    }
    default:
      if (value !== undefined) throw usageError(`${action} takes no value`);
      return { user: ref(user), action: action as UserAction };
  }
}

/** What gets stored for an input, as a decision-shaped object (for trying it out before saving). */
function stored(input: UserDecisionInput) {
  return { action: input.action, newEmail: input.newEmail ?? null, target: input.target ?? null, decidedBy: '', decidedAt: '', reason: '', appliedAt: null };
}

/** Refuses a decision that would not hold together with the others (the problem's own message). */
export function checkUserDecision(estate: Estate, decisions: Decisions, user: EffectiveUser, input: UserDecisionInput): void {
  const trial = [...decisions.users.filter((d) => refKey(d) !== refKey(user)), { ...input.user, ...stored(input) }];
  const problem = resolveIdentities(estate, trial).problems.find((p) => refKey(p.decision) === refKey(user) || refKey(p.decision.target ?? p.decision) === refKey(user));
  if (problem) throw usageError(problem.message);
}

export interface UserCleared {
  input: null;
  changed: boolean;
  message: string;
}

export interface UserDecided {
  input: UserDecisionInput;
  changed: boolean;
  /** The line `usermig users decide` prints. */
  message: string;
}

/**
 * Checks and saves one user's decision; `clear` removes it (the user is undecided again), which a
 * decision merging another user into this one does not prevent.
 */
export function decideUser(db: Db, estate: Estate, decisions: Decisions, user: EffectiveUser, action: string, value: string | undefined, context: DecisionContext): UserDecided | UserCleared {
  if (action === 'clear') {
    if (value !== undefined) throw usageError('clear takes no value');
    const changed = clearUserDecisions(db, [ref(user)], context) > 0;
    return { input: null, changed, message: changed ? `${describeRef(user)}: decision cleared` : `${describeRef(user)}: no decision to clear` };
  }
  const input = userDecisionInput(estate, user, action, value);
  checkUserDecision(estate, decisions, user, input);
  const changed = saveUserDecisions(db, [input], context) > 0;
  return { input, changed, message: changed ? `${describeRef(user)}: ${describeUserDecision(input)}` : `${describeRef(user)}: already ${describeUserDecision(input)}` };
}
