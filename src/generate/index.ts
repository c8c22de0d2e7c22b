/**
 * `generateEstate`: writes a deterministic, realistic test estate — a Jira backup zip, a Confluence
 * backup zip and a manifest.json holding what `usermig assess --json` must report for them. The same
 * options and seed always give byte-identical files. XML is streamed into the zips, so 100,000 users and
 * 1,000,000 memberships take seconds and little memory.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { confluenceEntityLineCount, confluenceEntityLines } from './confluence-writer.js';
import { buildEstate } from './estate-model.js';
import { jiraActiveObjectsLines, jiraEntityLineCount, jiraEntityLines } from './jira-writer.js';
import { type EstateManifest, buildManifest } from './manifest.js';
import { linesToStream } from './xml-text.js';

export type { EstateManifest, ExpectedSummary } from './manifest.js';
export type { InjectedCounts } from './estate-types.js';

export interface GenerateOptions {
  /** Number of distinct people (at least 50). */
  users: number;
  /** Group rows to write over both products (about 70 % Jira); raised to the fixed groups' count when smaller. */
  groups: number;
  /** Group-user membership rows to write over both products. */
  memberships: number;
  seed: number;
  /** About how many user references the Jira data holds (default: what the oracle tests use). */
  references?: number;
  outDir: string;
  /** Called as rows are written: (rows done, rows in total). */
  onProgress?: (done: number, total: number) => void;
}

export interface GenerateResult {
  jiraBackup: string;
  confluenceBackup: string;
  manifestFile: string;
  manifest: EstateManifest;
}

/**
 * Zip entry time. Built from local-time fields and written as a DOS timestamp only, so the bytes do not
 * depend on the time zone of the machine.
 */
const ZIP_ENTRY_TIME = (): Date => new Date(2026, 10, 29, 10, 0, 0);

export async function generateEstate(options: GenerateOptions): Promise<GenerateResult> {
  const { users, groups, memberships, seed, outDir, onProgress, references } = options;
  const estate = buildEstate({ users, groups, memberships, seed, ...(references === undefined ? {} : { references }) });
  const manifest = buildManifest(estate);

  await fs.promises.mkdir(outDir, { recursive: true });
  const jiraBackup = path.join(outDir, 'jira-backup.zip');
  const confluenceBackup = path.join(outDir, 'confluence-backup.zip');
  const manifestFile = path.join(outDir, 'manifest.json');

  const total = jiraEntityLineCount(estate.jira) + confluenceEntityLineCount(estate.confluence);
  let done = 0;
  const progress = (lines: number) => {
    done += lines;
    onProgress?.(Math.min(done, total), total);
  };
  await Promise.all([
    writeZip(
      jiraBackup,
      [
        ['entities.xml', () => jiraEntityLines(estate)],
        ['activeobjects.xml', () => jiraActiveObjectsLines(estate.jira)],
      ],
      progress,
    ),
    writeZip(confluenceBackup, [['entities.xml', () => confluenceEntityLines(estate)]], progress),
  ]);
  await fs.promises.writeFile(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  onProgress?.(total, total);
  return { jiraBackup, confluenceBackup, manifestFile, manifest };
}

type EntrySource = readonly [name: string, produce: () => Iterable<string>];

/** Streams the entries into a zip, written under a temporary name and renamed when complete. */
async function writeZip(file: string, entries: readonly EntrySource[], onLines: (lines: number) => void): Promise<void> {
  const partial = `${file}.partial`;
  const zip = new yazl.ZipFile();
  const sources: Readable[] = [];
  for (const [name, produce] of entries) {
    const stream = linesToStream(produce, onLines);
    sources.push(stream);
    zip.addReadStream(stream, name, { mtime: ZIP_ENTRY_TIME(), forceDosTimestamp: true });
  }
  zip.end();
  const out = fs.createWriteStream(partial);
  const failed = new Promise<never>((_, reject) => {
    zip.on('error', reject);
    for (const stream of sources) stream.once('error', reject);
  });
  try {
    await Promise.race([pipeline(zip.outputStream, out), failed]);
  } catch (error) {
    for (const stream of sources) stream.destroy();
    out.destroy();
    await fs.promises.rm(partial, { force: true });
    throw error;
  }
  await fs.promises.rename(partial, file);
}
