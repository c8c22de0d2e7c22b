/**
 * A thread that parses parts of a Jira backup's entities.xml (jira-parallel.ts cuts them between rows).
 * Each part is parsed on its own — a fresh parser, under a root element of its own for every part but the
 * first — by the same reader as a whole document (jira-entities.ts). Its records are packed as the scan's
 * main thread packs them (record-packing.ts) and sent back tagged with the part's index; the main thread
 * passes them on to the writer in document order.
 *
 * Messages in: part, close (the thread ends). Messages out, per part: batch and membership-table (any number), then part-done, or
 * gave-up when the part cannot be read on its own (bad XML, a bad row, or a cut that was not between two
 * rows): the main thread then reads the document again on one thread, which says what is wrong and where.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SaxesParser } from 'saxes';
import { packingSink } from '../workspace/record-packing.js';
import { type CustomFields, JiraEntityReader, JiraLinks } from './jira-entities.js';
import { MembershipTable } from './membership-table.js';
import type { XmlParser } from './xml-stream.js';

export interface JiraPart {
  type: 'part';
  index: number;
  /** The part's bytes: the first `length` of the buffer. */
  bytes: ArrayBuffer;
  length: number;
  /** The start of the document (with its prolog and root element). */
  first: boolean;
  /** The end of the document (with the root's end tag). */
  last: boolean;
  /** Custom fields defined in earlier parts that other threads parsed. */
  fields: Array<[string, string | null]>;
}

/** saxes's state between markup (S_TEXT in saxes.js): a part that ends in it ends outside any tag, CDATA or comment. */
const SAXES_TEXT_STATE = 13;

const port = parentPort;
if (!port) throw new Error('jira-parse-worker must run as a worker thread');
const { displayName } = workerData as { displayName: string };

/** The custom fields known to this thread: its own parts' and those the main thread passed on. */
const fields: CustomFields = new Map();
// BOMs are the parser's to see, as on one thread (saxes takes one at the start of the document).
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
let index = -1;
/** Set once the parser has met bad XML: the records after it may hold anything, and are not sent. */
let broken = false;
const packing = packingSink((message, transfer) => {
  if (!broken) port.postMessage({ ...message, index }, transfer ?? []);
}, true);

port.on('message', (part: JiraPart | { type: 'close' }) => {
  if (part.type === 'close') return port.close();
  index = part.index;
  broken = false;
  try {
    const problem = parsePart(part);
    if (problem) {
      packing.reset();
      port.postMessage({ type: 'gave-up', index, reason: problem });
    }
  } catch (error) {
    packing.reset();
    port.postMessage({ type: 'gave-up', index, reason: (error as Error).message });
  }
});

/** Parses a part and sends its records; returns why it could not, if it could not. */
function parsePart(part: JiraPart): string | undefined {
  for (const [id, kind] of part.fields) fields.set(id, kind);
  const links = new JiraLinks();
  const defined: Array<[string, string | null]> = [];
  const table = new MembershipTable((chunk) => packing.sink.membershipTable(chunk), Infinity, true);
  const reader = new JiraEntityReader(displayName, packing.sink, links, fields, table, {
    defined: (id, kind) => defined.push([id, kind]),
    sink: packing.sink,
  });
  const parser: XmlParser = new SaxesParser({ position: true, fileName: displayName });
  let failure: Error | undefined;
  parser.on('error', (error) => {
    failure ??= error;
    broken = true;
  });
  reader.attach(parser);
  if (!part.first) parser.write('<entity-engine-xml>');
  parser.write(decoder.decode(new Uint8Array(part.bytes, 0, part.length)));
  if (part.last && !failure) parser.close();
  if (failure) return failure.message;
  if (part.first && !reader.rootSeen) return 'no root element';
  const state = (parser as unknown as { state: number }).state;
  if (part.last ? !reader.closed() : !reader.betweenRows() || state !== SAXES_TEXT_STATE) return 'the part does not end between two rows';
  packing.send();
  table.finish();
  const counts = { ...packing.counts };
  packing.reset();
  const xmlVersion = part.first ? parser.xmlDecl.version : undefined;
  port?.postMessage({
    type: 'part-done',
    index,
    counts,
    links: links.data(),
    fields: defined,
    seen: reader.seen,
    ...(xmlVersion === undefined ? {} : { xmlVersion }),
  });
  return undefined;
}
