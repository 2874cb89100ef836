/**
 * `npm run bench:profile`: the no-latency pipeline vs bare comparison with a V8 CPU profile of each
 * side's main thread over its timed run, then where the time went: job stages (the slowest first),
 * the main threads side by side per note by code location (our folders, each dependency, node
 * internals, native work such as socket writes and GC), and the worker's hottest functions. The
 * .cpuprofile files are kept in bench/profiles/ for Chrome DevTools / speedscope. BENCH_NOTES
 * (default 1,000) sets the batch size.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedRedis } from '../src/infra/embedded-redis';
import { shippedFile } from '../src/infra/project-root';
import { runPipelineScenario } from './pipeline/pipeline.bench';
import { compareMainThreads, summariseProfile } from './support/cpu-profile';
import { progress } from './support/progress';
import { table } from './support/table';

async function main(): Promise<void> {
  const notes = Number(process.env.BENCH_NOTES ?? 1000);
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'tsm-bench-profile-'));
  const profileDir = shippedFile('bench', 'profiles');
  mkdirSync(profileDir, { recursive: true });
  const redis = await startEmbeddedRedis({ dataDir: path.join(workDir, 'redis') });
  try {
    progress(`profiling the worker and the bare script over ${notes} locked notes (no latency)`);
    const r = await runPipelineScenario({ name: 'profile', notes, nexusLatencyMs: 0, edocLatencyMs: 0 }, redis.url, workDir, {
      profileDir,
    });
    const pipelineFile = path.join(profileDir, 'pipeline.main.cpuprofile');
    const bareFile = path.join(profileDir, 'bare.main.cpuprofile');
    const main = compareMainThreads(pipelineFile, bareFile, notes, shippedFile());
    const summary = summariseProfile(pipelineFile, shippedFile(), 20);
    const out = [
      `pipeline ${r.pipeline.notesPerSecond} notes/s, bare ${r.bare.notesPerSecond} notes/s, ratio ${r.ratio}; ` +
        `process CPU per note ${r.pipeline.cpuMsPerNote} / ${r.bare.cpuMsPerNote} ms (ratio ${r.cpuRatio}); bare walk ${r.bare.walkSeconds} s`,
      `main thread busy per note: pipeline ${main.pipelineBusyMsPerNote} ms, bare ${main.bareBusyMsPerNote} ms ` +
        `(bare ÷ pipeline ${Math.round((main.bareBusyMsPerNote / main.pipelineBusyMsPerNote) * 100) / 100})`,
      '',
      table([
        ['stage (job)', 'jobs', 'mean ms', 'job-seconds'],
        ...Object.entries(r.stages)
          .map(([job, s]) => [job, s.jobs, s.meanMs, Math.round((s.jobs * s.meanMs) / 100) / 10] as [string, number, number, number])
          .sort((a, b) => b[3] - a[3]),
      ]),
      '',
      'main threads over the timed runs, busy ms per note by code location (largest pipeline − bare first)',
      table([
        ['where (self time)', 'pipeline', 'bare', 'difference'],
        ...main.groups.map((g) => [g.name, g.pipelineMs, g.bareMs, g.differenceMs]),
      ]),
      '',
      `worker main thread: ${summary.file} (${summary.seconds} s sampled)`,
      table([['function (self time)', 'self %', 'on stack %'], ...summary.functions.map((f) => [f.name, f.selfPercent, f.totalPercent])]),
    ];
    process.stdout.write(`${out.join('\n')}\n`);
  } finally {
    await redis.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`bench:profile failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
