import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { IntegrationError, PermanentError, RetryableError } from '../common/errors';
import { projectRoot } from './project-root';

/**
 * A small pool of worker threads for CPU-heavy work (PDF rendering, parsing large in-folder files),
 * so that work never blocks the event loop that answers HTTP, renews BullMQ locks and runs timers.
 *
 * - Tasks are named functions of a tasks module (see src/workflows/cpu-work/cpu-work.tasks.ts), loaded in each thread; input and
 *   output cross the thread boundary by structured clone.
 * - Each task has a time budget, counted from when a thread starts it (not while it waits for a free
 *   thread). A task over its budget is ended by terminating its thread, which stops even a tight
 *   loop, and fails with the caller's error (e.g. a PermanentError RENDER_TIMEOUT, which the worker
 *   host dead-letters at once); the pool starts a fresh thread for the next task.
 * - Errors thrown by a task keep their class and code (PermanentError, RetryableError).
 * - A thread that dies under a task (out of memory, a crash) fails that task: out of memory is
 *   permanent (the same input would do it again), anything else retryable.
 * - Threads start on first use, hold the process open only while they have a task, and end with
 *   close() (the service's shutdown).
 */
export interface CpuPoolOptions {
  /** The module whose exported `CPU_TASKS` table the threads run (absolute path, without extension). */
  tasksModule: string;
  /** Threads at most (tasks beyond that wait their turn). */
  threads: number;
  /** Heap limit per thread, in MB. */
  maxHeapMb?: number;
}

export interface CpuTaskOptions {
  /** Longest a thread may work on the task. */
  budgetMs: number;
  /** The error a task over budget fails with. */
  timeoutError: () => Error;
  /** The `system` of errors made here (crash, shutdown). */
  system?: string;
}

interface Task {
  id: number;
  name: string;
  input: unknown;
  opts: CpuTaskOptions;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  task?: Task;
  timer?: NodeJS.Timeout;
  startTimer?: NodeJS.Timeout;
}

/** A thread that has not loaded its code and warmed up by then is given up on. */
const START_TIMEOUT_MS = 60_000;

/** An error as it crosses the thread boundary (structured clone keeps no class or extra fields). */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  errorClass?: 'retryable' | 'permanent';
  system?: string;
  status?: number;
}

export function serializeError(err: unknown): SerializedError {
  const e = err as Partial<IntegrationError> & { name?: string; message?: string; code?: unknown };
  return {
    name: typeof e?.name === 'string' ? e.name : 'Error',
    message: typeof e?.message === 'string' ? e.message : String(err),
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
    ...(err instanceof IntegrationError ? { errorClass: err.errorClass, system: err.system, status: err.status } : {}),
  };
}

export function deserializeError(s: SerializedError): Error {
  if (s.errorClass === 'permanent') return new PermanentError(s.message, s.code, s.system, s.status);
  if (s.errorClass === 'retryable') return new RetryableError(s.message, s.code, s.system, s.status);
  const err = new Error(s.message) as Error & { code?: string };
  err.name = s.name;
  if (s.code) err.code = s.code;
  return err;
}

/**
 * How a thread is started: the compiled worker (dist/…/cpu-worker.js), or, when the sources run as
 * TypeScript (tests, `npm run chaos`), the .ts worker through the same swc hook the tests use.
 */
function workerScript(): { code: string } {
  const ext = path.extname(__filename);
  const entry = path.join(__dirname, `cpu-worker${ext}`);
  if (ext !== '.ts') return { code: `require(${JSON.stringify(entry)});` };
  const register = path.join(projectRoot(), 'test', 'support', 'ts-register.js');
  if (!existsSync(register)) throw new Error(`running TypeScript sources needs ${register}`);
  return { code: `require(${JSON.stringify(register)}); require(${JSON.stringify(entry)});` };
}

