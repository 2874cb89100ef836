import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Redis } from 'ioredis';

/** One audit record: ids and outcomes only, never personal data or text. */
export interface AuditRecord {
  at: string;
  /** e.g. edoc.journal, medcom.send, medcom.receipt, nexus.task, nexus.time, admin.retry, dead-letter */
  action: string;
  system: 'nexus' | 'edoc' | 'medcom' | 'notify' | 'tsm-bridge';
  outcome: 'ok' | 'failed' | 'skipped' | 'reused';
  noteId?: number;
  requestId?: string;
  meetingId?: string;
  externalIds?: Record<string, string>;
  ledgerKey?: string;
  actor?: string;
  reason?: string;
}

export interface AuditQuery {
  noteId?: number;
  requestId?: string;
  day?: string; // YYYY-MM-DD (UTC)
  limit?: number;
}

const MAX_STREAM = 1_000_000;

/**
 * Append-only audit trail: a Redis stream (queryable by admins) plus daily JSON-lines files for the
 * municipality's log platform. Per-note and per-request indexes make "what happened to note X" cheap.
 */
export class AuditService {
  constructor(private readonly redis: Redis, private readonly dir: string, private readonly prefix = 'tsm') {}

  async record(input: Omit<AuditRecord, 'at'> & { at?: string }): Promise<AuditRecord> {
    const rec: AuditRecord = { ...input, at: input.at ?? new Date().toISOString() };
    const json = JSON.stringify(rec);
    const multi = this.redis.multi().xadd(`${this.prefix}:audit`, 'MAXLEN', '~', String(MAX_STREAM), '*', 'r', json);
    if (rec.noteId !== undefined) multi.rpush(`${this.prefix}:audit:note:${rec.noteId}`, json);
    if (rec.requestId !== undefined) multi.rpush(`${this.prefix}:audit:request:${rec.requestId}`, json);
    await multi.exec();
    await mkdir(this.dir, { recursive: true });
    await appendFile(path.join(this.dir, `audit-${rec.at.slice(0, 10)}.jsonl`), json + '\n');
    return rec;
  }

  async query(q: AuditQuery): Promise<AuditRecord[]> {
    const limit = Math.min(q.limit ?? 1000, 10_000);
    if (q.noteId !== undefined) return this.list(`${this.prefix}:audit:note:${q.noteId}`, limit);
    if (q.requestId !== undefined) return this.list(`${this.prefix}:audit:request:${q.requestId}`, limit);
    const day = q.day ?? new Date().toISOString().slice(0, 10);
    const start = Date.parse(`${day}T00:00:00Z`);
    const rows = await this.redis.xrange(`${this.prefix}:audit`, String(start), String(start + 86_400_000 - 1), 'COUNT', limit);
    return rows.map(([, fields]) => JSON.parse(fields[1]) as AuditRecord);
  }

  private async list(key: string, limit: number): Promise<AuditRecord[]> {
    return (await this.redis.lrange(key, 0, limit - 1)).map((s) => JSON.parse(s) as AuditRecord);
  }
}
