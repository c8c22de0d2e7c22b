/**
 * What every REST source shares: the client built from the source's URL, environment and --ca, counting
 * what was read (so that a failure says how far it got), and turning failures into the administrator's
 * message: which source, what the server said, and that the previous snapshot is kept.
 */
import { UsermigError } from '../model/errors.js';
import type { GrantRecord, ReferenceRecord, SnapshotSink, UserRecord } from '../model/snapshot.js';
import type { SourceContext } from './index.js';
import { RestClient, credentialsFrom, readCaFile, type RestCredentials } from './rest-client.js';

export class RestProgress {
  phase = 'connecting';
  users = 0;
  groups = 0;
  memberships = 0;
  grants = 0;
  containers = 0;
  references = 0;

  constructor(
    private readonly client: RestClient,
    private readonly onProgress?: (done: number, total: number) => void,
    /** What the source's containers are, for the summary: projects, spaces, repositories (none: Crowd). */
    private readonly containerNoun?: string,
  ) {}

  private get done(): number {
    return this.users + this.groups + this.memberships + this.grants + this.containers + this.references;
  }

  /** Something was handed to the sink: count it, report progress now and then. */
  tick(): void {
    if (this.done % 500 === 0) this.onProgress?.(this.done, 0);
  }

  started(): boolean {
    return this.done > 0;
  }

  summary(): string {
    const n = (value: number) => value.toLocaleString('en-US');
    const references = this.references > 0 ? `, ${n(this.references)} user references` : '';
    const containers = this.containerNoun ? `, ${n(this.containers)} ${this.containerNoun}` : '';
    return `${n(this.users)} users, ${n(this.groups)} groups, ${n(this.memberships)} memberships, ${n(this.grants)} grants${containers}${references} read in ${n(this.client.requests)} requests`;
  }
}

/** What each product's containers are called. */
const CONTAINER_NOUNS: Record<string, string> = { Jira: 'projects', Confluence: 'spaces', Bitbucket: 'repositories' };

export interface RestSource {
  client: RestClient;
  progress: RestProgress;
  label: string;
  name: string;
  /** Whether the workspace holds a snapshot of this source (kept when the read fails); unknown: assumed. */
  hasSnapshot: boolean;
}

/** The client and progress of one REST source. */
export function openRestSource(
  product: string,
  location: string,
  context: SourceContext | undefined,
  credentials: (env: Record<string, string | undefined>) => RestCredentials,
  onProgress?: (done: number, total: number) => void,
  accept?: string,
): RestSource {
  const name = context?.name ?? product.toLowerCase();
  const options = context?.options ?? {};
  const env = options.env ?? process.env;
  const label = `${product} source "${name}" (${location})`;
  const client = new RestClient({
    baseUrl: location,
    credentials: credentials(env),
    label,
    ...(options.caFile ? { ca: readCaFile(options.caFile) } : {}),
    ...(accept ? { accept } : {}),
  });
  return { client, progress: new RestProgress(client, onProgress, CONTAINER_NOUNS[product]), label, name, hasSnapshot: context?.hasSnapshot ?? true };
}

export { credentialsFrom };

/**
 * Runs a source's read: a failure becomes the administrator's message (explainRestFailure), and the
 * client's connections are closed either way.
 */
export async function readRestSource(source: RestSource, read: () => Promise<void>): Promise<void> {
  try {
    await read();
  } catch (error) {
    throw explainRestFailure(error, source);
  } finally {
    source.client.close();
  }
}

/** What the REST readers share: the sink and the progress, what could not be read, grants, their one directory. */
export abstract class RestReader {
  constructor(
    protected readonly client: RestClient,
    protected readonly sink: SnapshotSink,
    protected readonly progress: RestProgress,
  ) {}

  /** Keys of the users handed to the sink. */
  protected readonly seen = new Set<string>();

  /**
   * Hands a user (made by `record`, only the first time) and its key to the sink, once per key; false when
   * the key was handed over already.
   */
  protected userOnce(key: string, record: () => UserRecord): boolean {
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    const user = record();
    this.sink.user(user);
    this.sink.userKey({ userKey: key, lowerUserName: user.userName.toLowerCase() });
    this.progress.users++;
    this.progress.tick();
    return true;
  }

  /** What this source could not read: printed after the scan, stored with the snapshot, assessed as source-not-read. */
  protected notRead(topic: string, text: string, consequence: string): void {
    this.sink.notRead?.({ topic, text, consequence });
  }

  /** A person named in the source's data (content, issues, pull requests, direct grants). */
  protected reference(record: ReferenceRecord): void {
    this.sink.reference(record);
    this.progress.references++;
    this.progress.tick();
  }

  protected grant(subjectType: GrantRecord['subjectType'], subject: string, permission: string, scope: GrantRecord['scope'], scopeKey: string): void {
    this.sink.grant({ subjectType, subject, permission, scope, scopeKey });
    this.progress.grants++;
    this.progress.tick();
  }

  /** The one directory the source's users are recorded in (REST lists neither the directories nor their order). */
  protected restDirectory(id: string, product: string): void {
    const { origin, pathname } = this.client.base;
    this.sink.directory({ id, name: `${product} ${origin}${pathname.replace(/\/$/, '')} (REST)`, position: 0, active: true, type: 'REST' });
  }
}

/** Awaits the sink's backpressure, if any. */
export async function drained(sink: SnapshotSink): Promise<void> {
  const ready = sink.ready?.();
  if (ready) await ready;
}

/** The administrator's message for a failure, naming the source, the phase and how far the read got. */
export function explainRestFailure(error: unknown, source: RestSource): Error {
  const { progress, label, name } = source;
  const kept = !progress.started()
    ? '; nothing was changed in the workspace'
    : `; stopped while reading ${progress.phase} after ${progress.summary()}; ${source.hasSnapshot ? `the previous snapshot of "${name}" is kept` : `nothing was written to the workspace (it has no snapshot of "${name}" yet)`}`;
  if (error instanceof UsermigError) {
    if (error.kind === 'usage') return error;
    return new UsermigError(error.kind, `${label}: ${error.message}${kept}`, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new UsermigError('internal', `${label}: reading ${progress.phase} failed: ${message}${kept}`, { cause: error });
}
