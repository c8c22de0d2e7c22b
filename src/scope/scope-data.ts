/**
 * What scoping reads from the workspace (src/workspace/scope-store.ts loads it; everything in src/scope
 * is pure over it and the estate).
 */

/** The references to one user in one container, of one kind: "assignee of 41 issues in APO, e.g. APO-12". */
export interface ReferenceRow {
  /** The user key as the data names it (may name a deleted user). */
  userKey: string;
  kind: string;
  /** Project or space key (or JSM organization name); '' for global things. */
  container: string;
  count: number;
  /** One of them: an issue key, a page title, a role, a permission. */
  example: string;
}

export interface SourceScopeData {
  source: string;
  containers: Array<{ kind: string; key: string; name: string }>;
  /** Jira project key → the name of its permission scheme. */
  projectSchemes: Map<string, string>;
  /** The references in the containers the scope asked for. */
  references: ReferenceRow[];
}

export interface ScopeData {
  /** Source name → its data. */
  sources: Map<string, SourceScopeData>;
}
