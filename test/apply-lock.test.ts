/** The workspace's apply lock: held by a live process it refuses, left by a dead one it is taken over. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireApplyLock, runningApply } from '../src/apply/apply-lock.js';
import { tempDir } from './support/files.js';

const deadPid = (): number => {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
};

describe('apply lock', () => {
  it('is held while an apply runs and released after it', () => {
    const dir = tempDir();
    const release = acquireApplyLock(dir, 'plan-a');
    expect(runningApply(dir)).toMatchObject({ pid: process.pid, plan: 'plan-a' });
    expect(() => acquireApplyLock(dir, 'plan-b')).toThrow(/another apply runs on this workspace \(plan plan-a, process \d+, since /);
    release();
    expect(runningApply(dir)).toBeUndefined();
    expect(fs.existsSync(path.join(dir, 'apply.lock'))).toBe(false);
  });

  it('refuses while another live process holds it, and takes over the lock of a process that is gone', () => {
    const dir = tempDir();
    const file = path.join(dir, 'apply.lock');
    fs.writeFileSync(file, JSON.stringify({ pid: process.ppid, plan: 'plan-x', since: '2026-01-01T00:00:00.000Z' }));
    expect(() => acquireApplyLock(dir, 'plan-y')).toThrow(`another apply runs on this workspace (plan plan-x, process ${process.ppid}, since 2026-01-01T00:00:00.000Z)`);
    fs.writeFileSync(file, JSON.stringify({ pid: deadPid(), plan: 'plan-x', since: '2026-01-01T00:00:00.000Z' }));
    expect(runningApply(dir)).toBeUndefined();
    const release = acquireApplyLock(dir, 'plan-y');
    expect(runningApply(dir)).toMatchObject({ pid: process.pid, plan: 'plan-y' });
    release();
  });
});
