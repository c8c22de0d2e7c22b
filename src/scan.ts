/**
 * The scan step: read sources into the workspace, one snapshot per source, each replaced atomically.
 */
import path from 'node:path';
import { usageError } from './model/errors.js';
import type { NotReadRecord, SourceSpec } from './model/snapshot.js';
import { isUrlKind, parseSourceSpec, readerFor, type SourceOptions } from './sources/index.js';
import { listSources, replaceSnapshot, type ScanCounts } from './workspace/snapshot-store.js';
import type { Workspace } from './workspace/workspace.js';

export interface ScanProgress {
  source: string;
  bytes: number;
  total: number;
}

export interface ScanResult {
  spec: SourceSpec;
  counts: ScanCounts;
  seconds: number;
  /** What the source could not read (REST sources), for the administrator. */
  notes: string[];
}

export function parseSourceSpecs(texts: string[]): SourceSpec[] {
  const specs = texts.map(parseSourceSpec);
  const seen = new Set<string>();
  for (const spec of specs) {
    if (seen.has(spec.name)) {
      throw usageError(`two sources are named "${spec.name}"; name them apart, e.g. ${spec.name}-eu=${spec.kind}:${spec.location}`);
    }
    seen.add(spec.name);
  }
  return specs;
}

export async function scan(
  workspace: Workspace,
  specs: SourceSpec[],
  onProgress?: (progress: ScanProgress) => void,
  options: SourceOptions = {},
): Promise<ScanResult[]> {
  const results: ScanResult[] = [];
  for (const given of specs) {
    const spec = { ...given, location: isUrlKind(given.kind) ? given.location : path.resolve(given.location) };
    const read = readerFor(spec);
    const started = process.hrtime.bigint();
    const notes: string[] = [];
    const hasSnapshot = listSources(workspace.db).some((source) => source.name === spec.name);
    const counts = await replaceSnapshot(workspace, spec, (sink) => {
      // What the source could not read is printed after the scan and stored with the snapshot.
      const notRead = (record: NotReadRecord) => {
        notes.push(record.text);
        sink.notRead?.(record);
      };
      return read(spec.location, { ...sink, notRead }, onProgress && ((bytes, total) => onProgress({ source: spec.name, bytes, total })), {
        name: spec.name,
        options,
        note: (text) => notRead({ topic: 'other', text, consequence: '' }),
        hasSnapshot,
      });
    });
    results.push({ spec, counts, seconds: Number(process.hrtime.bigint() - started) / 1e9, notes });
  }
  return results;
}
