/**
 * `usermig cloud serve`: runs the local cloud on 127.0.0.1 until SIGINT or SIGTERM, then closes cleanly
 * (exit 0). Prints the org id, the SCIM directory id and both API keys at start-up; `--print-env FILE`
 * writes them (with the URL) as USERMIG_* lines, readable by the owner only.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { untilStopped } from '../cli/until-stopped.js';
import { usageError } from '../model/errors.js';
import { FAULT_KINDS, parseRate, type FaultKind } from './pacing.js';
import { startCloud, type CloudOptions, type RunningCloud } from './server.js';

interface ServeOptions {
  port: string;
  data?: string;
  latency?: string;
  rateLimit?: string;
  faultRate?: string;
  faults?: string;
  slow?: string;
  seed?: string;
  log?: string;
  printEnv?: string;
  site?: string;
  legacyGroupNames?: boolean;
  verifiedDomain?: string[];
}

const out = (text: string) => void process.stdout.write(`${text}\n`);

/** The default data folder: `cloud` inside the workspace folder (`./.usermig` unless USERMIG_WORKSPACE says otherwise). */
export const defaultCloudDir = (): string => path.join(process.env.USERMIG_WORKSPACE || '.usermig', 'cloud');

function number(text: string | undefined, option: string, check: (value: number) => boolean, expected: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || !check(value)) throw usageError(`${option} ${JSON.stringify(text)}: expected ${expected}`);
  return value;
}

/** Turns the command line into start options; anything malformed is a usage error (exit 2). */
export function serveOptions(options: ServeOptions): CloudOptions {
  const rate = options.rateLimit === undefined ? undefined : parseRate(options.rateLimit);
  if (rate === null || (rate !== undefined && rate <= 0)) throw usageError(`--rate-limit ${JSON.stringify(options.rateLimit)}: expected requests per second, e.g. 10/s`);
  const faults = options.faults?.split(',').map((kind) => kind.trim()).filter((kind) => kind !== '');
  const unknown = faults?.filter((kind) => !FAULT_KINDS.includes(kind as FaultKind)) ?? [];
  if (unknown.length > 0) throw usageError(`--faults: unknown fault ${unknown.join(', ')} (expected some of ${FAULT_KINDS.join(', ')})`);
  const result: CloudOptions = {
    port: number(options.port, '--port', (v) => Number.isInteger(v) && v >= 0 && v <= 65535, 'a port from 0 to 65535'),
    dataDir: options.data ?? defaultCloudDir(),
    latencyMs: number(options.latency, '--latency', (v) => v >= 0, 'milliseconds (0 or more)'),
    rateLimit: rate,
    faultRate: number(options.faultRate, '--fault-rate', (v) => v >= 0 && v <= 1, 'a probability from 0 to 1'),
    slowMs: number(options.slow, '--slow', (v) => v >= 0, 'milliseconds (0 or more)'),
    seed: number(options.seed, '--seed', (v) => Number.isInteger(v), 'an integer'),
    legacyGroupNames: options.legacyGroupNames === true,
    verifiedDomains: options.verifiedDomain ?? [],
  };
  if (faults) result.faults = faults as FaultKind[];
  if (options.log) result.logFile = options.log;
  if (options.site) result.siteName = options.site;
  return result;
}

/** The USERMIG_* lines of `--print-env`. */
export function envLines(cloud: RunningCloud): string {
  return [
    `USERMIG_CLOUD_URL=${cloud.url}`,
    `USERMIG_ORG_ID=${cloud.orgId}`,
    `USERMIG_ORG_TOKEN=${cloud.orgToken}`,
    `USERMIG_SCIM_DIRECTORY_ID=${cloud.directoryId}`,
    `USERMIG_SCIM_TOKEN=${cloud.scimToken}`,
    '',
  ].join('\n');
}

/** Writes the file whole or not at all (a reader polling for it never sees half of it), owner-only. */
function writeEnvFile(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(temporary, text, { mode: 0o600 });
    fs.renameSync(temporary, file);
  } catch (error) {
    throw usageError(`cannot write ${file}: ${(error as Error).message}`);
  }
}

async function serve(options: ServeOptions): Promise<number> {
  const cloud = await startCloud(serveOptions(options));
  try {
    out(`usermig local cloud listening on ${cloud.url} (${cloud.created ? 'a new organization' : 'the organization'} in ${cloud.dataDir})`);
    out(`  organization    ${cloud.orgId}  site ${cloud.siteName}  org API ${cloud.url}/admin`);
    out(`  SCIM directory  ${cloud.directoryId}  base URL ${cloud.url}/scim/directory/${cloud.directoryId}`);
    out(`  org API key     ${cloud.orgToken}`);
    out(`  SCIM API key    ${cloud.scimToken}`);
    if (options.printEnv) writeEnvFile(options.printEnv, envLines(cloud));
    out('Stop with Ctrl+C.');
    await untilStopped();
  } finally {
    await cloud.close();
  }
  out('local cloud stopped');
  return 0;
}

export function registerCloudCommands(cloud: Command): void {
  cloud
    .command('serve')
    .description("serve the local cloud (Atlassian's SCIM and organization APIs) on 127.0.0.1 until Ctrl+C or SIGTERM")
    .option('--port <n>', 'TCP port on 127.0.0.1; 0 picks a free one', '8787')
    .option('--data <dir>', 'folder of cloud.db (default .usermig/cloud, or cloud/ in USERMIG_WORKSPACE)')
    .option('--latency <ms>', 'milliseconds added to every answer')
    .option('--rate-limit <n/s>', 'requests per second before answering 429 with Retry-After and X-RateLimit-* headers')
    .option('--fault-rate <p>', 'probability (0..1) that a request meets a fault: 500, 503, dropped connection or slow answer')
    .option('--faults <kinds>', `the faults to inject, comma-separated (${FAULT_KINDS.join(',')}; default all)`)
    .option('--slow <ms>', 'how long a slow answer takes (default 2000)')
    .option('--seed <n>', 'seed of the fault generator, to replay a chaos run')
    .option('--log <file>', 'append one JSON line per request (method, path, status, duration; never headers or tokens)')
    .option('--print-env <file>', 'write USERMIG_CLOUD_URL, USERMIG_ORG_ID, USERMIG_ORG_TOKEN, USERMIG_SCIM_DIRECTORY_ID, USERMIG_SCIM_TOKEN')
    .option('--site <name>', 'site name of a new cloud (default localcloud): default access groups are suffixed with it')
    .option('--legacy-group-names', 'a new cloud gets the old unsuffixed default access group names (jira-software-users, …)')
    .option('--verified-domain <domain...>', 'email domains the org has verified: accounts on them are managed')
    .action(async (options: ServeOptions) => {
      process.exitCode = await serve(options);
    });
}
