/**
 * Findings: what assessment reports. Each has a code (RULES.md §6 names them), a severity, a message, the
 * subjects it concerns and how to fix it.
 */

export type Severity = 'blocker' | 'warning' | 'info';

export interface Subject {
  /** What the subject is. */
  type: 'user' | 'group' | 'domain' | 'email' | 'grant' | 'product' | 'estate' | 'reference';
  /** Its identifier: a username, group name, domain, address, product key… */
  id: string;
  /** The source it belongs to, when it belongs to one. */
  source?: string;
  /** A short explanation specific to this subject (the user's email, the group's size, …). */
  detail?: string;
}

export interface Finding {
  code: string;
  severity: Severity;
  message: string;
  subjects: Subject[];
  /** How to resolve it, for the readable report. */
  fix: string;
  /** True when decisions resolve what would otherwise be a problem (the subjects say how). */
  resolved?: boolean;
}

export const SEVERITY_ORDER: readonly Severity[] = ['blocker', 'warning', 'info'];
