/**
 * Scanning into the workspace. A re-scan replaces the source's previous snapshot in one transaction: if
 * the reader fails, or the process is killed, the previous snapshot stays exactly as it was.
 *
 * The reader runs on the main thread and hands records to a sink that packs them into flat batches; a
 * worker thread (snapshot-writer-worker.ts) writes them into SQLite at the same time. The sink holds
 * back the reader when too many batches wait, so memory stays flat.
 */
import { Worker } from 'node:worker_threads';
import { UsermigError } from '../model/errors.js';
import type { SnapshotSink, SourceSpec } from '../model/snapshot.js';
import type { MembershipTableData, MembershipTableSink } from '../sources/membership-table.js';
import { FIELD_SEPARATOR, NULL_FIELD } from './snapshot-writer.js';
import type { Db, Workspace } from './workspace.js';

export interface SourceRow {
  id: number;
  name: string;
  kind: string;
  location: string;
  product: string;
  scannedAt: string;
  stats: Record<string, number>;
}

export type ScanCounts = Record<string, number>;

const BATCH_RECORDS = 5_000;
const MAX_BATCHES_IN_FLIGHT = 8;

export function listSources(db: Db): SourceRow[] {
  const rows = db
    .prepare('SELECT id, name, kind, location, product, scanned_at AS scannedAt, stats FROM sources ORDER BY id')
    .all() as Array<Omit<SourceRow, 'stats'> & { stats: string }>;
  return rows.map((row) => ({ ...row, stats: JSON.parse(row.stats) as Record<string, number> }));
}

/** The worker script: the compiled file next to this one (tests running the TypeScript use the build). */
function workerUrl(): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL('../../dist/workspace/snapshot-writer-worker.js', import.meta.url)
    : new URL('./snapshot-writer-worker.js', import.meta.url);
}

type WorkerReply = { type: 'ready' | 'ack' | 'committed' | 'rolled-back' } | { type: 'failed'; message: string };

/**
 * Runs `read` with a sink that writes into the workspace, replacing the snapshot of `spec.name`.
 * Returns the counts of records written.
 */
export async function replaceSnapshot(
  workspace: Workspace,
  spec: SourceSpec,
  read: (sink: SnapshotSink) => Promise<void>,
): Promise<ScanCounts> {
  const worker = new Worker(workerUrl(), { workerData: { dir: workspace.dir, spec } });
  let failure: Error | undefined;
  let inFlight = 0;
  let waiting: (() => void) | undefined;
  let settle: ((reply: WorkerReply) => void) | undefined;
  const fail = (message: string) => {
    failure ??= new UsermigError('workspace', `cannot write the ${spec.name} snapshot into ${workspace.dir}: ${message}`);
    waiting?.();
    settle?.({ type: 'failed', message });
  };
  worker.on('message', (reply: WorkerReply) => {
    if (reply.type === 'ack') {
      inFlight--;
      if (inFlight < MAX_BATCHES_IN_FLIGHT / 2 && waiting) {
        const resume = waiting;
        waiting = undefined;
        resume();
      }
    } else if (reply.type === 'failed') {
      fail(reply.message);
    } else if (reply.type !== 'ready') {
      settle?.(reply);
    }
  });
  worker.on('error', (error) => fail(error.message));
  worker.on('exit', (code) => {
    if (code !== 0) fail(`the writer stopped (exit code ${code})`);
  });
  const final = (message: { type: 'commit'; counts: ScanCounts } | { type: 'rollback' }) =>
    new Promise<WorkerReply>((resolve) => {
      settle = resolve;
      if (failure) resolve({ type: 'failed', message: failure.message });
      else worker.postMessage(message);
    });

  const { sink, counts, send } = batchingSink(() => {
    if (failure) throw failure;
    inFlight++;
  }, worker);
  const backpressure = (): Promise<void> | undefined =>
    inFlight >= MAX_BATCHES_IN_FLIGHT && !failure ? new Promise<void>((resolve) => (waiting = resolve)) : undefined;
  try {
    await read({ ...sink, ready: backpressure });
    send();
    if (failure) throw failure;
    const reply = await final({ type: 'commit', counts });
    if (reply.type === 'failed') throw failure ?? new UsermigError('workspace', reply.message);
    return counts;
  } catch (error) {
    if (!failure) await final({ type: 'rollback' });
    throw error;
  } finally {
    await worker.terminate();
  }
}

