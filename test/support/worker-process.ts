import { ChildProcess, fork } from 'node:child_process';
import path from 'node:path';

export interface WorkerProcess {
  readonly pid: number;
  /** Kills at once, like a crashed machine or OOM killer: no shutdown hooks run. */
  kill(): Promise<void>;
  /** SIGTERM and wait for a clean exit. */
  stop(): Promise<number | null>;
}

/**
 * Runs `tsm-bridge` as a separate worker process (TypeScript loaded through swc, no build), so a test
 * can SIGKILL it mid-job and start another. The child gets only the env given here plus PATH/HOME.
 */
export async function startWorkerProcess(env: Record<string, string>, readyTimeoutMs = 20_000): Promise<WorkerProcess> {
  const child: ChildProcess = fork(path.join(__dirname, 'worker-main.ts'), [], {
    execArgv: ['-r', path.join(__dirname, 'swc-register.js')],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker not ready within ${readyTimeoutMs} ms: ${stderr}`)), readyTimeoutMs);
    child.once('message', () => {
      clearTimeout(timer);
      resolve();
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code} before it was ready: ${stderr}`));
    });
  });
  return {
    pid: child.pid!,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
