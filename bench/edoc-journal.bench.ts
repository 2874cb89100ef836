/**
 * Journaling throughput against the eDoc sandbox over real HTTP with a real (embedded) Redis ledger,
 * with and without "commit then time out" faults. Rerunnable: `npm run bench:edoc` (optional args:
 * documents per scenario, worker concurrency). Prints one JSON line per scenario.
 */
import Redis from 'ioredis';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EdocClient } from '../adapters/edoc/edoc.client';
import { EdocCodeLists } from '../adapters/edoc/edoc.code-lists';
import { startEdocSandbox } from '../adapters/edoc/sandbox/edoc.sandbox';
import { loadSeed } from '../adapters/shared/sandbox-seed';
import { AuditService } from '../src/audit/audit.service';
import { RetryableError } from '../src/common/errors';
import { loadConfig } from '../src/config/load-config';
import { startEmbeddedRedis } from '../src/infra/embedded-redis';
import { Ledger } from '../src/ledger/ledger';
import { DocumentJournal } from '../src/workflows/journal-document/journal-document.service';

interface Scenario {
  name: string;
  commitTimeoutRate: number;
  errorRate: number;
  timeoutMs: number;
}

const SCENARIOS: Scenario[] = [
  { name: 'no faults', commitTimeoutRate: 0, errorRate: 0, timeoutMs: 250 },
  { name: 'commit-then-timeout 20%', commitTimeoutRate: 0.2, errorRate: 0, timeoutMs: 250 },
  { name: 'commit-then-timeout 50% + soap faults 10%', commitTimeoutRate: 0.5, errorRate: 0.1, timeoutMs: 250 },
];

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function main(): Promise<void> {
  const documents = Number(process.argv[2] ?? 200);
  const concurrency = Number(process.argv[3] ?? 4);
  const redisServer = await startEmbeddedRedis({ dataDir: mkdtempSync(path.join(os.tmpdir(), 'bench-redis-')) });
  const redis = new Redis(redisServer.url);
  const seed = loadSeed();
  const codes = EdocCodeLists.load();
  const caseNumber = seed.citizens.find((c) => c.edocCase)!.edocCase!;
  const pdf = (i: number) => Buffer.concat([Buffer.from(`%PDF-1.7\n${i}\n`), Buffer.alloc(20_000, 0x20)]); // ~20 kB, like a note

  try {
    for (const [n, s] of SCENARIOS.entries()) {
      const sandbox = await startEdocSandbox({ seed, codes, cprField: 'edoc:PartyIdentifier', randomSeed: 42, faults: s });
      const config = loadConfig({
        QUEUE_PREFIX: `bench${n}x${Date.now().toString(36)}`,
        EDOC_URL: sandbox.url,
        EDOC_AUTH: 'basic',
        EDOC_USER: sandbox.user,
        EDOC_PASSWORD: sandbox.password,
        EDOC_TIMEOUT_MS: String(s.timeoutMs),
        EDOC_CONCURRENCY: String(concurrency),
        EDOC_BREAKER_RESET_MS: '100',
      });
      const client = new EdocClient(config, codes);
      const journal = new DocumentJournal(
        client,
        new Ledger(redis, config.QUEUE_PREFIX),
        new AuditService(redis, mkdtempSync(path.join(os.tmpdir(), 'bench-audit-')), config.QUEUE_PREFIX),
        redis,
        config,
      );

      const latencies: number[] = [];
      let attempts = 0;
      let next = 0;
      const started = Date.now();
      const worker = async () => {
        for (let i = next++; i < documents; i = next++) {
          const t0 = Date.now();
          for (;;) {
            attempts++;
            try {
              await journal.journal({
                sourceId: `B${i}`,
                kind: 'note',
                caseSequenceNumber: caseNumber,
                title: 'Benchmark',
                documentType: 'Notat',
                date: '2026-12-03',
                pdf: pdf(i),
              });
              break;
            } catch (err) {
              if (!(err instanceof RetryableError)) throw err;
              await new Promise((r) => setTimeout(r, 10));
            }
          }
          latencies.push(Date.now() - t0);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      const seconds = (Date.now() - started) / 1000;
      const stats = sandbox.store.stats();
      latencies.sort((a, b) => a - b);
      console.log(
        JSON.stringify({
          scenario: s.name,
          documents,
          concurrency,
          seconds: Number(seconds.toFixed(2)),
          docsPerSecond: Number((documents / seconds).toFixed(1)),
          attemptsPerDocument: Number((attempts / documents).toFixed(2)),
          p50ms: percentile(latencies, 50),
          p95ms: percentile(latencies, 95),
          stored: stats.documents,
          duplicates: stats.duplicates,
          faults: stats.faults,
          calls: stats.calls,
        }),
      );
      client.shutdown();
      await sandbox.stop();
    }
  } finally {
    await redis.quit();
    await redisServer.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