/**
 * A sink that packs records into one text per batch — a record code, then its fields, each preceded by
 * U+0001, a character XML cannot hold — which costs far less to build and send than arrays of values.
 */
function batchingSink(
  beforePost: () => void,
  worker: Worker,
): { sink: SnapshotSink & MembershipTableSink; counts: ScanCounts; send: () => void } {
  const counts = { directories: 0, users: 0, userKeys: 0, groups: 0, memberships: 0, grants: 0, containers: 0, references: 0 };
  const S = FIELD_SEPARATOR;
  const f = (value: string | number | null | undefined): string | number => value ?? NULL_FIELD;
  let text = '';
  let records = 0;
  const send = () => {
    if (records === 0) return;
    beforePost();
    worker.postMessage({ type: 'batch', records: text });
    text = '';
    records = 0;
  };
  const added = () => {
    if (++records >= BATCH_RECORDS) send();
  };
  const sink: SnapshotSink & MembershipTableSink = {
    directory: (r) => {
      counts.directories++;
      text += `${S}0${S}${r.id}${S}${r.name}${S}${r.position}${S}${r.active ? 1 : 0}${S}${r.type}`;
      added();
    },
    user: (r) => {
      counts.users++;
      text += `${S}1${S}${r.directoryId}${S}${r.userName}${S}${r.active ? 1 : 0}${S}${r.displayName}${S}${r.email}${S}${r.updated}`;
      added();
    },
    userKey: (r) => {
      counts.userKeys++;
      text += `${S}2${S}${r.userKey}${S}${r.lowerUserName}`;
      added();
    },
    group: (r) => {
      counts.groups++;
      text += `${S}3${S}${r.directoryId}${S}${r.name}`;
      added();
    },
    membership: (r) => {
      counts.memberships++;
      text += `${S}4${S}${r.directoryId}${S}${r.parent}${S}${r.child}${S}${r.childIsGroup ? 1 : 0}`;
      added();
    },
    grant: (r) => {
      counts.grants++;
      text += `${S}5${S}${r.subjectType}${S}${r.subject}${S}${r.permission}${S}${r.scope}${S}${r.scopeKey}`;
      added();
    },
    container: (r) => {
      counts.containers++;
      text += `${S}6${S}${r.kind}${S}${r.key}${S}${r.name}${S}${f(r.ref)}`;
      added();
    },
    place: (r) => {
      text += `${S}7${S}${r.ref}${S}${r.containerRef}${S}${r.item}${S}${f(r.parentRef)}`;
      added();
    },
    reference: (r) => {
      counts.references++;
      text += `${S}8${S}${r.userKey}${S}${r.kind}${S}${f(r.container)}${S}${f(r.containerRef)}${S}${f(r.item)}${S}${f(r.itemRef)}`;
      added();
    },
    notRead: (r) => {
      text += `${S}9${S}${r.topic}${S}${r.text}${S}${r.consequence}`;
      added();
    },
    directoryAttribute: (r) => {
      text += `${S}a${S}${r.directoryId}${S}${r.name}${S}${r.value}`;
      added();
    },
    // A reader's memberships all at once, after its users: the arrays move to the worker, uncopied.
    membershipTable: (table: MembershipTableData) => {
      counts.memberships += table.rowCount;
      send();
      beforePost();
      worker.postMessage({ type: 'membership-table', table }, [table.rows.buffer, table.chars.buffer, table.users.buffer]);
    },
  };
  return { sink, counts, send };
}
