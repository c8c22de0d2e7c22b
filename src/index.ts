/** The library API: script the journey without the CLI. */
export { scan, parseSourceSpecs, type ScanResult } from './scan.js';
export { assess, assessEstate, hasBlockers, type Assessment } from './assess/index.js';
export { buildEstate } from './assess/estate.js';
export { loadEstate } from './workspace/estate-loader.js';
export { openWorkspace, resolveWorkspaceDir, type Workspace } from './workspace/workspace.js';
export { generateEstate } from './generate/index.js';
export { resolveIdentities, type CloudIdentity, type Identities } from './decide/identities.js';
export { planBulkFix } from './decide/bulk-fix.js';
export { loadDecisions, saveUserDecisions, saveDomainDecisions, saveGroupDecisions, readDecisionLog } from './workspace/decision-store.js';
export type { Decisions, UserDecision, DomainDecision, GroupDecision } from './model/decision.js';
export { UsermigError, isUsermigError } from './model/errors.js';
export type { Finding, Severity, Subject } from './model/finding.js';
