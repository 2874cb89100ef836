import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { AuditService } from '../../../src/audit/audit.service';
import { TEST_NOW } from '../../support/test-clock';

/** The audit trail's day files: one descriptor kept open per day, appended per record, closed on rotation and shutdown. */
describe('AuditService day files', () => {
  const redis = new Redis(process.env.TEST_REDIS_URL!);
  const prefix = `audittest${randomUUID().slice(0, 8)}`;
  const NOW = new Date(TEST_NOW);
  let dir: string;
  const day = NOW.toISOString().slice(0, 10);
  const at = (offsetDays: number) => new Date(NOW.getTime() + offsetDays * 86_400_000).toISOString();
  const lines = (d: string) =>
    readFileSync(path.join(dir, `audit-${d}.jsonl`), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { action: string; noteId?: number });
  const openFiles = (a: AuditService) => (a as unknown as { dayFiles: Map<string, number> }).dayFiles;

  beforeEach(() => {
    dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'h20b-audit-')), 'audit');
  });
  afterEach(() => rmSync(path.dirname(dir), { recursive: true, force: true }));
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('has each line in the day file when record() returns, and keeps one descriptor for the day', async () => {
    const audit = new AuditService(redis, dir, prefix);
    try {
      await audit.record({ at: at(0), action: 'edoc.journal', system: 'edoc', outcome: 'ok', noteId: 1 });
      expect(lines(day)).toEqual([expect.objectContaining({ action: 'edoc.journal', noteId: 1 })]);
      const fd = openFiles(audit).get(day);
      await audit.recordOnce('k1', { at: at(0), action: 'medcom.send', system: 'medcom', outcome: 'ok', noteId: 2 });
      await audit.recordOnce('k1', { at: at(0), action: 'medcom.send', system: 'medcom', outcome: 'ok', noteId: 2 });
      expect(lines(day).map((l) => l.noteId)).toEqual([1, 2]);
      expect(openFiles(audit).get(day)).toBe(fd);
      expect(await audit.query({ noteId: 2 })).toHaveLength(1);
    } finally {
      audit.close();
    }
  });

  it('writes concurrent records as whole lines, also from two instances (processes) on one file', async () => {
    const a = new AuditService(redis, dir, prefix);
    const b = new AuditService(redis, dir, prefix);
    try {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          (i % 2 ? a : b).record({
            at: at(0),
            action: 'nexus.task',
            system: 'nexus',
            outcome: 'ok',
            noteId: 100 + i,
            reason: 'x'.repeat(i * 10),
          }),
        ),
      );
      expect(
        lines(day)
          .map((l) => l.noteId)
          .sort((x, y) => x! - y!),
      ).toEqual(Array.from({ length: 50 }, (_, i) => 100 + i));
    } finally {
      a.close();
      b.close();
    }
  });

  it('opens the next day file on rotation, closes the day before last, and reopens after close()', async () => {
    const audit = new AuditService(redis, dir, prefix);
    try {
      for (const d of [0, 1, 2]) await audit.record({ at: at(d), action: 'admin.retry', system: 'tsm-bridge', outcome: 'ok' });
      expect([...openFiles(audit).keys()].sort()).toEqual([at(1).slice(0, 10), at(2).slice(0, 10)]);
      // A late record of a closed day still lands in its own file.
      await audit.record({ at: at(0), action: 'dead-letter', system: 'tsm-bridge', outcome: 'failed' });
      expect(lines(day).map((l) => l.action)).toEqual(['admin.retry', 'dead-letter']);
      expect([...openFiles(audit).keys()].sort()).toEqual([day, at(2).slice(0, 10)]);
      audit.close();
      expect(openFiles(audit).size).toBe(0);
      await audit.record({ at: at(2), action: 'admin.retry', system: 'tsm-bridge', outcome: 'skipped' });
      expect(lines(at(2).slice(0, 10))).toHaveLength(2);
    } finally {
      audit.close();
    }
  });
});
