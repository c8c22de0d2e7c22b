/**
 * A throw-away OpenLDAP server (Debian's slapd) for the tests and the LDAP benchmark: its own slapd.conf and
 * mdb database in a temporary folder, loaded offline with slapadd, listening on a free 127.0.0.1 port only.
 * Nothing here is part of usermig itself.
 *
 * Binds: `rootDn` / `rootPassword` (the server's rootdn, exempt from limits) and `readerDn` /
 * `readerPassword`, an ordinary entry that may read everything and is subject to the size limit — what
 * usermig should be given.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const SLAPD = process.env.USERMIG_SLAPD ?? '/usr/sbin/slapd';
export const SLAPADD = process.env.USERMIG_SLAPADD ?? '/usr/sbin/slapadd';
const SCHEMA_DIR = '/etc/ldap/schema';
const MODULE_DIR = '/usr/lib/ldap';

export function slapdAvailable(): boolean {
  return fs.existsSync(SLAPD) && fs.existsSync(SLAPADD) && fs.existsSync(path.join(SCHEMA_DIR, 'core.schema'));
}

export interface SlapdOptions {
  /** The database suffix, e.g. dc=example,dc=com. */
  suffix: string;
  /** Schema files of /etc/ldap/schema to include after core, cosine, inetorgperson and nis (e.g. msuser). */
  schemas?: string[];
  /** Extra schema text (slapd.conf syntax), written to a file and included last. */
  extraSchema?: string;
  /** LDIF to load with slapadd (the suffix entry and the reader entry are added first). */
  ldif?: string | string[];
  /** LDIF files to load after `ldif`. */
  ldifFiles?: string[];
  /** The size limit of ordinary binds (the rootdn has none); paged searches are not limited in total. */
  sizeLimit?: number;
  /** Also listen on ldaps:// with a certificate signed by a CA generated for the occasion. */
  tls?: boolean;
  /** The LDIF of the suffix entry; default a dcObject/organization entry. */
  suffixEntry?: string;
}

