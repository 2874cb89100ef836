import { ChildProcess, fork } from 'node:child_process';

/** A bench child process (worker or bare script) with request/answer messages over IPC. */
export class BenchChild {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private stderr = '';
  readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcess) {
    child.stderr?.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    child.on('message', (m: { id?: number; ok?: boolean; result?: unknown; error?: string }) => {
      const p = m.id === undefined ? undefined : this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id!);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(m.error));
    });
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    void this.exited.then((code) => {
      for (const p of this.pending.values()) p.reject(new Error(`child exited with ${code}: ${this.stderr}`));
      this.pending.clear();
    });
  }

  /** Starts the script and waits for its first message (`ready`, or the result of a one-shot script). */
  static async start(
    script: string,
    env: NodeJS.ProcessEnv,
    opts: { execArgv?: string[]; timeoutMs?: number } = {},
  ): Promise<{ child: BenchChild; first: unknown }> {
    const proc = fork(script, [], { env, execArgv: opts.execArgv ?? [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const child = new BenchChild(proc);
    const first = await new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${script}: no message within ${opts.timeoutMs ?? 60_000} ms: ${child.stderr}`)),
        opts.timeoutMs ?? 60_000,
      );
      proc.once('message', (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      void child.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`${script} exited with ${code}: ${child.stderr}`));
      });
    });
    return { child, first };
  }

  get pid(): number {
    return this.child.pid!;
  }

  async request<T>(cmd: string, extra: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, cmd, ...extra });
    });
  }

  get lastStderr(): string {
    return this.stderr;
  }
}
