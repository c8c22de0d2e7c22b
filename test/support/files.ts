/** Temporary folders and zips for tests. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yazl from 'yazl';

export function tempDir(prefix = 'usermig-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function writeZip(file: string, entries: Record<string, string>): Promise<string> {
  const zip = new yazl.ZipFile();
  for (const [name, text] of Object.entries(entries)) zip.addBuffer(Buffer.from(text, 'utf8'), name);
  zip.end();
  await new Promise<void>((resolve, reject) => {
    const out = fs.createWriteStream(file);
    zip.outputStream.pipe(out).on('close', () => resolve()).on('error', reject);
  });
  return file;
}
