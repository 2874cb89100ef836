import { ChildProcess, fork } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Role } from '../../src/app.module';
import { TEST_NOW } from './test-clock';

export interface ServiceProcessOptions {
  /** Default 'worker'. */
  role?: Role;
  /** The child's configuration: it sees only these variables plus PATH, HOME and NODE_ENV=test. */
  env: Record<string, string>;
  /** Start simulators in the child for systems the env leaves unconfigured (default false: crash
   *  tests run the sandboxes in the test process so their state outlives the child). */
  sandboxes?: boolean;
  readyTimeoutMs?: number;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const running = new Set<ChildProcess>();
process.once('exit', () => running.forEach((c) => c.kill('SIGKILL')));

/**
 * tsm-bridge as a separate OS process (TypeScript loaded through swc, no build step), for tests
 * that must kill it: SIGTERM for a graceful shutdown, SIGKILL for a crash, then restart() a fresh
 * one on the same Redis and queue prefix to see what the next process makes of the leftovers.
 */
export class ServiceProcess {
  private log = '';
  readonly exited: Promise<ExitInfo>;
  private exitInfo?: ExitInfo;
  /** The api's base URL when the role listens. */
  baseUrl?: string;

  private constructor(
    private readonly child: ChildProcess,
    private readonly opts: ServiceProcessOptions,
  ) {
    running.add(child);
    const keep = (d: Buffer) => {
      this.log = (this.log + d.toString()).slice(-64_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        running.delete(child);
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      }),
    );
  }

  static async start(opts: ServiceProcessOptions): Promise<ServiceProcess> {
    const child = fork(path.join(__dirname, 'service-main.ts'), [opts.role ?? 'worker', String(opts.sandboxes ?? false)], {
      execArgv: ['-r', path.join(__dirname, 'ts-register.js')],
      cwd: path.join(__dirname, '..', '..'),
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'test', TSM_NOW: TEST_NOW, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const proc = new ServiceProcess(child, opts);
    await proc.ready(opts.readyTimeoutMs ?? 30_000);
    return proc;
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return !this.exitInfo;
  }

  /** The child's stdout and stderr (last 64 kB): JSON log lines, for assertions and failure messages. */
  output(): string {
    return this.log;
  }

  /** SIGTERM: the service drains for SHUTDOWN_GRACE_MS and exits. Resolves with how it exited. */
  async stop(timeoutMs = 30_000): Promise<ExitInfo> {
    return this.signalAndWait('SIGTERM', timeoutMs);
  }

  /** SIGKILL: a crash or the OOM killer; no shutdown code runs. */
  async kill(): Promise<ExitInfo> {
    return this.signalAndWait('SIGKILL', 10_000);
  }

  /** A new process with the same options, after this one has gone (killed if it still runs). */
  async restart(): Promise<ServiceProcess> {
    if (this.running) await this.kill();
    return ServiceProcess.start(this.opts);
  }

  private async signalAndWait(signal: NodeJS.Signals, timeoutMs: number): Promise<ExitInfo> {
    if (this.exitInfo) return this.exitInfo;
    this.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`service process ${this.pid} still running ${timeoutMs} ms after ${signal}\n${this.log}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async ready(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`service process not ready within ${timeoutMs} ms\n${this.log}`)), timeoutMs);
        this.child.once('message', (m: { ready?: boolean; baseUrl?: string }) => {
          this.baseUrl = m.baseUrl;
          resolve();
        });
        void this.exited.then((e) => reject(new Error(`service process exited (${e.code ?? e.signal}) before it was ready\n${this.log}`)));
      });
    } catch (err) {
      this.child.kill('SIGKILL');
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Kills every service process still running (an afterAll safety net when a test failed midway). */
export async function killServiceProcesses(): Promise<void> {
  await Promise.all(
    [...running].map(
      (c) =>
        new Promise<void>((resolve) => {
          c.once('exit', () => resolve());
          c.kill('SIGKILL');
        }),
    ),
  );
}

let counter = 0;

/** Env for a child on the run's shared Redis with its own queue prefix and data dir; pass the same
 *  object to testConfig/startTestService to reach the child's queues from the test process. */
export function serviceProcessEnv(env: Record<string, string> = {}): Record<string, string> {
  return {
    REDIS_URL: process.env.TEST_REDIS_URL ?? '',
    QUEUE_PREFIX: `p${process.pid}x${Date.now().toString(36)}x${counter++}`,
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'tsm-proc-data-')),
    ADMIN_PASSWORD: 'test-admin-password',
    LOG_LEVEL: 'info',
    WATCH_INTERVAL_MS: '0',
    ...env,
  };
}
