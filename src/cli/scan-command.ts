/**
 * `usermig scan`: reads the sources into the workspace and says what each held. Kept apart from the other
 * commands so that a scan loads only what it needs (start-up time counts on every scan).
 */
import path from 'node:path';
import { loadConfig } from '../config.js';
import { usageError } from '../model/errors.js';
import { parseSourceSpecs, scan, type ScanResult } from '../scan.js';
import type { SourceOptions } from '../sources/index.js';
import { openWorkspace, resolveWorkspaceDir } from '../workspace/workspace.js';
import { type Output, stdout } from './output.js';
import { createProgress } from './progress.js';

export interface ScanOptions {
  workspace?: string;
  json?: boolean;
  /** --ldap-preset openldap|ad */
  ldapPreset?: string;
  /** --ca FILE */
  ca?: string;
  /** --config FILE (default: usermig.json in the workspace when present) */
  config?: string;
}

export async function scanCommand(sources: string[], options: ScanOptions, io = stdout): Promise<number> {
  if (sources.length === 0) throw usageError('scan needs at least one source, e.g. usermig scan jira-backup:backup.zip');
  const specs = parseSourceSpecs(sources);
  const workspaceDir = resolveWorkspaceDir(options.workspace);
  const config = loadConfig(options.config, workspaceDir);
  if (options.ldapPreset !== undefined || specs.some((spec) => spec.kind === 'ldap')) {
    // Loaded only for LDAP (it brings the LDAP client): a bad mapping fails before anything is read.
    const { parsePreset, resolveLdapMapping } = await import('../sources/ldap-mapping.js');
    if (options.ldapPreset !== undefined) parsePreset(options.ldapPreset, '--ldap-preset');
    if (specs.some((spec) => spec.kind === 'ldap')) resolveLdapMapping(config, options.ldapPreset);
  }
  const sourceOptions: SourceOptions = { config, ...(options.ldapPreset ? { ldapPreset: options.ldapPreset } : {}), ...(options.ca ? { caFile: path.resolve(options.ca) } : {}) };
  const workspace = openWorkspace(workspaceDir);
  const progress = createProgress(options.json ? 'json-lines' : 'bar');
  try {
    const results = await scan(workspace, specs, ({ source, bytes, total }) => progress.update(`scanning ${source}`, bytes, total), sourceOptions);
    progress.stop();
    if (options.json) io.out(JSON.stringify({ sources: results.map(scanResultJson) }));
    else for (const result of results) io.out(describeScan(result));
    return 0;
  } finally {
    progress.stop();
    workspace.close();
  }
}

const scanResultJson = (result: ScanResult) => ({
  name: result.spec.name,
  kind: result.spec.kind,
  location: result.spec.location,
  counts: result.counts,
  seconds: Number(result.seconds.toFixed(3)),
  ...(result.notes.length > 0 ? { notes: result.notes } : {}),
});

function describeScan(result: ScanResult): string {
  const c = result.counts;
  const n = (value: number | undefined) => (value ?? 0).toLocaleString('en-US');
  return (
    `scanned ${result.spec.name} (${result.spec.kind}:${result.spec.location}) in ${result.seconds.toFixed(1)} s: ` +
    `${n(c.directories)} directories, ${n(c.users)} users, ${n(c.groups)} groups, ${n(c.memberships)} memberships, ` +
    `${n(c.grants)} grants, ${n(c.containers)} projects/spaces/repositories, ${n(c.references)} user references` +
    result.notes.map((note) => `\n  note: ${note}`).join('')
  );
}

