/**
 * `npm run bench`: where tsm-bridge stands, as ratios measured in one run (absolute times on shared
 * machines are noise). Stages: pipeline vs bare (no latency, realistic latency), queue overhead,
 * calls per note, scale (agenda, worker memory), MedCom messages. Progress goes to stderr, the
 * table to stdout, everything to bench/results.json. Sizes: see docs/benchmark.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedRedis } from '../src/infra/embedded-redis';
import { shippedFile } from '../src/infra/project-root';
import { runMessages } from './messages/messages.bench';
import { callsPerNote } from './pipeline/calls-per-note';
import { runPipelineRounds, runPipelineScenario } from './pipeline/pipeline.bench';
import { runQueueOverhead } from './queue/queue-overhead.bench';
import { runAgendaScale } from './scale/agenda-scale.bench';
import { measureWatchBudget } from './watch/watch-budget';
import { progress } from './support/progress';
import { renderResults } from './report';
import type { BenchResults } from './report';

const intEnv = (name: string, def: number) => {
  const v = process.env[name];
  if (v === undefined || v === '') return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(v)}`);
  return n;
};

export const SETTINGS = {
  notes: intEnv('BENCH_NOTES', 2000),
  rounds: intEnv('BENCH_ROUNDS', 3),
  latencyNotes: intEnv('BENCH_LATENCY_NOTES', 100),
  soakNotes: intEnv('BENCH_SOAK_NOTES', 10_000),
  queueJobs: intEnv('BENCH_QUEUE_JOBS', 5000),
  agendaCitizens: intEnv('BENCH_AGENDA_CITIZENS', 60),
  agendaCandidates: intEnv('BENCH_AGENDA_CANDIDATES', 10_000),
  letters: intEnv('BENCH_LETTERS', 500),
  nexusLatencyMs: intEnv('BENCH_NEXUS_LATENCY_MS', 50),
  edocLatencyMs: intEnv('BENCH_EDOC_LATENCY_MS', 100),
};

async function main(): Promise<void> {
  const started = Date.now();
  const load = [os.loadavg()[0]];
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'tsm-bench-'));
  const redis = await startEmbeddedRedis({ dataDir: path.join(workDir, 'redis') });
  const s = SETTINGS;
  try {
    progress(`pipeline vs bare, no latency: ${s.rounds} × ${s.notes} notes (then worker memory up to ${s.soakNotes} notes)`);
    const noLatency = await runPipelineRounds(
      { name: 'no-latency', notes: s.notes, nexusLatencyMs: 0, edocLatencyMs: 0 },
      s.rounds,
      redis.url,
      workDir,
      { soakNotes: s.soakNotes },
    );
    load.push(os.loadavg()[0]);
    progress(`pipeline vs bare, Nexus ${s.nexusLatencyMs} ms + eDoc ${s.edocLatencyMs} ms per call: ${s.latencyNotes} notes`);
    const latency = await runPipelineScenario(
      { name: 'latency', notes: s.latencyNotes, nexusLatencyMs: s.nexusLatencyMs, edocLatencyMs: s.edocLatencyMs },
      redis.url,
      workDir,
    );
    load.push(os.loadavg()[0]);
    progress(`queue overhead: ${s.queueJobs} no-op jobs per side`);
    const queue = await runQueueOverhead(redis.url, workDir, s.queueJobs);
    progress('watch call budget: 30, 300 and 3,000 citizens');
    const watch = [];
    for (const citizens of [undefined, 300, 3000])
      watch.push(await measureWatchBudget(citizens === undefined ? {} : { citizens, agendaNotes: 14 }, redis.url));
    load.push(os.loadavg()[0]);
    progress('agenda scale');
    const agenda = [];
    const meeting = { candidates: s.agendaCitizens, meetingCitizens: s.agendaCitizens };
    agenda.push(await runAgendaScale({ ...meeting, nexusLatencyMs: 0 }, workDir));
    agenda.push(await runAgendaScale({ ...meeting, nexusLatencyMs: s.nexusLatencyMs }, workDir));
    agenda.push(await runAgendaScale({ candidates: s.agendaCandidates, meetingCitizens: s.agendaCitizens, nexusLatencyMs: 0 }, workDir));
    load.push(os.loadavg()[0]);
    progress(`messages: ${s.letters} letters per measurement`);
    const messages = await runMessages(s.letters);
    load.push(os.loadavg()[0]);

    const results: BenchResults = {
      meta: {
        at: new Date(started).toISOString(),
        seconds: Math.round((Date.now() - started) / 1000),
        node: process.version,
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        loadAverage1m: load.map((l) => Math.round(l * 10) / 10),
        commit: gitCommit(),
        settings: s,
      },
      pipeline: [noLatency, latency],
      callsPerNote: callsPerNote(noLatency),
      queue,
      agenda,
      memory: noLatency.memory,
      messages,
      watch,
    };
    const file = shippedFile('bench', 'results.json');
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`${renderResults(results)}\n`);
    progress(`done in ${results.meta.seconds} s; results in ${path.relative(process.cwd(), file)}`);
  } finally {
    await redis.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return 'unknown';
  }
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
