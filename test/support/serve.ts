/**
 * `usermig serve` as its own process (the built CLI): started on a free port, resolved with the URL it
 * prints; `stop()` sends SIGTERM and waits for it to exit.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawn } from 'node:child_process';
import { CLI } from './cli.js';

export interface ServeProcess {
  /** The printed URL, token included: `http://127.0.0.1:PORT/?token=…`. */
  url: string;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  token: string;
  /** Everything it printed so far. */
  output: () => string;
  stop: () => Promise<number>;
}

export function startServe(args: string[], env: Record<string, string> = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], {
    env: { ...process.env, USERMIG_WORKSPACE: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  }) as unknown as ChildProcessWithoutNullStreams;
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    return exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`usermig serve printed no URL in 30 s:\n${stdout}\n${stderr}`));
    }, 30_000);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /usermig dashboard: (http:\/\/127\.0\.0\.1:\d+)\/\?token=([A-Za-z0-9_-]+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({ url: `${match[1]}/?token=${match[2]}`, origin: match[1]!, token: match[2]!, output: () => stdout + stderr, stop });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`usermig serve exited with ${code} before printing its URL:\n${stdout}\n${stderr}`));
    });
  });
}
