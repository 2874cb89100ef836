import type { Redis } from 'ioredis';
import { sideEffects } from '../metrics/metrics';

export type LedgerState = 'pending' | 'done';

export interface LedgerEntry {
  key: string;
  kind: string;
  state: LedgerState;
  externalId?: string;
  /** Free-form ids the side effect needs to stay stable across attempts (e.g. a letter id). */
  meta: Record<string, string>;
  attempts: number;
  createdAt: string;
  updatedAt: string;
}

/**
 * What a step returns: the external system's id, or the id with ids to merge into the entry's meta
 * (e.g. eDoc's open link), written by the same command that completes the entry.
 */
export type Performed = string | { externalId: string; meta: Record<string, string> };

export interface RunOnceSteps {
  /** Performs the side effect; returns the external system's id. */
  perform: (entry: LedgerEntry) => Promise<Performed>;
  /**
   * Called when an earlier attempt began but its outcome is unknown (timeout, crash): look in the
   * external system for the effect before doing it again. Returns its id, or null if absent.
   */
  reconcile?: (entry: LedgerEntry) => Promise<Performed | null>;
}

export interface RunOnceResult {
  externalId: string;
  /** 'performed' now, 'reconciled' found in the target system, 'recorded' already done in the ledger. */
  outcome: 'performed' | 'reconciled' | 'recorded';
  /** The entry as it stands after this call (meta included): callers need not read it again. */
  entry: LedgerEntry;
}

// runOnce's first step in one round trip: an entry already done is returned as it is; otherwise the
// entry is created if absent (fields set only once) and the attempt counted. Returns whether an
// entry existed before, and the hash as stored.
const BEGIN = `
local state = redis.call('HGET', KEYS[1], 'state')
local existed = state and 1 or 0
if state == 'done' and (redis.call('HGET', KEYS[1], 'externalId') or '') ~= '' then
  return {existed, redis.call('HGETALL', KEYS[1])}
end
redis.call('HSETNX', KEYS[1], 'kind', ARGV[1])
redis.call('HSETNX', KEYS[1], 'state', 'pending')
redis.call('HSETNX', KEYS[1], 'meta', ARGV[2])
redis.call('HSETNX', KEYS[1], 'createdAt', ARGV[3])
redis.call('HINCRBY', KEYS[1], 'attempts', 1)
redis.call('HSET', KEYS[1], 'updatedAt', ARGV[3])
return {existed, redis.call('HGETALL', KEYS[1])}`;

// Merges the patch (ARGV[1], a JSON object of strings) into the entry's meta, as `merged` (Lua shared by the scripts below).
const MERGE_META = `
local meta = cjson.decode(redis.call('HGET', KEYS[1], 'meta') or '{}')
for k, v in pairs(cjson.decode(ARGV[1])) do meta[k] = v end
local merged = next(meta) == nil and '{}' or cjson.encode(meta)`;

// updateMeta in one round trip: merges the patch into the entry's meta; returns the hash as stored,
// or nothing when the entry does not exist.
const UPDATE_META = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
${MERGE_META}
redis.call('HSET', KEYS[1], 'meta', merged, 'updatedAt', ARGV[2])
return redis.call('HGETALL', KEYS[1])`;

// complete in one round trip: done with its external id (ARGV[3]), and the patch (ids the step
// learnt, e.g. eDoc's open link) merged into meta in the same atomic write.
const COMPLETE = `
if ARGV[1] ~= '{}' then
${MERGE_META}
  redis.call('HSET', KEYS[1], 'meta', merged)
