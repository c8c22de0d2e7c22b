/**
 * Opens the XML documents inside an Atlassian backup: either a zip (Jira's and Confluence's backup
 * format) holding `entities.xml` and sometimes `activeobjects.xml`, or a bare `entities.xml`. Everything
 * is streamed; nothing is unpacked to disk.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type Readable, Transform } from 'node:stream';
import zlib from 'node:zlib';
import yauzl from 'yauzl';
import { inputError } from '../model/errors.js';

export interface BackupDocument {
  /** How to name it in messages: `backup.zip!entities.xml` or the file path. */
  displayName: string;
  /** Uncompressed size in bytes, when known (for progress). */
  size: number;
  open(): Promise<Readable>;
}

export interface Backup {
  entities: BackupDocument;
  /** Jira's plugin data (`activeobjects.xml`), when the zip has it. */
  activeObjects?: BackupDocument;
  close(): void;
}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const EMPTY_ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x05, 0x06]);

export async function openBackup(file: string): Promise<Backup> {
  let head: Buffer;
  let size: number;
  try {
    const stat = await fs.promises.stat(file);
    if (stat.isDirectory()) throw inputError(`${file}: is a folder, not a backup file`);
    size = stat.size;
    const handle = await fs.promises.open(file, 'r');
    try {
      head = Buffer.alloc(4);
      await handle.read(head, 0, 4, 0);
    } finally {
      await handle.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw inputError(`${file}: no such file`);
    if ((error as NodeJS.ErrnoException).code === 'EACCES') throw inputError(`${file}: permission denied`);
    throw error;
  }
  if (size === 0) throw inputError(`${file}: the file is empty, not a backup`);
  if (head.equals(ZIP_MAGIC) || head.equals(EMPTY_ZIP_MAGIC)) return openZipBackup(file);
  const document: BackupDocument = {
    displayName: file,
    size,
    open: async () => fs.createReadStream(file),
  };
  return { entities: document, close: () => undefined };
}

async function openZipBackup(file: string): Promise<Backup> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: false }, (error, opened) => {
      if (error || !opened) reject(inputError(`${file}: not a readable zip archive (${error?.message ?? 'unknown error'}); the backup may be truncated or damaged`));
      else resolve(opened);
    });
  });
  const entries = new Map<string, yauzl.Entry>();
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      entries.set(path.posix.basename(entry.fileName), entry);
      zip.readEntry();
    });
    zip.on('end', () => resolve());
    zip.on('error', (error: Error) =>
      reject(inputError(`${file}: the zip archive is damaged (${error.message}); the backup may be truncated`)),
    );
    zip.readEntry();
  });
  const document = (name: string): BackupDocument | undefined => {
    const entry = entries.get(name);
    if (!entry) return undefined;
    return {
      displayName: `${file}!${entry.fileName}`,
      size: entry.uncompressedSize,
      open: () =>
        new Promise<Readable>((resolve, reject) => {
          const deflated = entry.compressionMethod === 8;
          zip.openReadStream(entry, deflated ? { decompress: false } : {}, (error, stream) => {
            if (error || !stream) reject(inputError(`${file}!${entry.fileName}: cannot be read from the zip (${error?.message ?? 'unknown error'})`));
            else resolve(deflated ? inflated(stream, entry.uncompressedSize) : stream);
          });
        }),
    };
  };
  const entities = document('entities.xml');
  if (!entities) {
    zip.close();
    const names = [...entries.keys()].slice(0, 5).join(', ') || 'nothing';
    throw inputError(`${file}: the zip has no entities.xml (it holds ${names}); is it a Jira or Confluence backup?`);
  }
  const activeObjects = document('activeobjects.xml');
  return { entities, ...(activeObjects ? { activeObjects } : {}), close: () => zip.close() };
}

/** Bytes the inflater hands over at a time (zlib's default is 16 KiB). */
const INFLATE_CHUNK = 256 * 1024;

/**
 * The entry's deflated bytes inflated in large pieces: every piece is a round trip between the thread
 * that reads and zlib's thread, and at 16 KiB a large backup takes tens of thousands of them, which cost
 * more than the inflating when the reading thread is busy. Checks the size the zip gives, as yauzl does.
 */
function inflated(raw: Readable, size: number): Readable {
  // zlib's streams take the options of any stream too (its types do not say so).
  const inflate = zlib.createInflateRaw({ chunkSize: INFLATE_CHUNK, readableHighWaterMark: 2 * INFLATE_CHUNK } as zlib.ZlibOptions);
  let seen = 0;
  const counted = new Transform({
    readableHighWaterMark: 2 * INFLATE_CHUNK,
    writableHighWaterMark: 2 * INFLATE_CHUNK,
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > size) done(new Error(`the compressed data is longer than the zip says (${size} bytes): damaged`));
      else done(null, chunk);
    },
    flush(done) {
      done(seen < size ? new Error(`the compressed data is too short: ${seen} of ${size} bytes`) : null);
    },
  });
  const fail = (error: Error) => counted.destroy(error);
  raw.on('error', fail);
  inflate.on('error', fail);
  counted.on('close', () => {
    raw.destroy();
    inflate.destroy();
  });
  return raw.pipe(inflate).pipe(counted);
}
