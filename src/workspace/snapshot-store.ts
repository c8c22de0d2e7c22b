/**
 * Scanning into the workspace. A re-scan replaces the source's previous snapshot in one transaction: if
 * the reader fails, or the process is killed, the previous snapshot stays exactly as it was.
 *
 * The reader runs on the main thread and hands records to a sink that packs them into flat batches
 * (record-packing.ts); a worker thread (snapshot-writer-worker.ts) writes them into SQLite at the same
 * time. The sink holds back the reader when too many batches wait, so memory stays flat. A reader that
 * parses on threads of its own (jira-parallel.ts) has the sink pass their packed batches on in order
 * (forward), and may start the snapshot over (restart) to read the source again on one thread.
 */
import { Worker } from 'node:worker_threads';
import { UsermigError } from '../model/errors.js';
import type { SnapshotSink, SourceSpec } from '../model/snapshot.js';
import { type ForwardingSink, type PackedMessage, type PackingSink, type ScanCounts, addCounts, packingSink } from './record-packing.js';
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

export type { ScanCounts } from './record-packing.js';

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

type WorkerReply =
  | { type: 'ready' | 'ack' | 'rolled-back' | 'restarted' }
  | { type: 'committed'; counts: ScanCounts }
  | { type: 'failed'; message: string };

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
  const final = (message: { type: 'commit'; counts: ScanCounts } | { type: 'rollback' } | { type: 'restart' }) =>
    new Promise<WorkerReply>((resolve) => {
      settle = resolve;
      if (failure) resolve({ type: 'failed', message: failure.message });
      else worker.postMessage(message);
    });

  const packing = packingSink((message, transfer) => post(message, transfer));
  const post = (message: PackedMessage, transfer?: ArrayBuffer[]) => {
    if (failure) throw failure;
    if (message.type !== 'tables-done') inFlight++;
    worker.postMessage(message, transfer ?? []);
  };
  const backpressure = (): Promise<void> | undefined =>
    inFlight >= MAX_BATCHES_IN_FLIGHT && !failure ? new Promise<void>((resolve) => (waiting = resolve)) : undefined;
  const sink: PackingSink & ForwardingSink & { ready: typeof backpressure } = {
    ...packing.sink,
    ready: backpressure,
    forward: (message) => {
      packing.send();
      post(message, movedBuffers(message));
    },
    count: (counts) => addCounts(packing.counts, counts),
    restart: async () => {
      packing.reset();
      const reply = await final({ type: 'restart' });
      if (reply.type === 'failed') throw failure ?? new UsermigError('workspace', reply.message);
    },
  };
  try {
    await read(sink);
    packing.send();
    if (failure) throw failure;
    const reply = await final({ type: 'commit', counts: packing.counts });
    if (reply.type === 'failed') throw failure ?? new UsermigError('workspace', reply.message);
    return reply.type === 'committed' ? reply.counts : packing.counts;
  } catch (error) {
    if (!failure) await final({ type: 'rollback' });
    throw error;
  } finally {
    await worker.terminate();
  }
}


/** The buffers a message moves to the writer's thread rather than copies. */
function movedBuffers(message: PackedMessage): ArrayBuffer[] | undefined {
  if (message.type === 'membership-table') return [message.table.rows.buffer, message.table.chars.buffer, message.table.users.buffer];
  if (message.type === 'batch-bytes') return [message.bytes.buffer];
  return undefined;
}
