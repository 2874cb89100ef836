/**
 * `npm run bench:profile`: the no-latency pipeline run with a V8 CPU profile of the worker process,
 * then where its time went: job stages (the slowest first), CPU by code location (our folders,
 * each dependency, node internals) and the hottest functions. The .cpuprofile file is kept for
 * Chrome DevTools / speedscope. BENCH_NOTES (default 1,000) sets the batch size.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedRedis } from '../src/infra/embedded-redis';
import { shippedFile } from '../src/infra/project-root';
import { runPipelineScenario } from './pipeline/pipeline.bench';
import { newestProfile, summariseProfile } from './support/cpu-profile';
import { progress } from './support/progress';
import { table } from './support/table';

async function main(): Promise<void> {
  const notes = Number(process.env.BENCH_NOTES ?? 1000);
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'tsm-bench-profile-'));
  const profileDir = shippedFile('bench', 'profiles');
  mkdirSync(profileDir, { recursive: true });
  const redis = await startEmbeddedRedis({ dataDir: path.join(workDir, 'redis') });
  try {
    progress(`profiling the worker over ${notes} locked notes (no latency)`);
    const r = await runPipelineScenario({ name: 'profile', notes, nexusLatencyMs: 0, edocLatencyMs: 0 }, redis.url, workDir, {
      profileDir,
    });
    const summary = summariseProfile(newestProfile(profileDir), shippedFile(), 20);
    const out = [
      `pipeline ${r.pipeline.notesPerSecond} notes/s, bare ${r.bare.notesPerSecond} notes/s, ratio ${r.ratio}; bare walk ${r.bare.walkSeconds} s`,
      '',
      table([
        ['stage (job)', 'jobs', 'mean ms', 'job-seconds'],
        ...Object.entries(r.stages)
          .map(([job, s]) => [job, s.jobs, s.meanMs, Math.round((s.jobs * s.meanMs) / 100) / 10] as [string, number, number, number])
          .sort((a, b) => b[3] - a[3]),
      ]),
      '',
      `worker CPU profile: ${summary.file} (${summary.seconds} s sampled)`,
      table([['where (self time)', 'self %', 'on stack %'], ...summary.groups.map((g) => [g.name, g.selfPercent, g.totalPercent])]),
      '',
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
