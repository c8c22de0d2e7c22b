/** The library API: script the journey without the CLI. */
export { scan, parseSourceSpecs, type ScanResult } from './scan.js';
export { assess, assessEstate, hasBlockers, type Assessment } from './assess/index.js';
export { buildEstate } from './assess/estate.js';
export { loadEstate } from './workspace/estate-loader.js';
export { openWorkspace, resolveWorkspaceDir, type Workspace } from './workspace/workspace.js';
export { generateEstate } from './generate/index.js';
export { UsermigError, isUsermigError } from './model/errors.js';
export type { Finding, Severity, Subject } from './model/finding.js';
