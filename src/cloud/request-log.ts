/**
 * `--log FILE`: one JSON line per request — time, method, path (without the query string, which may hold
 * emails), status (0 for a dropped connection), duration and the injected fault if any. Headers are never
 * written, so no token reaches the log.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsermigError } from '../model/errors.js';
import type { FaultKind } from './pacing.js';

export interface LogEntry {
  method: string;
  path: string;
  status: number;
  durationMs: number;
  fault?: FaultKind;
}

export class RequestLog {
  private fd: number | null;

  constructor(readonly file: string) {
    try {
      fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
      this.fd = fs.openSync(file, 'a');
    } catch (error) {
      throw new UsermigError('input', `cannot open the request log ${file}: ${(error as Error).message}`);
    }
  }

  write(entry: LogEntry): void {
    if (this.fd === null) return;
    const line = { time: new Date().toISOString(), ...entry, durationMs: Math.round(entry.durationMs * 10) / 10 };
    fs.writeSync(this.fd, `${JSON.stringify(line)}\n`);
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}
