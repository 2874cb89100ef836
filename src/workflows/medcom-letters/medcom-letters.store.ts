import type { Redis } from 'ioredis';
import { personalDataDeletedKey } from '../../infra/aof-scrub';
import type { GpMessageFormat, GpPractice } from '../../../adapters/directory/directory.port';
import type { GpLetter, LetterState } from '../../../adapters/medcom/medcom.port';

/**
 * Where each letter stands, in Redis: one hash per letter id with its state, current attempt and
 * every envelope sent; an index envelope id → letter id (receipts may name only the envelope); and,
 * while the letter can still be resent, the content needed to rebuild it. That content is personal
 * data: it lives only under its own key (never in job payloads), expires, and is deleted as soon as
 * the letter reaches a final state.
 */
export interface LetterEnvelope {
  attempt: number;
  envelopeId: string;
  sentAt: string;
}

export interface LetterRecord {
  letterId: string;
  ledgerKey: string;
  noteId: number;
  noteVersion: number;
  kind: GpLetter['kind'];
  format: GpMessageFormat;
  receiverYdernummer: string;
  /** The receiver's EAN/GLN: the only party whose receipts count ('' for letters stored before it was kept). */
  receiverEan: string;
  converted: boolean;
  state: LetterState;
  /** Highest attempt claimed (0 = first send). */
  attempt: number;
  /** Highest attempt whose file was handed over (-1 = none yet). */
  written: number;
  authorisedAt: string;
  envelopes: LetterEnvelope[];
  refuseCode?: string;
  refuseText?: string;
  receiptType?: string;
  /** The name the transport gave the file of the written attempt (to see whether the VANS client took it). */
  file?: string;
  /** The job that will look at the current attempt's receipt (unset: the attempt's own timeout job). */
  timeoutJob?: string;
  /** When the receiver last answered transient-error. */
  transientAt?: string;
  updatedAt: string;
}

/** What a resend needs to rebuild the letter: personal data, kept only while it may be resent. */
export interface LetterBody {
  patient: GpLetter['patient'];
  receiver: GpPractice;
  subject: string;
  text: string;
}

/**
 * The body as body() gives it back once stored (JSON: absent rather than undefined fields), so that a
 * letter composed from it before it is stored is composed from exactly what a resend would read.
 */
export function asStoredBody(body: LetterBody): LetterBody {
  return JSON.parse(JSON.stringify(body)) as LetterBody;
}

const BODY_TTL_SECONDS = 30 * 24 * 3600;
const INDEX_TTL_SECONDS = 180 * 24 * 3600;

