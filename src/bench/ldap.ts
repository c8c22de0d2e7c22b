/**
 * `npm run bench:ldap`: how fast `usermig scan ldap:…` reads a large directory from a local slapd, and
 * how its memory grows with the directory. Generates an OpenLDAP directory (default 100,000 users,
 * 10,000 groupOfNames groups, 1,000,000 memberships, a tenth of the groups nested in another), loads it
 * offline with slapadd into a throw-away slapd on 127.0.0.1 (size limit 500, so only paging reads it
 * all), then times the scan as a user runs it (the built CLI, a separate process) and measures its peak
 * RSS, and the peak heap of its two threads (the reader's, and the writer's that stores the snapshot).
 * The same for a directory ten times smaller and one twice as large, whose peaks give what each added
 * user or group costs, and for the same users and groups with a tenth of the memberships, whose peak
 * gives what each added membership costs.
 *
 *   node dist/bench/ldap.js [--users N] [--groups N] [--memberships N] [--no-small] [--no-large]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { slapdAvailable, startSlapd } from './slapd.js';

const SUFFIX = 'dc=bench,dc=test';
const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'cli', 'main.js');

interface Size {
  users: number;
  groups: number;
  memberships: number;
}

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} takes a whole number`);
  return value;
}

/** A deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const userDn = (i: number) => `uid=user${String(i).padStart(6, '0')},ou=people,${SUFFIX}`;
const groupDn = (i: number) => `cn=group${String(i).padStart(5, '0')},ou=groups,${SUFFIX}`;

/** Writes the directory's LDIF, streamed; returns the number of user-in-group memberships written. */
async function writeLdif(file: string, size: Size): Promise<number> {
  const out = fs.createWriteStream(file);
  const write = (text: string) => (out.write(text) ? undefined : new Promise<void>((resolve) => out.once('drain', () => resolve())));
  await write(`dn: ou=people,${SUFFIX}\nobjectClass: organizationalUnit\nou: people\n\ndn: ou=groups,${SUFFIX}\nobjectClass: organizationalUnit\nou: groups\n\n`);
  for (let i = 0; i < size.users; i++) {
    const uid = `user${String(i).padStart(6, '0')}`;
    const pending = write(
      `dn: ${userDn(i)}\nobjectClass: inetOrgPerson\nuid: ${uid}\ncn: User ${i}\nsn: ${i}\ngivenName: User\ndisplayName: User Number ${i}\nmail: ${uid}@bench.example.com\n\n`,
    );
    if (pending) await pending;
  }
  const next = random(7);
  const perGroup = Math.floor(size.memberships / size.groups);
  let extra = size.memberships - perGroup * size.groups;
  let written = 0;
  for (let g = 0; g < size.groups; g++) {
    const count = Math.min(size.users, perGroup + (extra-- > 0 ? 1 : 0));
    // A run of consecutive users from a random start: distinct members, cheap to draw.
    const start = Math.floor(next() * size.users);
    let text = `dn: ${groupDn(g)}\nobjectClass: groupOfNames\ncn: group${String(g).padStart(5, '0')}\n`;
    for (let k = 0; k < count; k++) text += `member: ${userDn((start + k) % size.users)}\n`;
    if (g % 10 === 9) text += `member: ${groupDn((g + 1) % size.groups)}\n`;
    written += count;
    const pending = write(`${text}\n`);
    if (pending) await pending;
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return written;
}

const PROBE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'rss-probe.js');

interface Measured {
  seconds: number;
  /** Peak RSS of the scan's process (bytes). */
  peak: number;
  /** Peak V8 heap of the reader's (main) thread and of the writer's (worker) thread (bytes). */
  readerHeap: number;
  writerHeap: number;
  output: string;
}

