/**
 * `npm run bench:ldap`: how fast `usermig scan ldap:…` reads a large directory from a local slapd, and
 * whether its memory grows with the directory. Generates an OpenLDAP directory (default 100,000 users,
 * 10,000 groupOfNames groups, 1,000,000 memberships, a tenth of the groups nested in another), loads it
 * offline with slapadd into a throw-away slapd on 127.0.0.1 (size limit 500, so only paging reads it
 * all), then times the scan as a user runs it (the built CLI, a separate process) and samples its peak
 * RSS. Then the same for a directory ten times smaller, and for the same users and groups with a tenth
 * of the memberships, to compare the peaks.
 *
 *   node dist/bench/ldap.js [--users N] [--groups N] [--memberships N] [--no-small]
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

/** Runs the scan as its own process; samples its peak RSS (VmHWM) from /proc while it runs. */
async function timeScan(url: string, workspace: string, env: Record<string, string>): Promise<{ seconds: number; peakMb: number; output: string }> {
  const started = process.hrtime.bigint();
  // USERMIG_BENCH_NODE_ARGS: extra node options for the scan (e.g. --cpu-prof).
  const nodeArgs = (process.env.USERMIG_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, CLI, 'scan', `bench=ldap:${url}/${SUFFIX}`, '--workspace', workspace, '--json'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let peakKb = 0;
  const sample = () => {
    try {
      const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
      if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
    } catch {
      // the process has ended
    }
  };
  const timer = setInterval(sample, 20);
  let output = '';
  let errors = '';
  child.stdout.on('data', (chunk: Buffer) => {
    sample();
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const code = await new Promise<number>((resolve) => child.on('close', (status) => resolve(status ?? -1)));
  clearInterval(timer);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) throw new Error(`usermig scan failed (exit ${code}): ${errors}`);
  return { seconds, peakMb: peakKb / 1024, output };
}

async function run(size: Size): Promise<{ size: Size; seconds: number; rate: number; peakMb: number; counts: Record<string, number> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usermig-bench-ldap-'));
  const label = `${size.users.toLocaleString('en-US')} users, ${size.groups.toLocaleString('en-US')} groups, ${size.memberships.toLocaleString('en-US')} memberships`;
  try {
    let t = Date.now();
    const ldif = path.join(dir, 'directory.ldif');
    await writeLdif(ldif, size);
    process.stdout.write(`${label}: LDIF ${(fs.statSync(ldif).size / 1e6).toFixed(0)} MB in ${((Date.now() - t) / 1000).toFixed(1)} s; `);
    t = Date.now();
    const slapd = await startSlapd({ suffix: SUFFIX, ldifFiles: [ldif], sizeLimit: 500 });
    process.stdout.write(`slapadd + start ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
    try {
      fs.rmSync(ldif);
      const env = { USERMIG_LDAP_BIND_DN: slapd.readerDn, USERMIG_LDAP_PASSWORD: slapd.readerPassword };
      const result = await timeScan(slapd.url, path.join(dir, 'workspace'), env);
      const counts = (JSON.parse(result.output) as { sources: Array<{ counts: Record<string, number> }> }).sources[0]?.counts ?? {};
      const entries = (counts.users ?? 0) + (counts.groups ?? 0);
      return { size, seconds: result.seconds, rate: entries / result.seconds, peakMb: result.peakMb, counts };
    } finally {
      await slapd.destroy();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (!slapdAvailable()) {
    console.error('bench:ldap needs slapd: DEBIAN_FRONTEND=noninteractive apt-get install -y slapd ldap-utils');
    process.exitCode = 2;
    return;
  }
  const full: Size = { users: option('users', 100_000), groups: option('groups', 10_000), memberships: option('memberships', 1_000_000) };
  const tenth = (n: number) => Math.max(1, Math.round(n / 10));
  // The full directory; a tenth of everything; and the same users and groups with a tenth of the
  // memberships, which tells what grows with the users and groups (their names, needed to resolve member
  // DNs, and the snapshot) from what would grow with the memberships (nothing should: they stream).
  const sizes = process.argv.includes('--no-small')
    ? [full]
    : [{ users: tenth(full.users), groups: tenth(full.groups), memberships: tenth(full.memberships) }, full, { ...full, memberships: tenth(full.memberships) }];
  const results = [];
  for (const size of sizes) {
    const result = await run(size);
    results.push(result);
    const c = result.counts;
    console.log(
      `  scan: ${result.seconds.toFixed(2)} s for ${(c.users ?? 0).toLocaleString('en-US')} users + ${(c.groups ?? 0).toLocaleString('en-US')} groups ` +
        `(${(c.memberships ?? 0).toLocaleString('en-US')} memberships stored): ${Math.round(result.rate).toLocaleString('en-US')} entries/s ` +
        `(target ≥ 20,000), peak RSS ${result.peakMb.toFixed(0)} MB`,
    );
  }
  if (results.length === 3) {
    const [small, large, fewMemberships] = results as [(typeof results)[0], (typeof results)[0], (typeof results)[0]];
    const perUser = ((large.peakMb - small.peakMb) * 1024) / (large.size.users + large.size.groups - small.size.users - small.size.groups);
    console.log(
      `peak RSS ${small.peakMb.toFixed(0)} MB at 1/10 of the size, ${large.peakMb.toFixed(0)} MB at full size: ` +
        `×${(large.peakMb / small.peakMb).toFixed(2)} for ×10 the directory (about ${perUser.toFixed(1)} KB more per user or group)`,
    );
    console.log(
      `peak RSS ${fewMemberships.peakMb.toFixed(0)} MB with the same users and groups and 1/10 of the memberships: ` +
        `×${(large.peakMb / fewMemberships.peakMb).toFixed(2)} for ×10 the memberships`,
    );
  }
}

await main();
