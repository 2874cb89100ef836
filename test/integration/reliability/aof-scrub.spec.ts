import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import pino from 'pino';
import { LetterStore } from '../../../src/workflows/medcom-letters/medcom-letters.store';
import type { JobContext } from '../../../queues/job-context';
import { MaintenanceProcessor } from '../../../queues/processors/maintenance.processor';
import type { QueueGateway } from '../../../queues/queue.gateway';
import { EmbeddedRedis, startEmbeddedRedis } from '../../../src/infra/embedded-redis';
import { practice } from '../../support/medcom-fixtures';
import { testConfig } from '../../support/test-service';

/**
 * L7 of issue 14: a letter body (CPR, names) deleted from Redis after its receipt stayed in the AOF
 * file on disk until Redis happened to rewrite it. The maintenance job rewrites the AOF after such
 * deletions; run directly here against a Redis of the test's own, whose AOF files the test reads.
 */
describe('deleted letter bodies leave the AOF on disk', () => {
  const CPR = '0703381412';
  const NAME = 'Prøvesen';
  let server: EmbeddedRedis;
  let redis: Redis;
  beforeAll(async () => {
    server = await startEmbeddedRedis({ dataDir: mkdtempSync(path.join(os.tmpdir(), 'tsm-aof-scrub-')) });
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  /** Every AOF file on disk, as text (Redis 7: appendonlydir/ with base, incr and manifest files). */
  const onDisk = () => {
    const dir = path.join(server.dataDir, 'appendonlydir');
    return readdirSync(dir)
      .map((f) => readFileSync(path.join(dir, f), 'latin1'))
      .join('\n');
  };
  const ctx = { log: pino({ level: 'silent' }) } as unknown as JobContext;

  it('after the receipt deletes the body, the maintenance job rewrites the CPR and name out of the AOF', async () => {
    const config = testConfig({ PERSONAL_DATA_SCRUB_MS: '60000' });
    const store = new LetterStore(redis, config.QUEUE_PREFIX);
    const maintenance = new MaintenanceProcessor(redis, config, {} as QueueGateway);
    const letterId = 'LSCRUB00000001';
    await store.create(
      {
        letterId,
        ledgerKey: `medcom:note:1:v2:gp:${practice.ydernummer}`,
        noteId: 1,
        noteVersion: 2,
        kind: 'meeting-note',
        format: 'xdis91',
        receiverYdernummer: practice.ydernummer,
        receiverEan: practice.ean,
        converted: false,
        authorisedAt: '2026-12-03T09:00:00.000Z',
      },
      { patient: { cpr: CPR, givenName: 'Anna', surname: NAME }, receiver: practice, subject: 'Emne', text: 'Tekst' },
    );
    expect(await maintenance.scrubAof({}, ctx)).toEqual({ rewritten: false, reason: 'nothing-deleted' });
    expect(onDisk()).toContain(CPR); // the write itself is on disk: what the scrub must remove later

    expect(await store.transition(letterId, ['sent'], 'acknowledged')).toBe('moved');
    expect(await store.body(letterId)).toBeNull();
    expect(onDisk()).toContain(CPR); // deleted in Redis, still in the file: the finding

    expect(await maintenance.scrubAof({}, ctx)).toEqual({ rewritten: true, deletions: 1 });
    const disk = onDisk();
    expect(disk).not.toContain(CPR);
    expect(Buffer.from(disk, 'latin1').toString('utf8')).not.toContain(NAME);
    expect((await store.get(letterId))?.state).toBe('acknowledged'); // the rest of the letter is kept
    expect(await maintenance.scrubAof({}, ctx)).toEqual({ rewritten: false, reason: 'nothing-deleted' });
  });

  it('rate-limited: a second deletion within the period waits for the next period', async () => {
    const config = testConfig({ PERSONAL_DATA_SCRUB_MS: '60000' });
    const maintenance = new MaintenanceProcessor(redis, config, {} as QueueGateway);
    const key = `${config.QUEUE_PREFIX}:maintenance:personal-data-deleted`;
    await redis.incr(key);
    expect(await maintenance.scrubAof({}, ctx)).toEqual({ rewritten: true, deletions: 1 });
    await redis.incr(key);
    expect(await maintenance.scrubAof({}, ctx)).toEqual({ rewritten: false, reason: 'rate-limited' });
    expect(await redis.get(key)).toBe('1'); // kept for the next period's run
  });
});
