/**
 * Assessment: every problem that would block or spoil the migration, computed as a pure function of the
 * estate. Each check lives in its own file under checks/.
 */
import type { ExternalDirectories } from '../config.js';
import type { Decisions } from '../model/decision.js';
import { SEVERITY_ORDER, type Finding } from '../model/finding.js';
import type { EstateSnapshot } from '../workspace/estate-loader.js';
import { checkDecisions } from './checks/decision-problems.js';
import { checkCrossSourceIdentity } from './checks/cross-source-identity.js';
import { checkDirectoryDrift } from './checks/directory-drift.js';
import { checkDirectoryOrder } from './checks/directory-order.js';
import { checkDomains } from './checks/domains.js';
import { checkDuplicatedEmails } from './checks/duplicated-emails.js';
import { checkEmailValidity } from './checks/email-validity.js';
import { checkGroupCaseCollisions, checkGroupsMergedAcrossProducts } from './checks/group-identity.js';
import {
  checkAdminGroups,
  checkBlocklistedGroups,
  checkDanglingGroupReferences,
  checkNestedGroups,
} from './checks/groups.js';
import { checkDirectoryLimits, checkLicences } from './checks/limits-and-licences.js';
import { checkSourcesNotRead } from './checks/source-not-read.js';
import { checkDeletedUsersReferenced, checkDisabledUsers, checkOwnersOfSharedObjects } from './checks/user-status.js';
import { checkContext, type CheckContext } from './context.js';
import { buildEstate, type Estate } from './estate.js';
import { summarise, type AssessmentSummary } from './summary.js';

export interface Assessment {
  summary: AssessmentSummary;
  findings: Finding[];
}

export interface AssessOptions {
  /** The administrator's decisions; without them every problem is open. */
  decisions?: Decisions;
  /** usermig.json's externalDirectories (config.ts externalDirectoriesOf); without it LDAP sources pair by host and base DN. */
  externalDirectories?: ReadonlyMap<string, ExternalDirectories>;
}

const CHECKS: Array<(estate: Estate, context: CheckContext) => Finding[]> = [
  checkDecisions,
  checkEmailValidity,
  checkDuplicatedEmails,
  checkDomains,
  checkDirectoryOrder,
  checkCrossSourceIdentity,
  checkDirectoryDrift,
  checkDisabledUsers,
  checkDeletedUsersReferenced,
  checkOwnersOfSharedObjects,
  checkGroupCaseCollisions,
  checkGroupsMergedAcrossProducts,
  checkBlocklistedGroups,
  checkAdminGroups,
  checkNestedGroups,
  checkDanglingGroupReferences,
  checkDirectoryLimits,
  checkLicences,
  checkSourcesNotRead,
];

export function assessEstate(estate: Estate, options: AssessOptions = {}): Assessment {
  const context = checkContext(estate, options.decisions, options.externalDirectories);
  const findings = CHECKS.flatMap((check) => check(estate, context));
  findings.sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity));
  return { summary: summarise(estate), findings };
}

export function assess(snapshot: EstateSnapshot, options: AssessOptions = {}): Assessment {
  return assessEstate(buildEstate(snapshot), options);
}

export const hasBlockers = (assessment: Assessment): boolean => assessment.findings.some((f) => f.severity === 'blocker');
