/**
 * What the apply and plan benchmarks share: the command-line sizes, an estate generated once into
 * bench-out/ and reused, and running the built CLI.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateEstate } from '../generate/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const cli = path.join(here, '..', 'cli', 'main.js');

export function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

export interface PlannedSizes {
  users: number;
  groups: number;
  memberships: number;
}

/**
 * The sizes to ask the generator for so that the plan (Jira and Confluence together, blockers decided)
 * holds about the wanted accounts, groups and memberships. Measured at seed 7, an estate generated with N
 * users, groups and memberships plans about 4 % more accounts, 1 % fewer groups and 29 % more memberships
 * (nested groups are flattened).
 */
export function generatorSizes(wanted: PlannedSizes): PlannedSizes & { seed: number } {
  return {
    users: Math.round(wanted.users / 1.04),
    groups: Math.round(wanted.groups / 0.99),
    memberships: Math.round(wanted.memberships / 1.287),
    seed: 7,
  };
}

/** Generates the estate into bench-out/NAME once; a marker written last says the generation completed. */
export async function benchEstate(name: string, sizes: PlannedSizes & { seed: number }): Promise<string> {
  const outDir = path.resolve('bench-out', name);
  const marker = path.join(outDir, 'bench-estate.json');
  if (!fs.existsSync(marker) || fs.readFileSync(marker, 'utf8') !== JSON.stringify(sizes)) {
    fs.rmSync(outDir, { recursive: true, force: true });
    const started = Date.now();
    await generateEstate({ ...sizes, outDir });
    fs.writeFileSync(marker, JSON.stringify(sizes));
    process.stdout.write(`generated ${outDir} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
  return outDir;
}

/** Runs the CLI; any exit but 0 stops the benchmark with its output. */
export function usermig(args: string[], env: Record<string, string> = {}): { stdout: string; seconds: number } {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`usermig ${args[0]} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return { stdout: result.stdout, seconds };
}

/** Scans both backups of a generated estate into the workspace and decides its blockers away. */
export function scanAndDecide(estateDir: string, workspace: string): void {
  usermig(['scan', `jira-backup:${path.join(estateDir, 'jira-backup.zip')}`, `confluence-backup:${path.join(estateDir, 'confluence-backup.zip')}`, '--workspace', workspace]);
  usermig(['users', 'fix', '--invalid', 'former-user', '--duplicated', 'merge', '--workspace', workspace]);
  usermig(['domains', 'trust', '--all', '--workspace', workspace]);
}