export class CpuPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly opts: CpuPoolOptions) {
    if (!Number.isInteger(opts.threads) || opts.threads < 1) throw new RangeError('threads must be a positive integer');
  }

  /** Runs the task `name` of the tasks module on a thread, within the budget. */
  run<T>(name: string, input: unknown, opts: CpuTaskOptions): Promise<T> {
    if (this.closed) return Promise.reject(closedError(opts.system));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, name, input, opts, resolve: resolve as (v: unknown) => void, reject });
      this.pump();
    });
  }

  /** Threads running, busy, and tasks waiting: for tests and metrics. */
  stats(): { threads: number; busy: number; queued: number } {
    return { threads: this.slots.length, busy: this.slots.filter((s) => s.task).length, queued: this.queue.length };
  }

  /** Ends every thread; tasks still waiting or running fail as retryable (another process takes the job). */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.queue.splice(0)) t.reject(closedError(t.opts.system));
    await Promise.all([...this.slots].map((s) => this.retire(s, closedError(s.task?.opts.system))));
  }

  private pump(): void {
    if (this.closed) return;
    for (let slot = this.idle(); slot && this.queue.length; slot = this.idle()) this.start(slot, this.queue.shift()!);
    // Threads start on demand, up to the limit: one per waiting task that no starting thread will take.
    let starting = this.slots.filter((s) => !s.ready).length;
    while (this.slots.length < this.opts.threads && starting < this.queue.length) {
      this.spawn();
      starting++;
    }
  }

  private idle(): Slot | undefined {
    return this.slots.find((s) => s.ready && !s.task);
  }

  private spawn(): void {
    const { code } = workerScript();
    const worker = new Worker(code, {
      eval: true,
      workerData: { tasksModule: this.opts.tasksModule },
      resourceLimits: { maxOldGenerationSizeMb: this.opts.maxHeapMb ?? 512 },
    });
    const slot: Slot = { worker, ready: false };
    slot.startTimer = setTimeout(
      () =>
        void this.retire(slot, new RetryableError(`the worker thread did not start within ${START_TIMEOUT_MS} ms`, 'CPU_WORKER_FAILED')),
      START_TIMEOUT_MS,
    );
    slot.startTimer.unref();
    this.slots.push(slot);
    worker.on('message', (m: { type: 'ready' } | { type: 'done'; id: number; ok: boolean; value?: unknown; error?: SerializedError }) => {
      if (m.type === 'ready') {
        clearTimeout(slot.startTimer);
        slot.ready = true;
        worker.unref();
        this.pump();
        return;
      }
      const task = slot.task;
      if (!task || task.id !== m.id) return;
      this.finish(slot);
      if (m.ok) task.resolve(m.value);
      else task.reject(deserializeError(m.error!));
      this.pump();
    });
    worker.on('error', (err: Error & { code?: string }) => {
      // A thread that died: out of memory is the input's doing; anything else may pass.
      const task = slot.task;
      const system = task?.opts.system;
      const failure =
        err.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new PermanentError(
              `the task ran out of memory in its worker thread (limit ${this.opts.maxHeapMb ?? 512} MB)`,
              'CPU_TASK_OUT_OF_MEMORY',
              system,
            )
          : new RetryableError(`the worker thread failed: ${String(err.message).slice(0, 200)}`, 'CPU_WORKER_FAILED', system);
      void this.retire(slot, failure);
    });
    worker.on('exit', () => {
      // Ended by itself (or by retire): whatever it held fails, and a new thread serves the queue.
      void this.retire(slot, new RetryableError('the worker thread ended', 'CPU_WORKER_FAILED', slot.task?.opts.system));
    });
  }

  private start(slot: Slot, task: Task): void {
    slot.task = task;
    slot.worker.ref();
    slot.timer = setTimeout(() => void this.retire(slot, task.opts.timeoutError()), task.opts.budgetMs);
    try {
      slot.worker.postMessage({ id: task.id, name: task.name, input: task.input });
    } catch (err) {
      // Input that cannot be cloned (a function, say): the caller's mistake, never worth a retry.
      this.finish(slot);
      task.reject(
        new PermanentError(
          `task input cannot be sent to a worker thread: ${(err as Error).message}`,
          'CPU_TASK_BAD_INPUT',
          task.opts.system,
        ),
      );
      this.pump();
    }
  }

  private finish(slot: Slot): void {
    clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.task = undefined;
    slot.worker.unref();
  }

  /** Takes the thread out of the pool and ends it; its task (if any) fails with `failure`. */
  private async retire(slot: Slot, failure: Error): Promise<void> {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.slots.splice(i, 1);
    clearTimeout(slot.startTimer);
    const task = slot.task;
    this.finish(slot);
    task?.reject(failure);
    // A thread that died before it was ready (its code does not load) would die again: the waiting
    // tasks fail now instead of starting thread after thread.
    if (!slot.ready && !this.closed) {
      for (const t of this.queue.splice(0))
        t.reject(new RetryableError(`no worker thread could start: ${failure.message}`, 'CPU_WORKER_FAILED', t.opts.system));
    }
    const ended = slot.worker.terminate().catch(() => undefined);
    this.pump();
    await ended;
  }
}

function closedError(system?: string): RetryableError {
  return new RetryableError('the service is shutting down; the work is taken up again later', 'CPU_POOL_CLOSED', system);
}
