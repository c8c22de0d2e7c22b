/**
 * Parses a large entities.xml on several threads. The main thread inflates the document and cuts it into
 * parts of about PART_BYTES, each cut at the start of a line that opens a row (`    <Issue …`); threads
 * (jira-parse-worker.ts) parse the parts at the same time, and the main thread passes their records on
 * to the writer in document order, so the snapshot is the one a single parser would write:
 *
 * - A cut is checked, not trusted: the part before it must end between two rows (outside any tag, CDATA
 *   section or comment), which only a cut between rows gives when the part itself starts between rows.
 * - What rows link to across parts is merged in document order (JiraLinks) and resolved at the end.
 * - Values of custom fields defined in a part another thread has not yet reported go to the writer as
 *   field references, settled there in document order (FieldReferenceSink).
 * - Memberships name users of later parts (Membership rows come before User rows): each part's table
 *   waits in the writer (MembershipTableData.deferRows) until the User rows have passed, and is resolved
 *   while the last parts are parsed.
 *
 * Anything unexpected — bad XML, a bad row, a cut that was not between rows, a thread that fails — and
 * readJiraInParts returns false: the caller starts the snapshot over and reads the document on one
 * thread, which says what is wrong and where. Memory stays flat: at most two parts wait per thread, the
 * parts done ahead of the one being passed on are few, and the main thread stops reading while the writer
 * is busy.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SnapshotSink } from '../model/snapshot.js';
import type { ForwardingSink, PackedMessage, ScanCounts } from '../workspace/record-packing.js';
import type { BackupDocument } from './backup-file.js';
import { JiraLinks, type JiraLinksData } from './jira-entities.js';
import type { JiraPart } from './jira-parse-worker.js';

/** Bytes per part. */
export const PART_BYTES = 1 << 20;
/** A document with no row start in this many bytes is read on one thread. */
const MAX_PART_BYTES = 64 << 20;
/** Parts sent to a thread and not yet done. */
const PARTS_PER_THREAD = 2;

type WorkerMessage =
  | ({ index: number } & PackedMessage)
  | {
      type: 'part-done';
      index: number;
      counts: ScanCounts;
      links: JiraLinksData;
      fields: Array<[string, string | null]>;
      /** Whether the part has User rows; whether it has rows that name users or groups (User, Group, Membership). */
      seen: { users: boolean; names: boolean };
      /** The first part's: the version its XML declaration gives, if it has one. */
      xmlVersion?: string;
    }
  | { type: 'gave-up'; index: number; reason: string };

type PartDone = Extract<WorkerMessage, { type: 'part-done' }>;

const NEWLINE = 0x0a;
const LESS_THAN = 0x3c;

/**
 * Where the last line in `bytes` that starts a row begins (after its newline; spaces and tabs may
 * indent it; a row's element name starts with a capital letter, its columns' with a small one), or -1.
 */
export function rowBoundary(bytes: Uint8Array): number {
  let newline = bytes.length;
  while ((newline = bytes.lastIndexOf(NEWLINE, newline - 1)) >= 0) {
    let at = newline + 1;
    while (bytes[at] === 0x20 || bytes[at] === 0x09) at++;
    const next = bytes[at + 1];
    if (bytes[at] === LESS_THAN && next !== undefined && next >= 0x41 && next <= 0x5a) return newline + 1;
    if (newline === 0) break;
  }
  return -1;
}

/** A larger copy of the first `filled` bytes of `bytes`, for at least `needed`. */
function grownTo(bytes: Uint8Array<ArrayBuffer>, filled: number, needed: number): Uint8Array<ArrayBuffer> {
  const more = new Uint8Array(Math.max(needed, 2 * bytes.length));
  more.set(bytes.subarray(0, filled));
  return more;
}

/**
 * Lets a parse thread end on its own (it closes its port when told to), and terminates it only if it has
 * not within a few seconds: terminating a thread while V8 compiles in the background can abort Node 20.
 */
async function closed(worker: Worker): Promise<void> {
  worker.removeAllListeners('exit');
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.postMessage({ type: 'close' });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), 5000)));
  if ((await Promise.race([exited, late])) === 'late') await worker.terminate();
  clearTimeout(timer);
}

/** The worker script: the compiled file next to this one (tests running the TypeScript use the build). */
function workerUrl(): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL('../../dist/sources/jira-parse-worker.js', import.meta.url)
    : new URL('./jira-parse-worker.js', import.meta.url);
}

/**
 * Reads `document` into `sink` on several threads. Returns false when it gave up (nothing it sent counts:
 * the caller restarts the sink); throws only when the sink fails.
 */
