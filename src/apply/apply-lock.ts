/**
 * One apply at a time per workspace, across processes: `usermig apply` in a terminal while the dashboard
 * (or another terminal) applies would run two executors on one ledger. The apply holds WORKSPACE/apply.lock
 * (the process id, the plan, since when) while it runs; a lock whose process is gone (killed, crashed) is
 * stale and taken over, so a kill never leaves the workspace locked.
 */
import fs from 'node:fs';
import path from 'node:path';
import { usageError } from '../model/errors.js';

interface Holder {
  pid: number;
  plan: string;
  since: string;
}

const lockFile = (workspaceDir: string): string => path.join(workspaceDir, 'apply.lock');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function read(file: string): Holder | undefined {
  try {
    const holder = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Holder>;
    return typeof holder.pid === 'number' ? { pid: holder.pid, plan: String(holder.plan ?? '?'), since: String(holder.since ?? '?') } : undefined;
  } catch {
    return undefined;
  }
}

/** The apply running on this workspace now, if any (its lock held by a live process). */
export function runningApply(workspaceDir: string): Holder | undefined {
  const holder = read(lockFile(workspaceDir));
  return holder && alive(holder.pid) ? holder : undefined;
}

export const describeRunningApply = (holder: Holder): string =>
  `another apply runs on this workspace (plan ${holder.plan}, process ${holder.pid}, since ${holder.since}); wait for it to end, or stop it (it resumes when applied again)`;

/** Takes the workspace's apply lock for this process; refused while another live process holds it. Returns the release. */
export function acquireApplyLock(workspaceDir: string, plan: string): () => void {
  const file = lockFile(workspaceDir);
  const mine = JSON.stringify({ pid: process.pid, plan, since: new Date().toISOString() } satisfies Holder);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, mine, { flag: 'wx' });
      return () => {
        // Only our own lock is removed.
        if (read(file)?.pid === process.pid) fs.rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = read(file);
      if (holder && alive(holder.pid)) throw usageError(describeRunningApply(holder));
      fs.rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  throw usageError('another apply took the workspace at the same moment; try again');
}
