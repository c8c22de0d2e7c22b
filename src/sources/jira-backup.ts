/**
 * Reads a Jira backup (the zip from System > Backup, or a bare entities.xml) into snapshot records:
 * directories, users and their keys, groups, memberships (nested too), global permissions, application
 * roles, permission-scheme grants, project roles, projects, and the user references inside the data
 * (jira-entities.ts turns the rows into records). JSM organizations come from activeobjects.xml when the
 * zip has it.
 *
 * A large entities.xml is parsed in parts on several threads (jira-parallel.ts) when the sink can take
 * their records (the workspace's can); anything unexpected there, bad input included, and the document is
 * read again on this thread, which alone says what is wrong and where.
 */
import type { SnapshotSink } from '../model/snapshot.js';
import type { ForwardingSink } from '../workspace/record-packing.js';
import { readActiveObjects } from './active-objects.js';
import { type BackupDocument, openBackup } from './backup-file.js';
import { type CustomFields, JiraEntityReader, JiraLinks } from './jira-entities.js';
import { MembershipTable, type MembershipTableSink } from './membership-table.js';
import { parseXmlStream } from './xml-stream.js';

/** Below this size (uncompressed), entities.xml is parsed on one thread: threads would cost more than they save. */
const PARALLEL_MIN_BYTES = 32 * 1024 * 1024;

export interface JiraReadOptions {
  /** Parse in parts of about this many bytes on several threads, whatever the size (tests). */
  partBytes?: number;
  /** Never parse on several threads. */
  oneThread?: boolean;
}

export type ProgressCallback = (bytes: number, total: number) => void;

export async function readJiraBackup(file: string, sink: SnapshotSink, onProgress?: ProgressCallback, options: JiraReadOptions = {}): Promise<void> {
  const backup = await openBackup(file);
  try {
    const entities = backup.entities;
    const progress = onProgress && ((bytes: number) => onProgress(bytes, entities.size));
    const parallel = !options.oneThread && isForwarding(sink) && (options.partBytes !== undefined || entities.size >= PARALLEL_MIN_BYTES);
    let done = false;
    if (parallel) {
      const { readJiraInParts } = await import('./jira-parallel.js');
      done = await readJiraInParts(entities, sink, progress, options.partBytes);
      if (!done) await sink.restart();
    }
    if (!done) await readJiraEntities(entities, sink, progress);
    if (backup.activeObjects) await readActiveObjects(backup.activeObjects, sink);
  } finally {
    backup.close();
  }
}

/** Reads entities.xml whole on this thread. */
async function readJiraEntities(entities: BackupDocument, sink: SnapshotSink & Partial<MembershipTableSink>, progress?: (bytes: number) => void): Promise<void> {
  // Memberships as one table handed over at the end: a Jira backup writes its Membership rows before its
  // User rows, so only then can the writer find the members by id (membership-table.ts).
  const takeTable = sink.membershipTable?.bind(sink);
  const table = takeTable ? new MembershipTable(takeTable, Infinity) : undefined;
  const reader = new JiraEntityReader(entities.displayName, sink, new JiraLinks(), new Map() satisfies CustomFields, table);
  await parseXmlStream(await entities.open(), entities.displayName, (parser) => reader.attach(parser), progress, () => sink.ready?.());
  reader.finish();
}

function isForwarding(sink: SnapshotSink): sink is SnapshotSink & ForwardingSink & MembershipTableSink {
  const candidate = sink as Partial<ForwardingSink & MembershipTableSink>;
  return typeof candidate.forward === 'function' && typeof candidate.restart === 'function' && typeof candidate.membershipTable === 'function';
}

