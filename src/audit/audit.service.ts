import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { maskCpr } from '../logging/redact';

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

// Appends the record (ARGV[1]) to the stream KEYS[first] (capped at ARGV[2]) and to the index lists after it.
const append = (first: number) => `
redis.call('XADD', KEYS[${first}], 'MAXLEN', '~', ARGV[2], '*', 'r', ARGV[1])
for i = ${first + 1}, #KEYS do redis.call('RPUSH', KEYS[i], ARGV[1]) end
return 1`;

// KEYS: stream, then the note/request index lists; ARGV: record JSON, stream cap. One command where a
// MULTI of XADD and RPUSHes was four (issue 20: Redis commands are the worker's main CPU cost).
const RECORD = append(1);

// KEYS: once-marker, stream, then the note/request index lists; ARGV: record JSON, stream cap.
const RECORD_ONCE = `
if not redis.call('SET', KEYS[1], '1', 'NX') then return 0 end
${append(2)}`;

/**
 * Append-only audit trail: a Redis stream (queryable by admins) plus daily JSON-lines files for the
 * municipality's log platform. Per-note and per-request indexes make "what happened to note X" cheap.
 */
/**
 * A reason is free text (often an error message): CPR-masked like every log line. External ids are
 * masked too: an id can be a file name someone else chose ("0703381412 Anna.xml"); callers pass text
 * from outside through redactFreeText, which also removes names.
 */
function toRecord(input: Omit<AuditRecord, 'at'> & { at?: string }): AuditRecord {
  return {
    ...input,
    ...(input.reason !== undefined ? { reason: maskCpr(input.reason) } : {}),
    ...(input.externalIds
      ? { externalIds: Object.fromEntries(Object.entries(input.externalIds).map(([k, v]) => [k, maskCpr(String(v))])) }
      : {}),
    at: input.at ?? new Date().toISOString(),
  };
}

type AuditRedis = Redis & {
  auditRecord(numberOfKeys: number, ...keysAndArgs: string[]): Promise<number>;
  auditRecordOnce(numberOfKeys: number, ...keysAndArgs: string[]): Promise<number>;
};

export class AuditService {
  /** Open day files (append mode), by UTC day; the two opened last stay open, older ones are closed. */
  private readonly dayFiles = new Map<string, number>();
  private dirReady = false;

  private readonly redis: AuditRedis;

  constructor(
    redis: Redis,
    private readonly dir: string,
    private readonly prefix = 'tsm',
  ) {
    // EVALSHA through ioredis's script cache (the shared client may already carry the command).
    if (!('auditRecord' in redis)) redis.defineCommand('auditRecord', { lua: RECORD });
    if (!('auditRecordOnce' in redis)) redis.defineCommand('auditRecordOnce', { lua: RECORD_ONCE });
    this.redis = redis as AuditRedis;
  }

  /**
   * One append per record on a descriptor kept open per day file (opened with O_APPEND, so lines of
   * several processes never overwrite each other). Durability is what it was when every record
   * opened, appended and closed the file: when record() returns, the line is in the kernel (it
   * survives a crash of this process; like before there is no fsync, the OS flushes it). A new day
   * opens a new file and closes the one opened before the previous one; close() (shutdown) closes the rest.
   */
  private appendToDayFile(rec: AuditRecord, json: string): void {
    const day = rec.at.slice(0, 10);
    let fd = this.dayFiles.get(day);
    if (fd === undefined) {
      if (!this.dirReady) {
        mkdirSync(this.dir, { recursive: true }); // once per process, not per record
        this.dirReady = true;
      }
      fd = openSync(path.join(this.dir, `audit-${day}.jsonl`), 'a');
      // The file opened longest ago is closed (a Map keeps insertion order): normally the day before last.
      if (this.dayFiles.size >= 2) {
        const [first, firstFd] = this.dayFiles.entries().next().value as [string, number];
        closeSync(firstFd);
        this.dayFiles.delete(first);
      }
      this.dayFiles.set(day, fd);
    }
    const buf = Buffer.from(json + '\n');
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
  }

  /** Closes the open day files (shutdown); a later record opens its file again. */
  close(): void {
    for (const fd of this.dayFiles.values()) closeSync(fd);
    this.dayFiles.clear();
  }

  onApplicationShutdown(): void {
    this.close();
  }

  async record(input: Omit<AuditRecord, 'at'> & { at?: string }): Promise<AuditRecord> {
    const rec = toRecord(input);
    const json = JSON.stringify(rec);
    const keys = this.keysOf(rec);
    await this.redis.auditRecord(keys.length, ...keys, json, String(MAX_STREAM));
    this.appendToDayFile(rec, json);
    return rec;
  }

  /**
   * Records at most once per key (e.g. a ledger key): a step retried after a crash, or a replayed
   * flow, does not write its audit line again. The Redis stream is the authority; the day file is
   * appended right after it, so a crash between the two can only cost the file that one line.
   */
  async recordOnce(onceKey: string, input: Omit<AuditRecord, 'at'> & { at?: string }): Promise<AuditRecord | null> {
    const rec = toRecord(input);
    const json = JSON.stringify(rec);
    const keys = [`${this.prefix}:audit:once:${onceKey}`, ...this.keysOf(rec)];
    const added = await this.redis.auditRecordOnce(keys.length, ...keys, json, String(MAX_STREAM));
    if (added !== 1) return null;
    this.appendToDayFile(rec, json);
    return rec;
  }

  /** The stream, then the note's and the request's index lists when the record has those ids. */
  private keysOf(rec: AuditRecord): string[] {
    const keys = [`${this.prefix}:audit`];
    if (rec.noteId !== undefined) keys.push(`${this.prefix}:audit:note:${rec.noteId}`);
    if (rec.requestId !== undefined) keys.push(`${this.prefix}:audit:request:${rec.requestId}`);
    return keys;
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
