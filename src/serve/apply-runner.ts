/**
 * The dashboard's applies: one at a time, run with the library's applySavedPlan (what `usermig apply`
 * runs), with live progress fanned out to every listener of GET /api/apply/events — progress at most five
 * times a second, each failed operation as it happens, state changes, and a final `done` with the outcome
 * `usermig apply` prints. Pause closes a gate that the executor awaits before each operation, so no new
 * operation starts while those in flight finish; resume opens it again. Stopping the server stops the run
 * at the gate (the ledger makes it resumable, as after a kill).
 */
import crypto from 'node:crypto';
import { describeOperation } from '../apply/executor.js';
import { applySavedPlan } from '../apply/apply-saved-plan.js';
import { isUsermigError, UsermigError } from '../model/errors.js';
import type { PlanFile } from '../plan/plan-file.js';
import type { Workspace } from '../workspace/workspace.js';
import type { ApplyErrorEvent, ApplyEvents, ApplyOutcome, ApplyState, ApplyStatus, ApplyStatusResponse } from './api-types.js';
import { conflict } from './api-error.js';

export type ApplyListener = <E extends keyof ApplyEvents>(event: E, data: ApplyEvents[E]) => void;

/** Progress events at most this often (milliseconds). */
const PROGRESS_EVERY = 200;
const RECENT_ERRORS = 50;

class Gate {
  private waiting: Promise<void> | undefined;
  private open: (() => void) | undefined;
  private fail: ((error: Error) => void) | undefined;
  private stopped: Error | undefined;

  get closed(): boolean {
    return this.waiting !== undefined;
  }

  close(): void {
    if (this.waiting || this.stopped) return;
    this.waiting = new Promise<void>((resolve, reject) => {
      this.open = resolve;
      this.fail = reject;
    });
    this.waiting.catch(() => undefined);
  }

  reopen(): void {
    const open = this.open;
    this.waiting = this.open = this.fail = undefined;
    open?.();
  }

  /** From now on the gate refuses passage: the run stops before its next operation. */
  stop(error: Error): void {
    this.stopped = error;
    const fail = this.fail;
    this.waiting = this.open = this.fail = undefined;
    fail?.(error);
  }

  pass = async (): Promise<void> => {
    if (this.stopped) throw this.stopped;
    if (this.waiting) await this.waiting;
  };
}

interface Run {
  status: ApplyStatus;
  gate: Gate;
  /** Milliseconds of running (pauses excluded) before the current stretch, and when that stretch began. */
  activeBefore: number;
  stretchStart: number | null;
  lastProgressAt: number;
  finished: Promise<void>;
}

export class ApplyRunner {
  private run: Run | undefined;
  private readonly listeners = new Set<ApplyListener>();

  /** Whether an apply is running or paused. */
  busy(): boolean {
    return this.run !== undefined && (this.run.status.state === 'running' || this.run.status.state === 'paused');
  }

