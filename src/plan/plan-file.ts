/**
 * A saved plan: the operations, the reasons, and fingerprints of the workspace and of the cloud it was
 * computed against. `apply` executes exactly this file, and refuses it when either side has changed since
 * (a stale plan), unless it is resuming this very plan.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { UsermigError, inputError } from '../model/errors.js';
import type { Db } from '../workspace/workspace.js';
import type { Via } from '../targets/cloud-writer.js';
import type { CurrentCloud, Operation } from './operations.js';
import type { PlanScope } from '../scope/plan-section.js';

export const PLAN_VERSION = 1;

export interface PlanFile {
  version: number;
  id: string;
  createdAt: string;
  target: string;
  /** How apply writes: through SCIM (the default when absent) or the organization API. */
  via?: Via;
  workspaceFingerprint: string;
  cloudFingerprint: string;
  operations: Operation[];
  linked: string[];
  summary: {
    accounts: number;
    groups: number;
    creates: number;
    links: number;
    /** Accounts whose email changed at the source: changed in the cloud, not created again. */
    emailChanges?: number;
    memberAdds: number;
    memberRemovals: number;
    writes: number;
  };
  /**
   * A generic SCIM service (`scim:URL`): the dialect profile apply must follow, and what discovery found
   * when the plan was made (for the reader; apply discovers again).
   */
  scim?: { profile: string; discovered: string };
  /** A scoped plan's scope: specs, cascade per group, reasons per account, customers, Former users (src/scope). */
  scope?: PlanScope;
}

const sha = (text: string): string => crypto.createHash('sha256').update(text).digest('hex').slice(0, 32);

/** Changes whenever a source is scanned again or a decision changes. */
export function workspaceFingerprint(db: Db): string {
  const sources = db.prepare('SELECT name, scanned_at FROM sources ORDER BY name').all();
  const decisions = db.prepare('SELECT max(id) AS id FROM decision_log').get();
  return sha(JSON.stringify({ sources, decisions }));
}

/** Changes whenever an account, a group or a membership of the cloud changes. */
export function cloudFingerprint(cloud: CurrentCloud): string {
  const accounts = [...cloud.accounts.keys()].sort();
  const groups = [...cloud.groups.entries()].map(([name, group]) => [name, [...group.members].sort()]).sort();
  return sha(JSON.stringify({ accounts, groups }));
}

export function writePlanFile(plan: PlanFile, file: string): void {
  const temporary = `${file}.tmp-${process.pid}`;
  try {
    fs.writeFileSync(temporary, `${JSON.stringify(plan, null, 1)}\n`);
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw new UsermigError('input', `cannot write the plan ${file}: ${(error as Error).message}`);
  }
}

export function readPlanFile(file: string): PlanFile {
  let plan: PlanFile;
  try {
    plan = JSON.parse(fs.readFileSync(file, 'utf8')) as PlanFile;
  } catch (error) {
    throw inputError(`${file}: not a readable plan (${(error as Error).message})`);
  }
  if (plan.version !== PLAN_VERSION || !Array.isArray(plan.operations) || typeof plan.id !== 'string') {
    throw inputError(`${file}: not a usermig plan of version ${PLAN_VERSION}`);
  }
  return plan;
}

export const newPlanId = (): string => `plan-${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${crypto.randomBytes(3).toString('hex')}`;