export async function readJiraInParts(
  document: BackupDocument,
  sink: SnapshotSink & ForwardingSink,
  progress?: (bytes: number) => void,
  partBytes = PART_BYTES,
): Promise<boolean> {
  const stream = await document.open();
  const threads = Math.min(4, Math.max(2, os.availableParallelism()));
  const workers = Array.from({ length: threads }, () => new Worker(workerUrl(), { workerData: { displayName: document.displayName } }));
  const outstanding = workers.map(() => 0);
  /** Per worker, the parts whose custom fields it has been sent. */
  const fieldsSent = workers.map(() => new Set<number>());
  /** Parts that defined custom fields, by index. */
  const definitions = new Map<number, Array<[string, string | null]>>();
  /** Every custom field id defined so far. */
  const definedFields = new Set<string>();
  /** Parts not yet passed on: their messages so far, and their end once done. */
  const waiting = new Map<number, { messages: PackedMessage[]; done?: PartDone }>();
  const links = new JiraLinks();
  let next = 0; // the part whose messages go on to the writer now
  let gaveUp = false;
  let sinkFailure: unknown;
  let wake: (() => void) | undefined;
  const stir = () => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  const stop = (error?: unknown) => {
    gaveUp = true;
    if (error !== undefined) sinkFailure ??= error;
    stir();
  };
  const forward = (message: PackedMessage) => {
    try {
      sink.forward(message);
    } catch (error) {
      stop(error);
    }
  };
  const entry = (index: number) => {
    let part = waiting.get(index);
    if (!part) waiting.set(index, (part = { messages: [] }));
    return part;
  };
  /** Passes on the parts that are done, in order, and the messages of the first that is not. */
  /** Where the parts passed on stand: before any User row, in the User rows, or after them. */
  let users: 'before' | 'in' | 'after' = 'before';
  const advance = () => {
    for (let part = waiting.get(next); part?.done && !gaveUp; part = waiting.get(next)) {
      const { seen } = part.done;
      // A backup writes each table whole (User rows together): once they are all in, the writer resolves the
      // memberships while the last parts are parsed. A part that names users or groups after that would
      // change the order names are numbered in: read on one thread instead.
      if (users === 'after' && seen.names) return stop();
      sink.count(part.done.counts);
      links.merge(part.done.links);
      if (seen.users) users = 'in';
      else if (users === 'in') {
        users = 'after';
        forward({ type: 'tables-done' });
      }
      waiting.delete(next++);
      const following = waiting.get(next);
      if (following) for (const message of following.messages.splice(0)) forward(message);
    }
  };

  workers.forEach((worker, w) => {
    worker.on('message', (message: WorkerMessage) => {
      if (gaveUp) return;
      if (message.type === 'gave-up') return stop();
      if (message.type === 'part-done') {
        outstanding[w] = (outstanding[w] as number) - 1;
        // Later parts are parsed as XML 1.0, which only the first part's declaration can contradict; and a
        // custom field defined twice (its id is a table's key) would be settled differently in parts.
        if (message.xmlVersion !== undefined && message.xmlVersion !== '1.0') return stop();
        for (const [id] of message.fields) {
          if (definedFields.has(id)) return stop();
          definedFields.add(id);
        }
        if (message.fields.length > 0) definitions.set(message.index, message.fields);
        entry(message.index).done = message;
        advance();
        return stir();
      }
      if (message.index === next) forward(message);
      else entry(message.index).messages.push(message);
    });
    worker.on('error', () => stop());
    worker.on('exit', () => stop());
  });

  /**
   * Sends the first `length` bytes of `buffer` (which moves to the thread) as part `index` to the least
   * busy thread, once one can take it and the writer is not busy.
   */
  const dispatch = async (buffer: ArrayBuffer, length: number, index: number, last: boolean) => {
    for (;;) {
      if (gaveUp) return;
      const busy = sink.ready?.();
      if (busy) {
        await busy;
        continue;
      }
      const w = outstanding.indexOf(Math.min(...outstanding));
      // A thread that runs ahead of a slow one waits too: the parts after the one being passed on are kept.
      if ((outstanding[w] as number) < PARTS_PER_THREAD && index - next < 2 * PARTS_PER_THREAD * workers.length) {
        outstanding[w] = (outstanding[w] as number) + 1;
        const fields: Array<[string, string | null]> = [];
        for (const [defining, defined] of definitions) {
          if (defining < index && !fieldsSent[w]?.has(defining)) {
            fieldsSent[w]?.add(defining);
            fields.push(...defined);
          }
        }
        const part: JiraPart = { type: 'part', index, bytes: buffer, length, first: index === 0, last, fields };
        workers[w]?.postMessage(part, [buffer]);
        return;
      }
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };

  let parts = 0;
  let sent = 0;
  try {
    // The part being filled: the stream's pieces are copied in once, and its buffer moves to the thread.
    let part = new Uint8Array(2 * partBytes);
    let filled = 0;
    for await (const chunk of stream) {
      if (gaveUp) break;
      const piece = chunk as Buffer;
      if (filled + piece.length > part.length) part = grownTo(part, filled, filled + piece.length);
      part.set(piece, filled);
      filled += piece.length;
      while (filled >= partBytes && !gaveUp) {
        // The last row start within partBytes, else the last of all (a row longer than a part).
        let cut = rowBoundary(part.subarray(0, partBytes));
        if (cut <= 0) cut = rowBoundary(part.subarray(0, filled));
        if (cut <= 0) {
          if (filled > MAX_PART_BYTES) stop();
          break;
        }
        const rest = new Uint8Array(Math.max(2 * partBytes, 2 * (filled - cut)));
        rest.set(part.subarray(cut, filled));
        await dispatch(part.buffer, cut, parts++, false);
        sent += cut;
        progress?.(sent);
        part = rest;
        filled -= cut;
      }
    }
    if (!gaveUp) {
      await dispatch(part.buffer, filled, parts++, true);
      progress?.(sent + filled);
    }
    while (!gaveUp && next < parts) await new Promise<void>((resolve) => (wake = resolve));
  } catch {
    // The stream failed (a damaged zip): reading on one thread says so, with the place.
    gaveUp = true;
  } finally {
    stream.destroy();
    await Promise.all(workers.map(closed));
  }
  if (sinkFailure !== undefined) throw sinkFailure;
  if (gaveUp) return false;
  try {
    links.checkMemberships(document.displayName);
  } catch {
    return false; // reading on one thread names the row's line
  }
  sink.forward({ type: 'tables-done' });
  links.emit(sink);
  return true;
}
