/**
 * How snapshot records travel to the writer's thread (snapshot-writer-worker.ts): packed into one text per
 * batch — a record code, then its fields, each preceded by U+0001, a character XML cannot hold — which
 * costs far less to build and send than arrays of values. Membership tables travel as they are (their
 * arrays move, uncopied).
 *
 * The scan's main thread packs what its reader gives (snapshot-store.ts); a thread that parses part of a
 * backup (jira-parse-worker.ts) packs the same way and the main thread passes its messages on in order.
 */
import type { FieldReferenceSink, SnapshotSink } from '../model/snapshot.js';
import type { MembershipTableData, MembershipTableSink } from '../sources/membership-table.js';

/** Separates the fields of a batch; XML documents cannot contain it. */
export const FIELD_SEPARATOR = '\u0001';
/** Stands for a missing (null) field. */
export const NULL_FIELD = '\u0002';

const encoder = new TextEncoder();

/** Records written per batch. */
export const BATCH_RECORDS = 5_000;

/** What the writer's thread is sent while a source streams. */
export type PackedMessage =
  | { type: 'batch'; records: string }
  /** A batch as UTF-8 bytes: what a thread that is not the scan's main thread sends, so that the main thread passes it on without copying it. */
  | { type: 'batch-bytes'; bytes: Uint8Array<ArrayBuffer> }
  | { type: 'membership-table'; table: MembershipTableData }
  /** The tables that wait for every user (deferRows) can be resolved now. */
  | { type: 'tables-done' };

export type ScanCounts = Record<string, number>;

const COUNTED = ['directories', 'users', 'userKeys', 'groups', 'memberships', 'grants', 'containers', 'references'] as const;

function emptyCounts(): Record<(typeof COUNTED)[number], number> {
  return { directories: 0, users: 0, userKeys: 0, groups: 0, memberships: 0, grants: 0, containers: 0, references: 0 };
}

/** Adds `more` into `counts`. */
export function addCounts(counts: ScanCounts, more: ScanCounts): void {
  for (const [name, value] of Object.entries(more)) counts[name] = (counts[name] ?? 0) + value;
}

export type PackingSink = SnapshotSink & MembershipTableSink & FieldReferenceSink;

/**
 * A sink that packs records into batches and hands each to `post` (with the buffers to move, for tables).
 * `send` posts the batch being packed; `counts` counts what was packed; `reset` drops the batch being
 * packed and zeroes the counts. With `asBytes`, batches go as UTF-8 bytes (batch-bytes), their buffer moved.
 */
export function packingSink(
  post: (message: PackedMessage, transfer?: ArrayBuffer[]) => void,
  asBytes = false,
): {
  sink: PackingSink;
  counts: Record<(typeof COUNTED)[number], number> & ScanCounts;
  send: () => void;
  reset: () => void;
} {
  const counts: Record<(typeof COUNTED)[number], number> & ScanCounts = emptyCounts();
  const S = FIELD_SEPARATOR;
  const f = (value: string | number | null | undefined): string | number => value ?? NULL_FIELD;
  let text = '';
  let records = 0;
  const send = () => {
    if (records === 0) return;
    const batch = text;
    text = '';
    records = 0;
    if (!asBytes) return post({ type: 'batch', records: batch });
    const bytes = encoder.encode(batch);
    post({ type: 'batch-bytes', bytes }, [bytes.buffer]);
  };
  const added = () => {
    if (++records >= BATCH_RECORDS) send();
  };
  const reset = () => {
    text = '';
    records = 0;
    for (const name of COUNTED) counts[name] = 0;
  };
  const sink: PackingSink = {
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
    // Counted by the writer, which alone knows whether the field makes references (see FieldReferenceSink).
    referenceField: (r) => {
      text += `${S}f${S}${r.field}${S}${r.kind}`;
      added();
    },
    fieldReference: (r) => {
      text += `${S}c${S}${r.field}${S}${r.userKey}${S}${r.itemRef}`;
      added();
    },
    // Memberships as tables, after the user records of their users: the arrays move, uncopied.
    membershipTable: (table: MembershipTableData) => {
      counts.memberships += table.rowCount;
      send();
      post({ type: 'membership-table', table }, [table.rows.buffer, table.chars.buffer, table.users.buffer]);
    },
  };
  return { sink, counts, send, reset };
}

/**
 * What the scan's sink offers a reader that parses on other threads (jira-parallel.ts): passing on, in
 * order, the messages their packing sinks made, and starting the snapshot over when it gives up and reads
 * the source again on one thread.
 */
export interface ForwardingSink {
  /** Passes on a message another thread packed (after the records this sink holds). */
  forward(message: PackedMessage): void;
  /** Adds to the scan's counts what another thread packed. */
  count(counts: ScanCounts): void;
  /** Drops everything written so far: the scan starts again, in the same transaction's place. */
  restart(): Promise<void>;
}