/** Runs the scan as its own process, preloaded with rss-probe.js for its peak RSS and its threads' heaps. */
async function timeScan(url: string, dir: string, env: Record<string, string>): Promise<Measured> {
  const rssFile = path.join(dir, 'rss');
  const heapFile = path.join(dir, 'heap');
  const started = process.hrtime.bigint();
  // USERMIG_BENCH_NODE_ARGS: extra node options for the scan (e.g. --cpu-prof).
  const nodeArgs = (process.env.USERMIG_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const args = [CLI, 'scan', `bench=ldap:${url}/${SUFFIX}`, '--workspace', path.join(dir, 'workspace'), '--json'];
  const child = spawn(process.execPath, ['--import', PROBE, ...nodeArgs, ...args], {
    env: { ...process.env, ...env, USERMIG_RSS_FILE: rssFile, USERMIG_HEAP_FILE: heapFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let errors = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const code = await new Promise<number>((resolve) => child.on('close', (status) => resolve(status ?? -1)));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) throw new Error(`usermig scan failed (exit ${code}): ${errors}`);
  const read = (file: string) => (fs.existsSync(file) ? Number(fs.readFileSync(file, 'utf8')) : 0);
  const workers = fs.readdirSync(dir).filter((name) => name.startsWith('heap.worker-'));
  return {
    seconds,
    peak: read(rssFile),
    readerHeap: read(`${heapFile}.main`),
    writerHeap: Math.max(0, ...workers.map((name) => read(path.join(dir, name)))),
    output,
  };
}

interface Result extends Measured {
  size: Size;
  rate: number;
  counts: Record<string, number>;
}

async function run(size: Size): Promise<Result> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usermig-bench-ldap-'));
  try {
    let t = Date.now();
    const ldif = path.join(dir, 'directory.ldif');
    await writeLdif(ldif, size);
    process.stdout.write(`${label(size)}: LDIF ${(fs.statSync(ldif).size / 1e6).toFixed(0)} MB in ${((Date.now() - t) / 1000).toFixed(1)} s; `);
    t = Date.now();
    const slapd = await startSlapd({ suffix: SUFFIX, ldifFiles: [ldif], sizeLimit: 500 });
    process.stdout.write(`slapadd + start ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
    try {
      fs.rmSync(ldif);
      const env = { USERMIG_LDAP_BIND_DN: slapd.readerDn, USERMIG_LDAP_PASSWORD: slapd.readerPassword };
      const measured = await timeScan(slapd.url, dir, env);
      const counts = (JSON.parse(measured.output) as { sources: Array<{ counts: Record<string, number> }> }).sources[0]?.counts ?? {};
      return { ...measured, size, rate: entriesOf(counts) / measured.seconds, counts };
    } finally {
      await slapd.destroy();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const n = (value: number) => Math.round(value).toLocaleString('en-US');
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const label = (size: Size) => `${n(size.users)} users, ${n(size.groups)} groups, ${n(size.memberships)} memberships`;
const entriesOf = (counts: Record<string, number>) => (counts.users ?? 0) + (counts.groups ?? 0);

/** What the peak RSS grows by from `a` to `b`, per user or group added, or per membership added. */
function growth(a: Result, b: Result, per: 'entry' | 'membership'): string {
  const added = per === 'entry' ? entriesOf(b.counts) - entriesOf(a.counts) : (b.counts.memberships ?? 0) - (a.counts.memberships ?? 0);
  const bytes = (b.peak - a.peak) / added;
  const each = Math.abs(bytes) >= 1024 ? `${(bytes / 1024).toFixed(2)} KB` : `${bytes.toFixed(0)} bytes`;
  const heaps = `heap of the reader's thread ${mb(a.readerHeap)} → ${mb(b.readerHeap)}, of the writer's ${mb(a.writerHeap)} → ${mb(b.writerHeap)}`;
  return `${mb(a.peak)} → ${mb(b.peak)}, ${bytes >= 0 ? '+' : ''}${each} per ${per === 'entry' ? 'user or group' : 'membership'} added (${heaps})`;
}

async function main(): Promise<void> {
  if (!slapdAvailable()) {
    console.error('bench:ldap needs slapd: DEBIAN_FRONTEND=noninteractive apt-get install -y slapd ldap-utils');
    process.exitCode = 2;
    return;
  }
  const full: Size = { users: option('users', 100_000), groups: option('groups', 10_000), memberships: option('memberships', 1_000_000) };
  const scaled = (factor: number): Size => ({
    users: Math.max(1, Math.round(full.users * factor)),
    groups: Math.max(1, Math.round(full.groups * factor)),
    memberships: Math.max(1, Math.round(full.memberships * factor)),
  });
  // A tenth, the full size and twice it: what grows with the users and groups (the reader's index of
  // DNs and names that members resolve against; the writer's names, and the snapshot it stores). The same
  // users and groups with a tenth of the memberships: what grows with the memberships (they stream; the
  // writer keeps 4 bytes per membership).
  const small = !process.argv.includes('--no-small');
  const large = !process.argv.includes('--no-large');
  const series = [...(small ? [scaled(0.1)] : []), full, ...(large ? [scaled(2)] : [])];
  const fewer = small ? { ...full, memberships: scaled(0.1).memberships } : undefined;
  const results: Result[] = [];
  let fewerResult: Result | undefined;
  for (const size of [...series, ...(fewer ? [fewer] : [])]) {
    const result = await run(size);
    if (size === fewer) fewerResult = result;
    else results.push(result);
    const c = result.counts;
    console.log(
      `  scan: ${result.seconds.toFixed(2)} s for ${n(c.users ?? 0)} users + ${n(c.groups ?? 0)} groups (${n(c.memberships ?? 0)} memberships stored): ` +
        `${n(result.rate)} entries/s (target ≥ 20,000); peak RSS ${mb(result.peak)} ` +
        `(peak heap of the reader's thread ${mb(result.readerHeap)}, of the writer's ${mb(result.writerHeap)})`,
    );
  }
  console.log('peak RSS by size:');
  for (let i = 1; i < results.length; i++) {
    const [a, b] = [results[i - 1] as Result, results[i] as Result];
    console.log(`  ${n(entriesOf(a.counts))} → ${n(entriesOf(b.counts))} users and groups: ${growth(a, b, 'entry')}`);
  }
  const fullResult = results.find((result) => result.size === full);
  if (fewerResult && fullResult) {
    const [a, b] = [fewerResult.counts.memberships ?? 0, fullResult.counts.memberships ?? 0];
    console.log(`  ${n(a)} → ${n(b)} memberships, the same users and groups: ${growth(fewerResult, fullResult, 'membership')}`);
  }
}

await main();
