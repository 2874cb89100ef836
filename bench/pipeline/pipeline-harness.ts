import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { NexusSandboxControl } from '../../adapters/nexus/sandbox/nexus-sandbox.control';
import type { Seed } from '../../schemas/sandbox-seed.schema';
import { mapWithConcurrency } from '../../src/common/concurrency';
import type { AppConfig } from '../../src/config/config.schema';
import { loadConfig } from '../../src/config/load-config';
import type { FollowUpLabels } from '../../src/domain/after-meeting.rules';
import { RunningSandboxes, startSandboxes } from '../../src/infra/sandboxes';
import { AfterMeetingStore } from '../../src/workflows/after-meeting/after-meeting.store';
import { benchConclusion, benchSeed, writeDistricts, writeGpDirectory, writeSeed } from '../support/bench-seed';
import { BenchChild } from '../support/child';
import { diffCalls, percentile, round, sum } from '../support/stats';

export interface HarnessOptions {
  name: string;
  citizens: number;
  nexusLatencyMs: number;
  edocLatencyMs: number;
  redisUrl: string;
  workDir: string;
}

/** HTTP calls (and files) each system saw during one run, per endpoint / operation. */
export interface SystemCalls {
  nexus: Record<string, number>;
  edoc: Record<string, number>;
  /** Messages the VANS sandbox picked up from the out-folder (MedCom is a file drop, not HTTP). */
  vansMessages: number;
}

export interface RunResult {
  notes: number;
  seconds: number;
  notesPerSecond: number;
  /** Lock-to-done: from the moment the watch may see the locked notes to the note's last step. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  calls: SystemCalls;
  /** Bare only: how long its walk of the citizen list took (the pipeline's is inside the watch job). */
  walkSeconds?: number;
  /** CPU time (user + system) the worker or the bare process spent per note over the run. */
  cpuMsPerNote: number;
}

interface NoteRef {
  noteId: number;
  noteVersion: number;
}

/**
 * One benchmark district: a seed of `citizens` citizens with one meeting note each, the three
 * simulators (Nexus, eDoc, VANS) running in this process with the scenario's latency, and the
 * environment a worker or bare child needs to reach them and the shared Redis.
 */
export class PipelineHarness {
  readonly env: NodeJS.ProcessEnv;
  readonly config: AppConfig;
  readonly labels: FollowUpLabels;
  readonly noteIds: number[];
  private readonly nexus: NexusSandboxControl;
  private readonly redis: Redis;
  private readonly store: AfterMeetingStore;
  private readonly edocUrl: string;
  private readonly vansUrl: string;

  private constructor(
    private readonly sandboxes: RunningSandboxes,
    baseEnv: NodeJS.ProcessEnv,
    seed: Seed,
    redisUrl: string,
  ) {
    const c = sandboxes.config;
    this.config = c;
    this.env = {
      ...baseEnv,
      NEXUS_BASE_URL: c.NEXUS_BASE_URL,
      NEXUS_TOKEN_URL: c.NEXUS_TOKEN_URL,
      NEXUS_CLIENT_ID: c.NEXUS_CLIENT_ID,
      NEXUS_CLIENT_SECRET: c.NEXUS_CLIENT_SECRET,
      EDOC_URL: c.EDOC_URL,
      EDOC_AUTH: c.EDOC_AUTH,
      EDOC_USER: c.EDOC_USER,
      EDOC_PASSWORD: c.EDOC_PASSWORD,
      MEDCOM_OUT_DIR: c.MEDCOM_OUT_DIR,
      MEDCOM_IN_DIR: c.MEDCOM_IN_DIR,
      MEDCOM_VANS_SANDBOX: String(c.MEDCOM_VANS_SANDBOX),
    };
    this.labels = {
      sendToGp: c.NEXUS_ITEM_SEND_TO_GP,
      homeCareTask: c.NEXUS_ITEM_HOMECARE_TASK,
      attachOrganisations: c.NEXUS_ITEM_ATTACH_ORGANISATIONS,
      revisitation: c.NEXUS_ITEM_REVISITATION,
    };
    this.noteIds = seed.citizens.flatMap((ci) => ci.notes.map((n) => n.id));
    this.nexus = new NexusSandboxControl(c.SANDBOX_NEXUS_URL!);
    this.edocUrl = new URL(c.EDOC_URL!).origin;
    this.vansUrl = `http://${c.SANDBOX_HOST}:${c.SANDBOX_VANS_PORT}`;
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    this.store = new AfterMeetingStore(this.redis, c.QUEUE_PREFIX);
  }

