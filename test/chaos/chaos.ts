import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ChaosOptions, ChaosResult, runChaos } from './chaos-run';

/**
 * `npm run chaos`: the full chaos run. Every knob has an environment variable; CHAOS_SEED replays a
 * run (kill moments, Redis restart, every simulator's fault draws). Prints the figures as a table,
 * writes them to bench/chaos-results.json (CHAOS_RESULTS) and exits 1 on any violation.
 */
const num = (name: string, def: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number ≥ 0 (got ${raw})`);
  return n;
};

export function chaosOptionsFromEnv(): ChaosOptions {
  return {
    seed: num('CHAOS_SEED', Math.floor(Math.random() * 2 ** 31)),
    notes: num('CHAOS_NOTES', 1000),
    districts: num('CHAOS_DISTRICTS', 2),
    kills: num('CHAOS_KILLS', 12),
    redisRestarts: num('CHAOS_REDIS_RESTARTS', 1),
    batches: num('CHAOS_BATCHES', 10),
    killAfterMs: [num('CHAOS_KILL_MIN_MS', 10000), num('CHAOS_KILL_MAX_MS', 40000)],
    faults: {
      nexusErrorRate: num('CHAOS_NEXUS_ERROR_RATE', 0.1),
      nexusTimeoutRate: num('CHAOS_NEXUS_TIMEOUT_RATE', 0.05),
      edocCommitTimeoutRate: num('CHAOS_EDOC_COMMIT_TIMEOUT_RATE', 0.05),
      vansDropRate: num('CHAOS_VANS_DROP_RATE', 0.1),
      vansDuplicateRate: num('CHAOS_VANS_DUPLICATE_RATE', 0.05),
    },
    timeoutMs: num('CHAOS_TIMEOUT_S', 3600) * 1000,
    // The CI-size spec runs with a 15 s receipt clock; this replays it outside jest.
    ...(process.env.CHAOS_RECEIPT_TIMEOUT_MS
      ? { workerEnv: { MEDCOM_RECEIPT_TIMEOUT_MS: String(num('CHAOS_RECEIPT_TIMEOUT_MS', 60000)) } }
      : {}),
    keepDir: process.env.CHAOS_KEEP === '1',
    ...(process.env.CHAOS_NEXUS_DIALECT ? { nexusDialect: process.env.CHAOS_NEXUS_DIALECT } : {}),
  };
}

/** The figures as a two-column table: what a person reads at the end of the run. */
export function formatChaosTable(r: ChaosResult): string {
  const f = r.figures;
  const hist = (h: Record<string, number>) =>
    Object.entries(h)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([k, n]) => `${k}: ${n}`)
      .join(', ') || '-';
  const rows: Array<[string, string]> = [
    ['seed (CHAOS_SEED)', String(r.options.seed)],
    ['notes concluded', String(f.notesConcluded)],
    ['notes done', String(f.notesDone)],
    ['notes dead-lettered', String(f.notesDeadLettered)],
    ['lost', String(f.lost)],
    ['eDoc documents per note', hist(f.edocDocumentsPerNote)],
    ['letters asked for', String(f.lettersExpected)],
    ['MedCom letter ids per note', hist(f.letterIdsPerNote)],
    ['resends', String(f.resends)],
    ['receipts dropped / duplicated by VANS', `${f.receiptsDropped} / ${f.receiptsDuplicated}`],
    ['Nexus tasks expected / created', `${f.tasksExpected} / ${f.tasksCreated}`],
    ['duplicate side effects', String(f.duplicates)],
    ['dead letters', String(f.deadLetters.length)],
    ['worker SIGKILLs', String(f.kills)],
    ['Redis restarts', String(f.redisRestarts)],
    [
      'faults',
      `Nexus ${pct(r.options.faults.nexusErrorRate)} 5xx + ${pct(r.options.faults.nexusTimeoutRate)} timeouts; eDoc ${pct(r.options.faults.edocCommitTimeoutRate)} commit-then-timeout; VANS ${pct(r.options.faults.vansDropRate)} dropped, ${pct(r.options.faults.vansDuplicateRate)} duplicated receipts`,
    ],
    ['elapsed', `${r.elapsedSeconds.toFixed(0)} s`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
  for (const d of f.deadLetters) lines.push(`  dead letter ${d.id} (${d.name}): ${d.reason}`);
  lines.push(f.violations.length ? `VIOLATIONS (${f.violations.length}):` : 'OK: nothing lost, nothing duplicated');
  for (const v of f.violations.slice(0, 50)) lines.push(`  - ${v}`);
  if (f.violations.length > 50) lines.push(`  … and ${f.violations.length - 50} more (see the JSON file)`);
  return lines.join('\n');
}

const pct = (rate: number) => `${Math.round(rate * 1000) / 10} %`;

async function main(): Promise<void> {
  // Ctrl-C: exit through 'exit' handlers, which kill the worker process and the embedded Redis.
  process.once('SIGINT', () => process.exit(130));
  const options = chaosOptionsFromEnv();
  process.stderr.write(`chaos run, seed ${options.seed} (replay with CHAOS_SEED=${options.seed})\n`);
  const result = await runChaos({ ...options, progress: (line) => process.stderr.write(`  … ${line}\n`) });
  process.stdout.write(`${formatChaosTable(result)}\n`);
  const out = path.resolve(process.env.CHAOS_RESULTS ?? path.join(__dirname, '..', '..', 'bench', 'chaos-results.json'));
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ finishedAt: new Date().toISOString(), ...result }, null, 2)}\n`);
  process.stdout.write(`figures written to ${out}\n`);
  process.exitCode = result.figures.violations.length ? 1 : 0;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`chaos run failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(2);
  });
}
