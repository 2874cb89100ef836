import path from 'node:path';
import { progress } from '../support/progress';
import { diffCalls, mb, round, sum } from '../support/stats';
import { PipelineHarness, RunResult, SystemCalls } from './pipeline-harness';

export interface PipelineScenario {
  name: string;
  notes: number;
  nexusLatencyMs: number;
  edocLatencyMs: number;
}

export interface MemorySample {
  /** Note versions the worker had finished when the sample was taken. */
  notes: number;
  rssMb: number;
  /** Heap in use right after a forced full GC: what the process really holds on to. */
  heapUsedMb: number;
}

export interface PipelineScenarioResult {
  scenario: PipelineScenario;
  pipeline: RunResult;
  bare: RunResult;
  /** Pipeline notes/s ÷ bare notes/s (target ≥ 0.8). */
  ratio: number;
  /**
   * Bare CPU per note ÷ the worker's CPU per note: the same comparison as CPU cost, which the
   * machine's other load disturbs far less than throughput (1 = no overhead).
   */
  cpuRatio: number;
  /** True when both runs made exactly the same calls per endpoint; otherwise the differences (pipeline − bare). */
  sameCalls: boolean;
  callDifferences: Record<string, number>;
  /** Jobs our queues ran per note (flow parent, steps, receipt timer), from the queues' counts. */
  jobsPerNote: number;
  /** Per job type in the pipeline run: jobs and mean processing time (the worker's own histogram). */
  stages: Record<string, { jobs: number; meanMs: number }>;
  /** Per system: calls and mean call time as the worker's HTTP client saw them (semaphore wait excluded). */
  callTimes: Record<string, { calls: number; meanMs: number }>;
  /** Worker memory over the pipeline run and the soak rounds that follow it (when asked for). */
  memory: MemorySample[];
  /**
   * Every round of the comparison when it was repeated (pipeline, then bare, then the next round):
   * the figures above are those of the median round (see runPipelineRounds).
   */
  rounds?: RoundFigures[];
}

export interface RoundFigures {
  ratio: number;
  cpuRatio: number;
  pipelineNotesPerSecond: number;
  bareNotesPerSecond: number;
}

type Totals = Record<string, { count: number; seconds: number }>;
type JobCounts = Record<string, Record<string, number>>;
type Memory = { rss: number; heapUsed: number };

export interface ScenarioOptions {
  /**
   * Keep the worker after the comparison and correct every note again (filing only) until it has
   * finished this many note versions: the memory soak.
   */
  soakNotes?: number;
  /**
   * Write V8 CPU profiles of the worker's and the bare script's main threads over their timed runs
   * into this directory (pipeline.main.cpuprofile, bare.main.cpuprofile).
   */
  profileDir?: string;
}

/**
 * Pipeline vs bare for one scenario: the same locked notes through the real after-meeting flow
 * (worker process, real queues on the shared Redis, real adapters, simulators over HTTP), then the
 * simulators are reset and locked again and the bare script makes the same calls. The worker stays
 * up, idle, while the bare script runs (receipts are held back, so it has nothing to do).
 */
export async function runPipelineScenario(
  s: PipelineScenario,
  redisUrl: string,
  workDir: string,
  opts: ScenarioOptions = {},
): Promise<PipelineScenarioResult> {
  const h = await PipelineHarness.start({
    name: s.name,
    citizens: s.notes,
    nexusLatencyMs: s.nexusLatencyMs,
    edocLatencyMs: s.edocLatencyMs,
    redisUrl,
    workDir,
  });
  try {
    const worker = await h.startWorker({ execArgv: ['--expose-gc'] });
    const profile = (side: 'pipeline' | 'bare') => (opts.profileDir ? path.join(opts.profileDir, `${side}.main.cpuprofile`) : undefined);
    const memory: MemorySample[] = [];
    const sample = async (notes: number) => {
      const m = await worker.request<Memory>('memory');
      memory.push({ notes, rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed) });
    };
    await h.reset();
    const refs = await h.lock(h.noteIds, { reopen: false, mix: 'full' });
    progress(`${s.name}: ${refs.length} notes locked; pipeline running`);
    const jobsBefore = await worker.request<{ counts: JobCounts }>('counts');
    let shown = 0;
    let early: Promise<void> | undefined;
    const pipeline = await h.runPipeline(
      worker,
      refs,
      `${s.name}-0`,
      (done) => {
        if (opts.soakNotes && !early && done >= 1000 && refs.length > 1000) early = sample(done);
        if (done - shown >= Math.max(100, s.notes / 5)) {
          shown = done;
          progress(`${s.name}: pipeline ${done}/${refs.length} done`);
        }
      },
      profile('pipeline'),
    );
    await early;
    const jobsAfter = await worker.request<{ counts: JobCounts }>('counts');
    const timings = await worker.request<{ jobs: Totals; calls: Totals }>('stages');
    if (opts.soakNotes) await sample(refs.length);
    progress(`${s.name}: pipeline ${pipeline.notesPerSecond} notes/s; bare baseline running`);

    await h.reset();
    await h.lock(h.noteIds, { reopen: false, mix: 'full' });
    const bare = await h.runBare(refs.length, pipeline.calls.vansMessages, profile('bare'));
    progress(`${s.name}: bare ${bare.notesPerSecond} notes/s`);

    let processed = refs.length;
    for (let r = 1; opts.soakNotes && processed < opts.soakNotes; r++) {
      const again = await h.lock(h.noteIds, { reopen: true, mix: 'filing' });
      await h.runPipeline(worker, again, `${s.name}-${r}`);
      processed += again.length;
      await sample(processed);
      progress(`${s.name}: soak ${processed}/${opts.soakNotes} notes, worker RSS ${memory[memory.length - 1].rssMb} MB`);
    }
    await worker.request('stop');
    await worker.exited;

    const differences = callDifferences(pipeline.calls, bare.calls);
    return {
      scenario: s,
      pipeline,
      bare,
      ratio: round(pipeline.notesPerSecond / bare.notesPerSecond, 2),
      cpuRatio: round(bare.cpuMsPerNote / pipeline.cpuMsPerNote, 2),
      sameCalls: Object.keys(differences).length === 0,
      callDifferences: differences,
      // Minus the one watch job; the inbox poll runs once a minute at most during a run.
      jobsPerNote: round((jobTotal(jobsAfter.counts) - jobTotal(jobsBefore.counts) - 1) / refs.length, 2),
      stages: means(timings.jobs, 'jobs'),
      callTimes: means(timings.calls, 'calls'),
      memory,
    };
  } finally {
    await h.stop();
  }
}

