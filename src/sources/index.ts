/**
 * The source kinds usermig reads, and the parsing of source specs: `[NAME=]KIND:LOCATION`, e.g.
 * `jira-backup:backups/jira.zip`, `eu=jira-backup:eu.zip` or `ldap:ldap://host:389/dc=example,dc=com`.
 * NAME (default: the product) is what the workspace knows the source by; scanning the same name again
 * replaces its snapshot.
 */
import type { UsermigConfig } from '../config.js';
import { usageError } from '../model/errors.js';
import type { Product, SnapshotSink, SourceSpec } from '../model/snapshot.js';
import type { ProgressCallback } from './jira-backup.js';

/** What the scan command gives readers beyond the location: options, configuration, environment. */
export interface SourceOptions {
  /** --ldap-preset (openldap or ad). */
  ldapPreset?: string;
  /** --ca: a PEM file of the CA that signed the server's certificate. */
  caFile?: string;
  config?: UsermigConfig;
  /** Where credentials are read from (default process.env). */
  env?: Record<string, string | undefined>;
}

export interface SourceContext {
  /** The name the workspace knows the source by. */
  name: string;
  options: SourceOptions;
  /**
   * Says what the source could not read; shown after the scan and stored as a not-read record of topic
   * `other`. Readers that can say what it means for the migration call the sink's notRead instead.
   */
  note?: (text: string) => void;
  /** Whether the workspace holds a snapshot of this source already (the one a failed scan keeps). */
  hasSnapshot?: boolean;
}

export type SourceReader = (location: string, sink: SnapshotSink, onProgress?: ProgressCallback, context?: SourceContext) => Promise<void>;

interface SourceKind {
  product: Product;
  read: SourceReader;
  /** The location is a URL, not a file path (kept as written, not resolved against the current folder). */
  url?: boolean;
}

// Each reader is loaded when a source of its kind is scanned: a scan of a backup does not load the LDAP
// and REST clients (start-up time counts, on every scan).
const KINDS: Record<string, SourceKind> = {
  'jira-backup': { product: 'jira', read: async (location, sink, progress) => (await import('./jira-backup.js')).readJiraBackup(location, sink, progress) },
  'confluence-backup': { product: 'confluence', read: async (location, sink, progress) => (await import('./confluence-backup.js')).readConfluenceBackup(location, sink, progress) },
  ldap: { product: 'ldap', read: async (...a) => (await import('./ldap.js')).readLdap(...a), url: true },
  jira: { product: 'jira', read: async (...a) => (await import('./jira-rest.js')).readJiraRest(...a), url: true },
  crowd: { product: 'crowd', read: async (...a) => (await import('./crowd-rest.js')).readCrowdRest(...a), url: true },
  confluence: { product: 'confluence', read: async (...a) => (await import('./confluence-rest.js')).readConfluenceRest(...a), url: true },
  bitbucket: { product: 'bitbucket', read: async (...a) => (await import('./bitbucket-rest.js')).readBitbucketRest(...a), url: true },
};

/** Whether a kind's location is a URL (kept as written) rather than a path. */
export function isUrlKind(kind: string): boolean {
  return KINDS[kind]?.url === true;
}

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
  if (kind.url) refuseCredentialsInUrl(match[2] as string, match[3] as string);
  return { name, kind: match[2] as string, location: match[3] as string, product: kind.product };
}

/**
 * A URL that carries credentials (`https://user:password@host`) would put them in the workspace (the
 * source's location), in every message naming the source and in the findings: refused, without repeating
 * them. Credentials come from the environment only (PRODUCT.md).
 */
export function refuseCredentialsInUrl(kind: string, location: string): void {
  const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)@/i.exec(location.trim());
  if (!userinfo) return;
  const redacted = location.trim().replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1');
  throw usageError(
    `the URL of the ${kind}: source carries credentials before "@"; usermig takes them from environment variables only (see usermig scan --help), so that they never reach the workspace, messages or reports: write ${kind}:${redacted} and set the variables`,
  );
}

export function readerFor(spec: SourceSpec): SourceReader {
  const kind = KINDS[spec.kind];
  if (!kind) throw usageError(`unknown source kind ${spec.kind}`);
  return kind.read;
}
