/**
 * Progress on a terminal: a bar on stderr when stderr is a TTY, nothing otherwise (piped output stays
 * clean; `--json` output is never mixed with it).
 */
import cliProgress from 'cli-progress';

export interface Progress {
  update(label: string, done: number, total: number): void;
  stop(): void;
}

const silent: Progress = { update: () => undefined, stop: () => undefined };

export function createProgress(enabled: boolean): Progress {
  if (!enabled || !process.stderr.isTTY) return silent;
  const bar = new cliProgress.SingleBar(
    { format: '{label} [{bar}] {percentage}% | ETA {eta_formatted}', stream: process.stderr, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let currentLabel = '';
  return {
    update(label, done, total) {
      if (!started || label !== currentLabel) {
        if (started) bar.stop();
        bar.start(Math.max(total, 1), 0, { label });
        started = true;
        currentLabel = label;
      }
      bar.setTotal(Math.max(total, done, 1));
      bar.update(done, { label });
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