export interface Slapd {
  url: string;
  port: number;
  /** ldaps:// URL, when started with tls. */
  ldapsUrl?: string;
  /** The CA certificate (PEM file) that signed the server certificate, when started with tls. */
  caFile?: string;
  dir: string;
  rootDn: string;
  rootPassword: string;
  readerDn: string;
  readerPassword: string;
  pid: number;
  /** Starts the server again on the same ports (after stop). */
  restart(): Promise<void>;
  /** Stops the server (SIGKILL when it does not stop within 5 s). */
  stop(): Promise<void>;
  /** Stops it and removes its folder. */
  destroy(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

export function suffixEntryFor(suffix: string): string {
  const first = /^dc=([^,]+)/i.exec(suffix);
  if (first) return `dn: ${suffix}\nobjectClass: top\nobjectClass: dcObject\nobjectClass: organization\ndc: ${first[1]}\no: ${first[1]}\n`;
  const o = /^o=([^,]+)/i.exec(suffix);
  return `dn: ${suffix}\nobjectClass: top\nobjectClass: organization\no: ${o ? o[1] : suffix}\n`;
}

function run(command: string, args: string[], what: string): void {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${what} failed (${command} ${args.join(' ')}): ${result.stderr || result.stdout || result.error?.message}`);
}

/** A CA and a server certificate for 127.0.0.1 and localhost, made with the openssl command. */
function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  const ca = path.join(dir, 'ca.pem');
  const caKey = path.join(dir, 'ca.key');
  const key = path.join(dir, 'server.key');
  const csr = path.join(dir, 'server.csr');
  const cert = path.join(dir, 'server.pem');
  const ext = path.join(dir, 'server.ext');
  run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', caKey, '-out', ca, '-days', '2', '-subj', '/CN=usermig test CA'], 'making a test CA');
  run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', csr, '-subj', '/CN=127.0.0.1'], 'making a server key');
  fs.writeFileSync(ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
  run('openssl', ['x509', '-req', '-in', csr, '-CA', ca, '-CAkey', caKey, '-CAcreateserial', '-out', cert, '-days', '2', '-extfile', ext], 'signing the server certificate');
  return { ca, cert, key };
}

export async function startSlapd(options: SlapdOptions): Promise<Slapd> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'usermig-slapd-'));
  const dbDir = path.join(dir, 'db');
  fs.mkdirSync(dbDir);
  const suffix = options.suffix;
  const rootDn = `cn=admin,${suffix}`;
  const rootPassword = 'admin-secret';
  const readerDn = `cn=usermig-reader,${suffix}`;
  const readerPassword = 'reader-secret';
  const includes = ['core', 'cosine', 'inetorgperson', 'nis', ...(options.schemas ?? [])].map((name) => `include ${SCHEMA_DIR}/${name}.schema`);
  if (options.extraSchema) {
    fs.writeFileSync(path.join(dir, 'extra.schema'), options.extraSchema);
    includes.push(`include ${path.join(dir, 'extra.schema')}`);
  }
  const tls = options.tls ? makeCertificates(dir) : undefined;
  const size = options.sizeLimit ?? 500;
  const conf = [
    ...includes,
    `pidfile ${path.join(dir, 'slapd.pid')}`,
    `argsfile ${path.join(dir, 'slapd.args')}`,
    `modulepath ${MODULE_DIR}`,
    'moduleload back_mdb',
    ...(tls ? [`TLSCACertificateFile ${tls.ca}`, `TLSCertificateFile ${tls.cert}`, `TLSCertificateKeyFile ${tls.key}`] : []),
    // Ordinary binds see at most `size` entries per search unless they page; paged searches are unlimited.
    `sizelimit size.soft=${size} size.hard=${size} size.prtotal=unlimited`,
    'database mdb',
    'maxsize 8589934592',
    `suffix "${suffix}"`,
    `rootdn "${rootDn}"`,
    `rootpw ${rootPassword}`,
    `directory ${dbDir}`,
    'index objectClass eq',
    'access to attrs=userPassword by self write by anonymous auth by * none',
    'access to * by users read by anonymous auth',
    '',
  ].join('\n');
  const confFile = path.join(dir, 'slapd.conf');
  fs.writeFileSync(confFile, conf);

  const base = [
    options.suffixEntry ?? suffixEntryFor(suffix),
    `dn: ${readerDn}\nobjectClass: person\ncn: usermig-reader\nsn: reader\nuserPassword: ${readerPassword}\n`,
  ].join('\n');
  const ldifFile = path.join(dir, 'load.ldif');
  const parts = Array.isArray(options.ldif) ? options.ldif : options.ldif ? [options.ldif] : [];
  fs.writeFileSync(ldifFile, [base, ...parts].map((part) => `${part.trim()}\n`).join('\n'));
  run(SLAPADD, ['-q', '-f', confFile, '-l', ldifFile], 'loading the test LDIF');
  for (const file of options.ldifFiles ?? []) run(SLAPADD, ['-q', '-f', confFile, '-l', file], `loading ${file}`);

  const port = await freePort();
  const tlsPort = tls ? await freePort() : 0;
  const listen = [`ldap://127.0.0.1:${port}/`, ...(tls ? [`ldaps://127.0.0.1:${tlsPort}/`] : [])].join(' ');
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    // -d keeps slapd in the foreground, a child of this process; "0" logs nothing.
    const proc = spawn(SLAPD, ['-f', confFile, '-h', listen, '-d', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    let stderr = '';
    proc.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`slapd exited (${proc.exitCode}): ${stderr}`);
      if (await canConnect(port)) return;
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`slapd did not listen on 127.0.0.1:${port} within 20 s: ${stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const stop = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  await start();
  return {
    url: `ldap://127.0.0.1:${port}`,
    port,
    ...(tls ? { ldapsUrl: `ldaps://127.0.0.1:${tlsPort}`, caFile: tls.ca } : {}),
    dir,
    rootDn,
    rootPassword,
    readerDn,
    readerPassword,
    get pid() {
      return child?.pid ?? -1;
    },
    restart: start,
    stop,
    async destroy() {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
