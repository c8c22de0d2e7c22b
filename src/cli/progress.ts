/**
 * Progress of long commands. On a terminal: a bar on stderr. With `--json`: JSON lines on stderr
 * (`{"event":"progress","task":…,"done":…,"total":…}`, at most one per percent), for scripts that want to
 * follow along. Otherwise nothing, so that piped output stays clean.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  update(label: string, done: number, total: number): void;
  stop(): void;
}

const silent: Progress = { update: () => undefined, stop: () => undefined };

export function createProgress(mode: 'bar' | 'json-lines'): Progress {
  if (mode === 'json-lines') return jsonLines();
  if (!process.stderr.isTTY) return silent;
  const bar = new cliProgress.SingleBar(
    { format: '{label} [{bar}] {percentage}% | {value}/{total} | {rate}/s | ETA {eta_formatted}', stream: process.stderr, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let currentLabel = '';
  let startedAt = 0;
  return {
    update(label, done, total) {
      if (!started || label !== currentLabel) {
        if (started) bar.stop();
        bar.start(Math.max(total, 1), 0, { label, rate: 0 });
        started = true;
        currentLabel = label;
        startedAt = Date.now();
      }
      const seconds = (Date.now() - startedAt) / 1000;
      bar.setTotal(Math.max(total, done, 1));
      bar.update(done, { label, rate: seconds > 0 ? Math.round(done / seconds) : 0 });
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}

function jsonLines(): Progress {
  let last = '';
  return {
    update(task, done, total) {
      const percent = total > 0 ? Math.floor((done / total) * 100) : 0;
      const key = `${task}:${percent}`;
      if (key === last) return;
      last = key;
      process.stderr.write(`${JSON.stringify({ event: 'progress', task, done, total, percent })}\n`);
    },
    stop: () => undefined,
  };
}
