/**
 * Decisions: what the administrator chose for a user, an email domain or a group. They are stored once
 * and apply to every later wave (RULES.md §6 S-14).
 */

export type UserAction = 'migrate' | 'new-email' | 'merge-into' | 'former-user' | 'skip';
export const USER_ACTIONS: readonly UserAction[] = ['migrate', 'new-email', 'merge-into', 'former-user', 'skip'];

/** Who decided, when and why. */
export interface Provenance {
  decidedBy: string;
  decidedAt: string;
  reason: string;
  /** When a plan that used this decision was applied; changing it afterwards needs --force. */
  appliedAt: string | null;
}

/** A user is named by source and user key (stable across renames); the username is kept for display. */
export interface UserRef {
  source: string;
  userKey: string;
  userName: string;
}

export interface UserDecision extends UserRef, Provenance {
  action: UserAction;
  /** new-email: the address. */
  newEmail: string | null;
  /** merge-into: the surviving user. */
  target: UserRef | null;
}

export interface DomainDecision extends Provenance {
  domain: string;
  trusted: boolean;
}

export type GroupAction = 'map' | 'rename' | 'skip';

export interface GroupDecision extends Provenance {
  /** The source the decision is for, or '*' for the group in every source. */
  source: string;
  /** The source group's name, lower-cased. */
  group: string;
  action: GroupAction;
  /** map: the cloud group to merge into; rename: the new name. */
  value: string | null;
}

export interface Decisions {
  users: UserDecision[];
  domains: DomainDecision[];
  groups: GroupDecision[];
}

export const NO_DECISIONS: Decisions = { users: [], domains: [], groups: [] };

/** One line of the decision log. */
export interface DecisionLogEntry {
  id: number;
  at: string;
  by: string;
  subjectType: 'user' | 'domain' | 'group';
  subject: string;
  /** What it is now, and what it was ('' when new). */
  decision: string;
  previous: string;
  reason: string;
}
