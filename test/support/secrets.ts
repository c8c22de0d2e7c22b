/**
 * Secrets must reach neither the output of a command nor the workspace (PRODUCT.md: credentials never go
 * into logs or reports). Checks the output for each secret as it is and as Base64 (a Basic header's
 * value), and, given a workspace folder, every file in it (the SQLite database and its journal included).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';

export function expectNoSecrets(result: { stdout: string; stderr: string }, secrets: string[], workspace?: string): void {
  const output = result.stdout + result.stderr;
  for (const secret of secrets) {
    expect(output, 'output').not.toContain(secret);
    expect(output, 'output').not.toContain(Buffer.from(secret).toString('base64'));
  }
  if (!workspace || !fs.existsSync(workspace)) return;
  const files = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? files(path.join(dir, entry.name)) : [path.join(dir, entry.name)]));
  for (const file of files(workspace)) {
    const bytes = fs.readFileSync(file).toString('latin1');
    for (const secret of secrets) expect(bytes.includes(secret), `${secret} in ${file}`).toBe(false);
  }
}
