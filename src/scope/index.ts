/**
 * Scoping as a library call: parse the specs, read what they need from the workspace (the I/O edge,
 * src/workspace/scope-store.ts) and resolve the scope (pure, resolve.ts). `all` (or no spec) means no
 * scope: undefined.
 */
import type { Estate } from '../assess/estate.js';
import { resolveIdentities } from '../decide/identities.js';
import type { Decisions } from '../model/decision.js';
import { loadScopeData } from '../workspace/scope-store.js';
import type { Db } from '../workspace/workspace.js';
import { resolveScope, scopedContainers, type ResolvedScope } from './resolve.js';
import type { ScopeSpec } from './spec.js';

export { parseScope, describeScope, type ScopeSpec } from './spec.js';
export type { ResolvedScope } from './resolve.js';

export function workspaceScope(db: Db, estate: Estate, decisions: Decisions, spec: ScopeSpec, onBuild?: (source: string) => void): ResolvedScope | undefined {
  if (spec.all) return undefined;
  const products = new Map(estate.sources.map((source) => [source.name, source.product as string]));
  const data = loadScopeData(db, { containers: (source) => scopedContainers(spec, source, products.get(source.source) ?? '') }, onBuild);
  return resolveScope(estate, resolveIdentities(estate, decisions.users), spec, data);
}
