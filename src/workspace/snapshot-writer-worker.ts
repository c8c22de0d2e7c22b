/**
 * The worker thread that writes a snapshot (SnapshotWriter) while the main thread parses the source.
 * Messages in: batch (or batch-bytes), membership-table, tables-done, commit, rollback, restart (rolls back and starts a new
 * snapshot). Messages out: ack (per batch and table), committed, rolled-back, restarted, failed.
 * If the process dies, the open transaction is never committed: the previous snapshot stays.
 */
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { SourceSpec } from '../model/snapshot.js';
import type { PackedMessage } from './record-packing.js';
import { SnapshotWriter } from './snapshot-writer.js';
import { openWorkspace } from './workspace.js';

const decoder = new TextDecoder();
const port = parentPort;
if (!port) throw new Error('snapshot-writer-worker must run as a worker thread');

const { dir, spec } = workerData as { dir: string; spec: SourceSpec };
let writer: SnapshotWriter | undefined;
const workspace = openWorkspace(path.resolve(dir));
// A scan writes its rows and a few indexes in one transaction: 32 MiB of page cache (SQLite's default is 2)
// spares re-reading pages while the memory stays the same for any size of source.
workspace.db.pragma('cache_size = -32768');

type Message = PackedMessage | { type: 'commit'; counts: Record<string, number> } | { type: 'rollback' } | { type: 'restart' };

port.on('message', (message: Message) => {
  try {
    writer ??= new SnapshotWriter(workspace.db, spec);
    if (message.type === 'batch' || message.type === 'batch-bytes') {
      writer.writeBatch(message.type === 'batch' ? message.records : decoder.decode(message.bytes));
      port.postMessage({ type: 'ack' });
    } else if (message.type === 'membership-table') {
      writer.writeMembershipTable(message.table);
      port.postMessage({ type: 'ack' });
    } else if (message.type === 'tables-done') {
      writer.tablesDone();
    } else if (message.type === 'restart') {
      writer.rollback();
      writer = undefined;
      port.postMessage({ type: 'restarted' });
    } else if (message.type === 'commit') {
      const counts = writer.commit(message.counts);
      workspace.close();
      port.postMessage({ type: 'committed', counts });
    } else {
      writer.rollback();
      workspace.close();
      port.postMessage({ type: 'rolled-back' });
    }
  } catch (error) {
    try {
      writer?.rollback();
      workspace.close();
    } catch {
      // the original failure is the one to report
    }
    port.postMessage({ type: 'failed', message: (error as Error).message });
  }
});
port.postMessage({ type: 'ready' });
