/**
 * `npm run bench`: scan + assess of a generated Jira backup against the floor (unzip + bare SAX count).
 *
 * Generates 100,000 users, 10,000 groups and 1,000,000 memberships (nested groups included) once into
 * bench-out/, then in one run times, each in its own process: the floor, `usermig scan`, and
 * `usermig assess --json`. Prints the times, the ratio and the peak RSS of scan and assess.
 * Smaller sizes for a quick look: `npm run bench -- --users 10000 --groups 1000 --memberships 100000`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateEstate } from '../generate/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.join(here, '..', 'cli', 'main.js');
const probe = path.join(here, 'rss-probe.js');
const floorScript = path.join(here, 'floor.js');

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

// The sizes are those of the Jira backup. The generator spreads people, groups and memberships over a Jira
// and a Confluence estate (about 87 %, 70 % and 55 % in Jira), so it is asked for correspondingly more.
const target = { users: option('users', 100_000), groups: option('groups', 10_000), memberships: option('memberships', 1_000_000) };
const sizes = {
  users: Math.round(target.users / 0.87),
  groups: Math.round(target.groups / 0.7),
  memberships: Math.round(target.memberships / 0.545),
  seed: 7,
};
const outDir = path.resolve('bench-out', `jira-u${target.users}-g${target.groups}-m${target.memberships}`);
// The estate is generated once and reused; a marker written last says the generation completed.
const marker = path.join(outDir, 'bench-estate.json');
if (!fs.existsSync(marker) || fs.readFileSync(marker, 'utf8') !== JSON.stringify(sizes)) {
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const started = Date.now();
  await generateEstate({ ...sizes, outDir });
  fs.writeFileSync(marker, JSON.stringify(sizes));
  process.stdout.write(`generated ${outDir} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
const backup = path.join(outDir, 'jira-backup.zip');

interface Measured {
  seconds: number;
  rss: number;
  stdout: string;
}

function measure(args: string[], env: Record<string, string> = {}): Measured {
  const rssFile = path.join(os.tmpdir(), `usermig-rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['--import', probe, ...args], {
    env: { ...process.env, ...env, USERMIG_RSS_FILE: rssFile },
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0 && result.status !== 1) {
    throw new Error(`${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  }
  const rss = Number(fs.readFileSync(rssFile, 'utf8'));
  fs.rmSync(rssFile, { force: true });
  return { seconds, rss, stdout: result.stdout };
}

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'usermig-bench-'));
try {
  const floor = measure([floorScript, backup]);
  const scanned = measure([cli, 'scan', `jira-backup:${backup}`, '--workspace', workspace, '--json']);
  const counts = (JSON.parse(scanned.stdout) as { sources: Array<{ counts: Record<string, number> }> }).sources[0]?.counts ?? {};
  const assessed = measure([cli, 'assess', '--json', '--workspace', workspace]);
  const summary = (JSON.parse(assessed.stdout) as { summary: Record<string, unknown> }).summary;
  const total = scanned.seconds + assessed.seconds;
  const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
  const entitiesBytes = Number(spawnSync('unzip', ['-Zt', backup], { encoding: 'utf8' }).stdout.match(/(\d+) bytes uncompressed/)?.[1] ?? 0);
  process.stdout.write(
    [
      `jira backup: ${(counts.users ?? 0).toLocaleString('en-US')} users, ${(counts.groups ?? 0).toLocaleString('en-US')} groups, ${(counts.memberships ?? 0).toLocaleString('en-US')} memberships, ${(counts.references ?? 0).toLocaleString('en-US')} user references (generated with --users ${sizes.users} --groups ${sizes.groups} --memberships ${sizes.memberships} --seed ${sizes.seed})`,
      `backup: ${path.relative(process.cwd(), backup)} (${mib(fs.statSync(backup).size)} zipped${entitiesBytes ? `, ${mib(entitiesBytes)} unzipped` : ''}); floor counted ${floor.stdout.trim()} elements`,
      `floor (unzip + bare SAX count): ${floor.seconds.toFixed(2)} s, peak RSS ${mib(floor.rss)}`,
      `usermig scan:                   ${scanned.seconds.toFixed(2)} s, peak RSS ${mib(scanned.rss)}`,
      `usermig assess --json:          ${assessed.seconds.toFixed(2)} s, peak RSS ${mib(assessed.rss)}`,
      `scan + assess:                  ${total.toFixed(2)} s = ${(total / floor.seconds).toFixed(2)} × the floor (target ≤ 1.5 ×)`,
      `peak RSS (max of scan, assess): ${mib(Math.max(scanned.rss, assessed.rss))} (target < 1024 MiB)`,
      `summary: ${JSON.stringify(summary)}`,
    ].join('\n') + '\n',
  );
} finally {
  fs.rmSync(workspace, { recursive: true, force: true });
}
