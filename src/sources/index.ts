/**
 * The source kinds usermig reads, and the parsing of source specs: `[NAME=]KIND:LOCATION`, e.g.
 * `jira-backup:backups/jira.zip` or `eu=jira-backup:eu.zip`. NAME (default: the product) is what the
 * workspace knows the source by; scanning the same name again replaces its snapshot.
 */
import { usageError } from '../model/errors.js';
import type { Product, SnapshotSink, SourceSpec } from '../model/snapshot.js';
import { readConfluenceBackup } from './confluence-backup.js';
import { readJiraBackup, type ProgressCallback } from './jira-backup.js';

export type SourceReader = (location: string, sink: SnapshotSink, onProgress?: ProgressCallback) => Promise<void>;

interface SourceKind {
  product: Product;
  read: SourceReader;
}

const KINDS: Record<string, SourceKind> = {
  'jira-backup': { product: 'jira', read: readJiraBackup },
  'confluence-backup': { product: 'confluence', read: readConfluenceBackup },
};

export const SOURCE_KINDS = Object.keys(KINDS);

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function parseSourceSpec(text: string): SourceSpec {
  const match = /^(?:([^=:]+)=)?([a-z-]+):(.+)$/.exec(text);
  const kind = match ? KINDS[match[2] as string] : undefined;
  if (!match || !kind) {
    throw usageError(`"${text}" is not a source spec; write KIND:PATH with KIND one of ${SOURCE_KINDS.join(', ')} (optionally NAME=KIND:PATH)`);
  }
  const name = match[1] ?? kind.product;
  if (!NAME.test(name)) throw usageError(`"${name}" is not a usable source name: letters, digits, '.', '_' and '-' only`);
  return { name, kind: match[2] as string, location: match[3] as string, product: kind.product };
}

export function readerFor(spec: SourceSpec): SourceReader {
  const kind = KINDS[spec.kind];
  if (!kind) throw usageError(`unknown source kind ${spec.kind}`);
  return kind.read;
}
