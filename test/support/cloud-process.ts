/** `usermig cloud serve` as its own process (the built CLI), for tests that need a cloud apart from the command under test. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CLI } from './cli.js';

export interface ServedCloud {
  child: ChildProcess;
  /** The variables its --print-env file holds (USERMIG_CLOUD_URL, the org and SCIM ids and keys). */
  env: Record<string, string>;
  /** `atlassian:URL`, for --target. */
  target: string;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts `usermig cloud serve` with its data and request log in `dir`; resolves once its --print-env file is written. */
export async function serveCloud(dir: string, extra: string[]): Promise<ServedCloud> {
  const envFile = path.join(dir, 'cloud.env');
  const args = ['cloud', 'serve', '--port', '0', '--data', path.join(dir, 'cloud'), '--log', path.join(dir, 'requests.jsonl'), '--print-env', envFile, ...extra];
  const child = spawn(process.execPath, [CLI, ...args], { stdio: 'ignore' });
  for (const deadline = Date.now() + 15_000; !fs.existsSync(envFile); await sleep(20)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`usermig cloud serve did not start (exit ${child.exitCode})`);
  }
  const env: Record<string, string> = {};
  for (const line of fs.readFileSync(envFile, 'utf8').split('\n')) {
    const match = /^(USERMIG_\w+)=(.*)$/.exec(line);
    if (match) env[match[1] as string] = match[2] as string;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    env,
    target: `atlassian:${env.USERMIG_CLOUD_URL}`,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