  static async start(o: HarnessOptions): Promise<PipelineHarness> {
    const dataDir = path.join(o.workDir, o.name);
    const probe = loadConfig({});
    const seed = benchSeed(o.citizens, { formTitle: probe.NEXUS_FORM_TITLE, tag: probe.NEXUS_TAG });
    const baseEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'development',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
      DATA_DIR: dataDir,
      QUEUE_PREFIX: `bench-${o.name}-${randomBytes(3).toString('hex')}`,
      REDIS_URL: o.redisUrl,
      SANDBOX_SEED: writeSeed(o.workDir, `${o.name}-seed`, seed),
      DISTRICTS_FILE: writeDistricts(o.workDir, `${o.name}-districts`),
      GP_DIRECTORY_FILE: writeGpDirectory(o.workDir, `${o.name}-gp-directory`, seed),
      SANDBOX_NEXUS_LATENCY_MS: String(o.nexusLatencyMs),
      SANDBOX_EDOC_LATENCY_MS: String(o.edocLatencyMs),
      // Receipts are held back past the run: receipt handling is not part of lock-to-done, and the bare script has none.
      SANDBOX_VANS_DELAY_MS: '3600000',
      MEDCOM_RECEIPT_TIMEOUT_MS: String(4 * 3_600_000),
      MEDCOM_INBOX_POLL_MS: '60000',
      // The watch runs when the bench asks, once per batch, instead of on a schedule.
      WATCH_INTERVAL_MS: '0',
    };
    const sandboxes = await startSandboxes(loadConfig(baseEnv));
    return new PipelineHarness(sandboxes, baseEnv, seed, o.redisUrl);
  }

  /** Puts every simulator back to its seed state and zero counters. */
  async reset(): Promise<void> {
    await this.nexus.reset();
    await post(`${this.edocUrl}/_sandbox/reset`);
    await post(`${this.vansUrl}/_sandbox/reset`);
  }

  /** "Holds the meeting" for the given notes; with `reopen`, each locked note is reopened and concluded again (a correction). */
  async lock(noteIds: readonly number[], opts: { reopen: boolean; mix: 'full' | 'filing' }): Promise<NoteRef[]> {
    return mapWithConcurrency(noteIds, 16, async (id, i) => {
      if (opts.reopen) await post(`${this.config.SANDBOX_NEXUS_URL}/_sandbox/notes/${id}/reopen`);
      const { version } = await this.nexus.conclude(id, benchConclusion(i, opts.mix, this.labels));
      return { noteId: id, noteVersion: version };
    });
  }

  async calls(): Promise<SystemCalls> {
    const [nexus, edoc, vans] = await Promise.all([
      this.nexus.stats(),
      get<{ calls: Record<string, number> }>(`${this.edocUrl}/_sandbox/stats`),
      get<{ messagesReceived: number }>(`${this.vansUrl}/_sandbox/stats`),
    ]);
    return { nexus: nexus.calls, edoc: diffCalls(edoc.calls), vansMessages: vans.messagesReceived };
  }

  /** Waits until the VANS sandbox has picked up `messages` letter files (the out-folder is scanned asynchronously). */
  async vansPickedUp(messages: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await this.calls()).vansMessages < messages) {
      if (Date.now() > deadline) throw new Error(`the VANS sandbox picked up fewer than ${messages} letters`);
      await sleep(100);
    }
  }

  async startWorker(opts: { execArgv?: string[] } = {}): Promise<BenchChild> {
    const { child } = await BenchChild.start(path.join(__dirname, 'pipeline.worker.js'), this.env, { execArgv: opts.execArgv });
    return child;
  }

  /**
   * The pipeline: one 'notes.watch' pass reads the agenda's notes (one GET each) and starts the flows of the locked ones; done = each
   * flow's parent completed (every step succeeded). Times come from the worker's own records.
   */
  async runPipeline(
    worker: BenchChild,
    refs: NoteRef[],
    batch: string,
    onProgress?: (done: number) => void,
    /** Write the worker main thread's CPU profile over the timed run to this file. */
    profileFile?: string,
  ): Promise<RunResult> {
    // The agenda's hand-over, as its collect makes it before the meeting: the notes and their self links (not timed, not counted).
    await worker.request('publish');
    const before = await this.calls();
    if (profileFile) await worker.request('profile-start');
    const cpuBefore = await worker.request<{ cpuMs: number }>('cpu');
    const t0 = Date.now();
    await worker.request('watch', { jobId: `bench-watch-${batch}` });
    const doneAt = await this.waitDone(worker, refs, onProgress);
    const cpuAfter = await worker.request<{ cpuMs: number }>('cpu');
    if (profileFile) await worker.request('profile-stop', { file: profileFile });
    const letters = (await this.calls()).vansMessages - before.vansMessages;
    await this.vansPickedUp(before.vansMessages + letters);
    const after = await this.calls();
    return this.result(
      t0,
      doneAt,
      {
        nexus: diffCalls(after.nexus, before.nexus),
        edoc: diffCalls(after.edoc, before.edoc),
        vansMessages: after.vansMessages - before.vansMessages,
      },
      cpuAfter.cpuMs - cpuBefore.cpuMs,
    );
  }

  /** The bare baseline in its own process, on freshly reset and re-locked simulators. */
  async runBare(expectedNotes: number, expectedLetters: number, profileFile?: string): Promise<RunResult> {
    // The bare script reads the Nexus simulator's stats after its (untimed) walk, so the walk's calls
    // are left out of the comparison as the pipeline's agenda hand-over is.
    const env = {
      ...this.env,
      BENCH_NEXUS_STATS_URL: `${this.config.SANDBOX_NEXUS_URL}/_sandbox/stats`,
      ...(profileFile ? { BENCH_PROFILE_FILE: profileFile } : {}),
    };
    const { first } = await BenchChild.start(path.join(__dirname, 'bare.worker.js'), env, { timeoutMs: 20 * 60_000 });
    const r = (
      first as {
        result: {
          t0: number;
          walkedAt: number;
          notes: number;
          doneAt: Array<[number, number]>;
          cpuMs: number;
          walkCalls: Record<string, number>;
        };
      }
    ).result;
    if (r.notes !== expectedNotes) throw new Error(`bare baseline found ${r.notes} locked notes, expected ${expectedNotes}`);
    await this.vansPickedUp(expectedLetters);
    const calls = await this.calls();
    const nexus = diffCalls(calls.nexus, r.walkCalls);
    return { ...this.result(r.t0, new Map(r.doneAt), { ...calls, nexus }, r.cpuMs), walkSeconds: round((r.walkedAt - r.t0) / 1000, 2) };
  }

  async stop(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
    await this.sandboxes.stop();
  }

  private async waitDone(worker: BenchChild, refs: NoteRef[], onProgress?: (done: number) => void): Promise<Map<number, number>> {
    const doneAt = new Map<number, number>();
    let pending = refs;
    let lastCheck = Date.now();
    const deadline = Date.now() + Number(process.env.BENCH_RUN_TIMEOUT_MS ?? 15 * 60_000);
    while (pending.length) {
      // The done time is the worker's own doneAt, so polling less often loses no precision; each poll
      // reads every pending note's doneAt (one pipelined round trip), in this process, which also runs
      // the simulators both sides share.
      await sleep(1000);
      const done = await this.store.doneAtMany(pending);
      pending = pending.filter((r, i) => {
        const at = done[i];
        if (at) doneAt.set(r.noteId, Date.parse(at));
        return !at;
      });
      onProgress?.(doneAt.size);
      if (Date.now() - lastCheck > 2_000) {
        lastCheck = Date.now();
        const { dead } = await worker.request<{ dead: Array<{ id: string; reason: string }> }>('dead');
        if (dead.length) throw new Error(`the pipeline dead-lettered jobs: ${dead.map((d) => `${d.id}: ${d.reason}`).join('; ')}`);
      }
      if (Date.now() > deadline) throw new Error(`timed out: ${pending.length} of ${refs.length} notes not done`);
    }
    return doneAt;
  }

  private result(t0: number, doneAt: Map<number, number>, calls: SystemCalls, cpuMs: number): RunResult {
    const latencies = [...doneAt.values()].map((t) => t - t0).sort((a, b) => a - b);
    const seconds = (latencies[latencies.length - 1] ?? 0) / 1000;
    return {
      notes: doneAt.size,
      seconds: round(seconds, 2),
      notesPerSecond: round(doneAt.size / seconds, 1),
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: latencies[latencies.length - 1] ?? 0,
      calls: { ...calls, nexus: calls.nexus, edoc: calls.edoc },
      cpuMsPerNote: doneAt.size ? round(cpuMs / doneAt.size, 2) : 0,
    };
  }
}

export function totalCalls(c: SystemCalls): { nexus: number; edoc: number } {
  return { nexus: sum(Object.values(c.nexus)), edoc: sum(Object.values(c.edoc)) };
}

async function post(url: string): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  if (!res.ok) throw new Error(`POST ${new URL(url).pathname}: HTTP ${res.status}`);
  return res.json();
}

async function get<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${new URL(url).pathname}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