end
redis.call('HSET', KEYS[1], 'state', 'done', 'externalId', ARGV[3], 'updatedAt', ARGV[2])
return 1`;

type LedgerRedis = Redis & {
  ledgerBegin(key: string, kind: string, meta: string, now: string): Promise<[number, string[]]>;
  ledgerUpdateMeta(key: string, patch: string, now: string): Promise<string[] | null>;
  ledgerComplete(key: string, patch: string, now: string, externalId: string): Promise<number>;
};

/**
 * The idempotent-consumer ledger: one Redis hash per side effect, keyed deterministically
 * (e.g. `edoc:note:5001:v3:<hash>`). The entry is written *before* the external call, so after a
 * crash we know an attempt may have landed and must reconcile instead of repeating it.
 */
export class Ledger {
  private readonly redis: LedgerRedis;

  constructor(
    redis: Redis,
    private readonly prefix = 'tsm',
  ) {
    // EVALSHA through ioredis's script cache (the shared client may already carry the command).
    if (!('ledgerBegin' in redis)) redis.defineCommand('ledgerBegin', { numberOfKeys: 1, lua: BEGIN });
    if (!('ledgerUpdateMeta' in redis)) redis.defineCommand('ledgerUpdateMeta', { numberOfKeys: 1, lua: UPDATE_META });
    if (!('ledgerComplete' in redis)) redis.defineCommand('ledgerComplete', { numberOfKeys: 1, lua: COMPLETE });
    this.redis = redis as LedgerRedis;
  }

  private k(key: string): string {
    return `${this.prefix}:ledger:${key}`;
  }

  async get(key: string): Promise<LedgerEntry | null> {
    return toEntry(key, await this.redis.hgetall(this.k(key)));
  }

  /** Creates the entry if absent (atomically) and counts the attempt; returns the entry as stored. */
  async begin(key: string, kind: string, meta: Record<string, string> = {}): Promise<LedgerEntry> {
    return (await this.beginOrRecorded(key, kind, meta)).entry;
  }

  /** One round trip: the entry as it stands when already done, else begun; and whether it existed before. */
  private async beginOrRecorded(
    key: string,
    kind: string,
    meta: Record<string, string>,
  ): Promise<{ existed: boolean; entry: LedgerEntry }> {
    const [existed, flat] = await this.redis.ledgerBegin(this.k(key), kind, JSON.stringify(meta), new Date().toISOString());
    const h: Record<string, string> = {};
    for (let i = 0; i < flat.length; i += 2) h[flat[i]] = flat[i + 1];
    return { existed: existed === 1, entry: toEntry(key, h)! };
  }

  /** Merges ids into meta (e.g. a new envelope id on resend); one round trip, atomic in Redis. */
  async updateMeta(key: string, patch: Record<string, string>): Promise<LedgerEntry> {
    const flat = await this.redis.ledgerUpdateMeta(this.k(key), JSON.stringify(patch), new Date().toISOString());
    if (!flat) throw new Error(`ledger entry ${key} does not exist`);
    const h: Record<string, string> = {};
    for (let i = 0; i < flat.length; i += 2) h[flat[i]] = flat[i + 1];
    return toEntry(key, h)!;
  }

  /** Marks the entry done with its external id, merging `meta` into its meta in the same write. */
  async complete(key: string, externalId: string, meta: Record<string, string> = {}): Promise<void> {
    await this.redis.ledgerComplete(this.k(key), JSON.stringify(meta), new Date().toISOString(), externalId);
  }

  /** Performs a side effect at most once per key, whatever crashes or retries happen around it. */
  async runOnce(key: string, kind: string, steps: RunOnceSteps, meta: Record<string, string> = {}): Promise<RunOnceResult> {
    const { existed, entry } = await this.beginOrRecorded(key, kind, meta);
    if (entry.state === 'done' && entry.externalId) {
      sideEffects.inc({ kind, outcome: 'recorded' });
      return { externalId: entry.externalId, outcome: 'recorded', entry };
    }
    if (existed && steps.reconcile) {
      const found = await steps.reconcile(entry);
      if (found) return this.completed(key, kind, entry, found, 'reconciled');
    }
    return this.completed(key, kind, entry, await steps.perform(entry), 'performed');
  }

  private async completed(
    key: string,
    kind: string,
    entry: LedgerEntry,
    done: Performed,
    outcome: 'performed' | 'reconciled',
  ): Promise<RunOnceResult> {
    const { externalId, meta = {} } = typeof done === 'string' ? { externalId: done } : done;
    await this.complete(key, externalId, meta);
    sideEffects.inc({ kind, outcome });
    return { externalId, outcome, entry: { ...entry, meta: { ...entry.meta, ...meta }, state: 'done', externalId } };
  }
}

function toEntry(key: string, h: Record<string, string> | null): LedgerEntry | null {
  if (!h || !h.state) return null;
  return {
    key,
    kind: h.kind,
    state: h.state as LedgerState,
    externalId: h.externalId || undefined,
    meta: h.meta ? JSON.parse(h.meta) : {},
    attempts: Number(h.attempts ?? 0),
    createdAt: h.createdAt,
    updatedAt: h.updatedAt,
  };
}
