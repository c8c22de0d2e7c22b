/**
 * The strategy (issue 9): a recommendation for this estate, every point with its reason in numbers from
 * the workspace and the rule it rests on (RULES.md). Computed by a pure function (index.ts) from the
 * estate, the decisions, the assessment, what the workspace knows of the journey and the --idp choice.
 */
import type { Assessment } from '../assess/index.js';
import type { Estate } from '../assess/estate.js';
import type { Decisions } from '../model/decision.js';
import type { UserTiers } from './tiers.js';

export const IDPS = ['none', 'okta', 'entra', 'entra-nested', 'google', 'jumpcloud', 'onelogin', 'ping'] as const;
export type Idp = (typeof IDPS)[number];

/** insist: do it, the numbers demand it; advise: recommended; warn: something this estate breaks or loses; info: a fact to plan with; ok: nothing to do. */
export type Level = 'insist' | 'advise' | 'warn' | 'info' | 'ok';

export interface Point {
  level: Level;
  /** What to do or know. */
  text: string;
  /** Why, in numbers from the workspace. */
  because: string;
  /** The RULES.md IDs it rests on. */
  rules: string[];
}

export interface Section {
  id: 'timing' | 'waves' | 'subset' | 'identity' | 'domains' | 'licences' | 'help';
  title: string;
  points: Point[];
}

/** A directory of a source, as the scan recorded it. */
export interface DirectoryInfo {
  id: string;
  name: string;
  type: string;
  active: boolean;
}

export interface SourceInfo {
  name: string;
  kind: string;
  product: string;
  directories: DirectoryInfo[];
  /** Lower-case names of the groups held in each directory (directory id → names). */
  groupsByDirectory: Map<string, Set<string>>;
  /** Jira projects, Confluence spaces, … (kind → count). */
  containers: Record<string, number>;
}

/** Per source: container key → the user keys its data names (only loaded when waves are worth suggesting). */
export type ContainerUsage = Map<string, Map<string, Set<string>>>;

export interface AppliedPlanInfo {
  planId: string;
  startedAt: string;
  finishedAt: string | null;
  target: string;
  /** The scope specs of the plan (['all'] when unscoped). */
  specs: string[];
  summary: Record<string, number>;
}

/** What the workspace knows of the journey (read at the edge). */
export interface JourneyState {
  applies: AppliedPlanInfo[];
  ledger: { done: number; failed: number; intent: number };
  /** The saved plan (WORKSPACE/plan.json), when there is one. */
  lastPlan?: { id: string; createdAt: string; writes: number; applied: boolean; current: boolean };
  /** The report folder's newest file and when it was written, when a report was written. */
  report?: { file: string; writtenAt: string };
  /** Recorded scoped plans: their specs and the cascade summary (groups migrated whole, members through groups). */
  scopes: Array<{ planId: string; specs: string[]; summary: Record<string, unknown> }>;
}

export interface StrategyInput {
  estate: Estate;
  decisions: Decisions;
  assessment: Assessment;
  sources: SourceInfo[];
  journey: JourneyState;
  idp: Idp;
  tiers: UserTiers;
  /** The people of each project and space; asked for only when the estate is large enough for waves (waves.ts). */
  containerUsage?: () => ContainerUsage;
}

export type StepStatus = 'done' | 'in-progress' | 'todo' | 'manual' | 'not-needed';

export interface JourneyItem {
  label: string;
  status: StepStatus;
  detail: string;
}

export interface JourneyStep {
  step: number;
  title: string;
  status: StepStatus;
  items: JourneyItem[];
  rules: string[];
}

export interface Wave {
  wave: number;
  /** Projects and spaces as SOURCE:KEY. */
  containers: string[];
  /** Distinct people whose data is in the wave's projects and spaces. */
  people: number;
  /** Of those, people whose data is also in another wave. */
  sharedWithOtherWaves: number;
}

export interface Strategy {
  idp: Idp;
  numbers: {
    sources: number;
    /** Effective users over all sources, active and inactive (DIFF-01 counts both). */
    users: number;
    activeUsers: number;
    /** Distinct people (one per email) over all sources, active and inactive. */
    people: number;
    groups: number;
    nestedGroups: number;
    externalDirectories: number;
    usersInExternalDirectories: number;
  };
  sections: Section[];
  waves: Wave[];
  domains: Array<{ domain: string; users: number; trusted: boolean }>;
  licences: Array<{ product: string; billableNow: number; billableAfterDecisions: number; tier: number | null; freeLimit: number | null }>;
  journey: JourneyStep[];
}