/**
 * The comparison repeated `rounds` times, each round a fresh district, worker and bare run, the
 * pipeline run right before its bare run. On this class of machine (2 shared vCPUs) the speed of
 * the machine drifts within minutes: the bare script alone measured 53 to 110 notes/s on one
 * afternoon. One pair is therefore a draw; the median of adjacent pairs is what the code costs.
 * The memory soak (when asked for) runs in the last round only.
 */
export async function runPipelineRounds(
  s: PipelineScenario,
  rounds: number,
  redisUrl: string,
  workDir: string,
  opts: ScenarioOptions = {},
): Promise<PipelineScenarioResult> {
  const results: PipelineScenarioResult[] = [];
  for (let r = 1; r <= rounds; r++) {
    const last = r === rounds;
    const name = rounds > 1 ? `${s.name}-r${r}` : s.name;
    const result = await runPipelineScenario({ ...s, name }, redisUrl, workDir, last ? opts : { ...opts, soakNotes: undefined });
    if (rounds > 1) progress(`${s.name}: round ${r}/${rounds} ratio ${result.ratio}, CPU ratio ${result.cpuRatio}`);
    results.push({ ...result, scenario: s });
  }
  return medianRound(results);
}

/**
 * The median round by notes/s ratio (for an even count, the lower of the two middle ones), with
 * every round's figures, the soak's memory samples and "same calls" only when every round made them.
 */
export function medianRound(results: PipelineScenarioResult[]): PipelineScenarioResult {
  if (!results.length) throw new Error('no rounds');
  if (results.length === 1) return results[0];
  const median = [...results].sort((a, b) => a.ratio - b.ratio)[Math.floor((results.length - 1) / 2)];
  const differing = results.find((r) => !r.sameCalls);
  return {
    ...median,
    sameCalls: !differing,
    callDifferences: differing?.callDifferences ?? {},
    memory: results.flatMap((r) => r.memory),
    rounds: results.map((r) => ({
      ratio: r.ratio,
      cpuRatio: r.cpuRatio,
      pipelineNotesPerSecond: r.pipeline.notesPerSecond,
      bareNotesPerSecond: r.bare.notesPerSecond,
    })),
  };
}

function callDifferences(p: SystemCalls, b: SystemCalls): Record<string, number> {
  const prefixed = (c: SystemCalls) => ({
    ...Object.fromEntries(Object.entries(c.nexus).map(([k, v]) => [`nexus ${k}`, v])),
    ...Object.fromEntries(Object.entries(c.edoc).map(([k, v]) => [`edoc ${k}`, v])),
    'vans messages': c.vansMessages,
  });
  return diffCalls(prefixed(p), prefixed(b));
}

function means<K extends string>(t: Totals, key: K): Record<string, Record<K | 'meanMs', number>> {
  return Object.fromEntries(
    Object.entries(t).map(([name, v]) => [
      name,
      { [key]: v.count, meanMs: round((v.seconds * 1000) / Math.max(1, v.count), 1) } as Record<K | 'meanMs', number>,
    ]),
  );
}

function jobTotal(counts: JobCounts): number {
  return sum(Object.values(counts).map((byState) => sum(Object.values(byState))));
}