// Creates the letter and its content together, only when the letter does not exist yet; returns 1
// if created. One script: a crash between two separate writes left a letter without content, which
// could then never be sent (MEDCOM_CONTENT_GONE).
const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[2])
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
return 1`;

// Claims attempt ARGV[1] for a letter in state 'sent' whose current attempt is ARGV[1]-1 (or already
// ARGV[1]: a repeat of the same claim). Returns the stored envelope JSON, or false.
const CLAIM = `
local attempt = tonumber(ARGV[1])
if redis.call('HGET', KEYS[1], 'state') ~= 'sent' then return false end
local current = tonumber(redis.call('HGET', KEYS[1], 'attempt'))
if current == attempt then return redis.call('HGET', KEYS[1], 'env:' .. attempt) end
if current ~= attempt - 1 then return false end
redis.call('HSET', KEYS[1], 'attempt', attempt, 'env:' .. attempt, ARGV[2], 'updatedAt', ARGV[3])
return ARGV[2]`;

// Moves the state from one of the allowed states (ARGV[1], comma-separated) to ARGV[2], setting the
// remaining field/value pairs; returns 1 if it moved.
const TRANSITION = `
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return -1 end
local allowed = false
for s in string.gmatch(ARGV[1], '[^,]+') do if s == state then allowed = true end end
if not allowed then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[2], unpack(ARGV, 3))
return 1`;

// markWritten in one command (was a MULTI of three): the attempt's fields (ARGV[3]…) set, the
// takeover job forgotten, the letter awaiting its receipt by ARGV[2] (ms). KEYS: letter, awaiting;
// ARGV[1]: letter id.
const MARK_WRITTEN = `
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('HDEL', KEYS[1], 'timeoutJob')
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
return 1`;

export type TransitionResult = 'moved' | 'unchanged' | 'unknown';

type LetterRedis = Redis & {
  medcomLetterCreate(letterKey: string, bodyKey: string, ...args: string[]): Promise<number>;
  medcomLetterClaim(letterKey: string, attempt: string, envelope: string, now: string): Promise<string | null>;
  medcomLetterTransition(letterKey: string, from: string, to: string, ...fields: string[]): Promise<number>;
  medcomLetterMarkWritten(letterKey: string, awaitingKey: string, letterId: string, dueMs: string, ...fields: string[]): Promise<number>;
};

export class LetterStore {
  private readonly redis: LetterRedis;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    // EVALSHA through ioredis's script cache: the script text is not sent with every letter.
    if (!('medcomLetterCreate' in redis)) redis.defineCommand('medcomLetterCreate', { numberOfKeys: 2, lua: CREATE });
    if (!('medcomLetterClaim' in redis)) redis.defineCommand('medcomLetterClaim', { numberOfKeys: 1, lua: CLAIM });
    if (!('medcomLetterTransition' in redis)) redis.defineCommand('medcomLetterTransition', { numberOfKeys: 1, lua: TRANSITION });
    if (!('medcomLetterMarkWritten' in redis)) redis.defineCommand('medcomLetterMarkWritten', { numberOfKeys: 2, lua: MARK_WRITTEN });
    this.redis = redis as LetterRedis;
  }

  private key(letterId: string): string {
    return `${this.prefix}:medcom-store:letter:${letterId}`;
  }

  private bodyKey(letterId: string): string {
    return `${this.key(letterId)}:body`;
  }

  /** Letters handed over and waiting for a receipt, scored by when their current attempt's receipt is due. */
  private awaitingKey(): string {
    return `${this.prefix}:medcom-store:awaiting-receipt`;
  }

  private envelopeKey(envelopeId: string): string {
    return `${this.prefix}:medcom-store:envelope:${envelopeId}`;
  }

  /** Creates the letter (state 'sent', no attempt yet) with its content, unless it exists. */
  async create(
    rec: Pick<
      LetterRecord,
      | 'letterId'
      | 'ledgerKey'
      | 'noteId'
      | 'noteVersion'
      | 'kind'
      | 'format'
      | 'receiverYdernummer'
      | 'receiverEan'
      | 'converted'
      | 'authorisedAt'
    >,
    body: LetterBody,
  ): Promise<boolean> {
    const now = new Date().toISOString();
    const fields = {
      letterId: rec.letterId,
      ledgerKey: rec.ledgerKey,
      noteId: String(rec.noteId),
      noteVersion: String(rec.noteVersion),
      kind: rec.kind,
      format: rec.format,
      receiverYdernummer: rec.receiverYdernummer,
      receiverEan: rec.receiverEan,
      converted: rec.converted ? '1' : '0',
      authorisedAt: rec.authorisedAt,
      state: 'sent',
      attempt: '-1',
      written: '-1',
      updatedAt: now,
    };
    return (
      (await this.redis.medcomLetterCreate(
        this.key(rec.letterId),
        this.bodyKey(rec.letterId),
        JSON.stringify(body),
        String(BODY_TTL_SECONDS),
        ...Object.entries(fields).flat(),
      )) === 1
    );
  }

  async get(letterId: string): Promise<LetterRecord | null> {
    const h = await this.redis.hgetall(this.key(letterId));
    if (!h.state) return null;
    const attempt = Number(h.attempt);
    const envelopes: LetterEnvelope[] = [];
    for (let i = 0; i <= attempt; i++) if (h[`env:${i}`]) envelopes.push(JSON.parse(h[`env:${i}`]) as LetterEnvelope);
    return {
      letterId: h.letterId,
      ledgerKey: h.ledgerKey,
      noteId: Number(h.noteId),
      noteVersion: Number(h.noteVersion),
      kind: h.kind as GpLetter['kind'],
      format: h.format as GpMessageFormat,
      receiverYdernummer: h.receiverYdernummer,
      receiverEan: h.receiverEan ?? '',
      converted: h.converted === '1',
      state: h.state as LetterState,
      attempt,
      written: Number(h.written),
      authorisedAt: h.authorisedAt,
      envelopes,
      ...(h.refuseCode ? { refuseCode: h.refuseCode } : {}),
      ...(h.refuseText ? { refuseText: h.refuseText } : {}),
      ...(h.receiptType ? { receiptType: h.receiptType } : {}),
      ...(h[`file:${h.written}`] ? { file: h[`file:${h.written}`] } : {}),
      ...(h.timeoutJob ? { timeoutJob: h.timeoutJob } : {}),
      ...(h.transientAt ? { transientAt: h.transientAt } : {}),
      updatedAt: h.updatedAt,
    };
  }

  async body(letterId: string): Promise<LetterBody | null> {
    const raw = await this.redis.get(this.bodyKey(letterId));
    return raw ? (JSON.parse(raw) as LetterBody) : null;
  }

  /**
   * Claims an attempt and fixes its envelope id and time before anything is written, and indexes
   * the envelope so an early receipt finds its letter. Returns the attempt's envelope (the stored
   * one when the claim is repeated), or null when the letter moved on.
   */
  async claimAttempt(letterId: string, attempt: number, envelopeId: string, sentAt: Date): Promise<LetterEnvelope | null> {
    const proposed: LetterEnvelope = { attempt, envelopeId, sentAt: sentAt.toISOString() };
    const stored = await this.redis.medcomLetterClaim(
      this.key(letterId),
      String(attempt),
      JSON.stringify(proposed),
      new Date().toISOString(),
    );
    if (!stored) return null;
    const env = JSON.parse(stored) as LetterEnvelope;
    await this.redis.set(this.envelopeKey(env.envelopeId), letterId, 'EX', INDEX_TTL_SECONDS);
    return env;
  }

  /** The attempt was handed over (as `file`); its receipt is due by `receiptDueAt`. */
  async markWritten(letterId: string, attempt: number, receiptDueAt: Date, file?: string): Promise<void> {
    await this.redis.medcomLetterMarkWritten(
      this.key(letterId),
      this.awaitingKey(),
      letterId,
      String(receiptDueAt.getTime()),
      'written',
      String(attempt),
      'updatedAt',
      new Date().toISOString(),
      ...(file ? [`file:${attempt}`, file] : []),
    );
  }

  /** Records a transient-error acknowledgement by its own id; false when it was read before. */
  async firstTransient(letterId: string, receiptId: string): Promise<boolean> {
    return (await this.redis.hsetnx(this.key(letterId), `transient:${receiptId}`, new Date().toISOString())) === 1;
  }

  /**
   * Another job than the attempt's own timeout now looks at its receipt (waiting for the VANS client
   * to take the file, or a resend after transient-error), due by `dueAt`: the watchdog checks that job.
   */
  async timeoutMovedTo(letterId: string, jobId: string, dueAt: Date, fields: Record<string, string> = {}): Promise<void> {
    await this.redis
      .multi()
      .hset(this.key(letterId), 'timeoutJob', jobId, ...Object.entries(fields).flat())
      .zadd(this.awaitingKey(), 'XX', dueAt.getTime(), letterId)
      .exec();
  }

  /** Letters whose receipt was due by `now` and that had none when they were last looked at, longest overdue first. */
  async overdueForReceipt(now: Date, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.awaitingKey(), '-inf', now.getTime(), 'LIMIT', 0, limit);
  }

  /** How many letters' receipts were due by `now` and are still awaited (the overdue gauge). */
  async countOverdue(now: Date): Promise<number> {
    return this.redis.zcount(this.awaitingKey(), '-inf', now.getTime());
  }

  async forgetAwaiting(letterId: string): Promise<void> {
    await this.redis.zrem(this.awaitingKey(), letterId);
  }

  async letterForEnvelope(envelopeId: string): Promise<string | null> {
    return this.redis.get(this.envelopeKey(envelopeId));
  }

  /** Atomic state change from one of `from`; a final state drops the content and the letter stops awaiting a receipt. */
  async transition(letterId: string, from: LetterState[], to: LetterState, fields: Record<string, string> = {}): Promise<TransitionResult> {
    const args = Object.entries({ ...fields, updatedAt: new Date().toISOString() }).flat();
    const r = await this.redis.medcomLetterTransition(this.key(letterId), from.join(','), to, ...args);
    if (r === 1 && to !== 'sent') {
      // The count tells the AOF scrub (maintenance.scrub-aof) that a body must also leave the disk.
      await this.redis
        .multi()
        .del(this.bodyKey(letterId))
        .zrem(this.awaitingKey(), letterId)
        .incr(personalDataDeletedKey(this.prefix))
        .exec();
    }
    return r === 1 ? 'moved' : r === 0 ? 'unchanged' : 'unknown';
  }
}