  subscribe(listener: ApplyListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit: ApplyListener = (event, data) => {
    for (const listener of this.listeners) {
      try {
        listener(event, data);
      } catch {
        // A listener that fails (a closed stream) does not stop the others.
      }
    }
  };

  status(): ApplyStatusResponse {
    if (!this.run) return { run: null, state: 'idle' };
    this.refreshFigures(this.run);
    return { ...this.run.status, recentErrors: [...this.run.status.recentErrors] };
  }

  private refreshFigures(run: Run): void {
    const active = run.activeBefore + (run.stretchStart === null ? 0 : Date.now() - run.stretchStart);
    const { done, total } = run.status;
    run.status.rate = active > 0 ? Number(((done * 1000) / active).toFixed(2)) : 0;
    run.status.etaSeconds = run.status.state === 'done' || run.status.state === 'failed' || run.status.rate === 0 ? null : Math.ceil((total - done) / run.status.rate);
  }

  private progress(run: Run, force: boolean): void {
    const now = Date.now();
    if (!force && now - run.lastProgressAt < PROGRESS_EVERY) return;
    run.lastProgressAt = now;
    this.refreshFigures(run);
    const { done, total, rate, etaSeconds } = run.status;
    this.emit('progress', { done, total, rate, etaSeconds });
  }

  private setState(run: Run, state: ApplyState): void {
    if (run.status.state === state) return;
    if (state === 'paused' && run.stretchStart !== null) {
      run.activeBefore += Date.now() - run.stretchStart;
      run.stretchStart = null;
    } else if (state === 'running' && run.stretchStart === null) run.stretchStart = Date.now();
    else if ((state === 'done' || state === 'failed') && run.stretchStart !== null) {
      run.activeBefore += Date.now() - run.stretchStart;
      run.stretchStart = null;
    }
    run.status.state = state;
    this.emit('state', { state });
  }

  /** Starts applying the plan; refused (409) while another apply runs. */
  start(workspace: Workspace, plan: PlanFile, options: { prune?: boolean; force?: boolean } = {}): string {
    if (this.busy()) throw conflict(`the apply ${this.run!.status.run} of ${this.run!.status.plan} is ${this.run!.status.state}; wait for it or resume it`);
    const id = `run-${crypto.randomBytes(4).toString('hex')}`;
    const run: Run = {
      status: {
        run: id,
        plan: plan.id,
        target: plan.target,
        state: 'running',
        done: 0,
        total: plan.operations.length,
        errors: 0,
        rate: 0,
        etaSeconds: null,
        startedAt: new Date().toISOString(),
        finishedAt: null,
        recentErrors: [],
        outcome: null,
        message: null,
      },
      gate: new Gate(),
      activeBefore: 0,
      stretchStart: Date.now(),
      lastProgressAt: 0,
      finished: Promise.resolve(),
    };
    this.run = run;
    this.emit('state', { state: 'running' });
    run.finished = (async () => {
      try {
        const applied = await applySavedPlan(workspace, plan, {
          prune: options.prune ?? false,
          force: options.force ?? false,
          gate: run.gate.pass,
          onProgress: (done, total) => {
            run.status.done = done;
            run.status.total = total;
            this.progress(run, done === total);
          },
          onOperationFailed: (operation, message) => {
            const event: ApplyErrorEvent = { operation: describeOperation(operation), kind: operation.kind, message };
            run.status.errors++;
            run.status.recentErrors.push(event);
            if (run.status.recentErrors.length > RECENT_ERRORS) run.status.recentErrors.shift();
            this.emit('error', event);
          },
        });
        const outcome: ApplyOutcome = { ...applied.outcome, writes: applied.writes, reads: applied.reads, text: applied.text };
        run.status.outcome = outcome;
        run.status.finishedAt = new Date().toISOString();
        this.setState(run, 'done');
        this.progress(run, true);
        this.emit('done', { state: 'done', outcome, message: null });
      } catch (error) {
        const message = isUsermigError(error) ? error.message : `internal error: ${error instanceof Error ? error.message : String(error)}`;
        run.status.message = message;
        run.status.finishedAt = new Date().toISOString();
        this.setState(run, 'failed');
        this.progress(run, true);
        this.emit('done', { state: 'failed', outcome: null, message });
      }
    })();
    return id;
  }

  pause(): ApplyState {
    const run = this.run;
    if (!run || !this.busy()) throw conflict('no apply is running');
    run.gate.close();
    this.setState(run, 'paused');
    return run.status.state;
  }

  resume(): ApplyState {
    const run = this.run;
    if (!run || !this.busy()) throw conflict('no apply is paused');
    this.setState(run, 'running');
    run.gate.reopen();
    return run.status.state;
  }

  /** The run that is on (for tests and shutdown): resolves when it has finished. */
  finished(): Promise<void> {
    return this.run?.finished ?? Promise.resolve();
  }

  /** Stops a run at its next operation (it can be resumed with usermig apply or the dashboard) and waits for it. */
  async close(): Promise<void> {
    const run = this.run;
    if (!run || !this.busy()) return;
    run.gate.stop(new UsermigError('usage', 'the dashboard was stopped during the apply; apply the plan again to resume it'));
    await run.finished;
  }
}
