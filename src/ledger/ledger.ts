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

export interface RunOnceSteps {
  /** Performs the side effect; returns the external system's id. */
  perform: (entry: LedgerEntry) => Promise<string>;
  /**
   * Called when an earlier attempt began but its outcome is unknown (timeout, crash): look in the
   * external system for the effect before doing it again. Returns its id, or null if absent.
   */
  reconcile?: (entry: LedgerEntry) => Promise<string | null>;
}

export interface RunOnceResult {
  externalId: string;
  /** 'performed' now, 'reconciled' found in the target system, 'recorded' already done in the ledger. */
  outcome: 'performed' | 'reconciled' | 'recorded';
  entry: LedgerEntry;
}

/**
 * The idempotent-consumer ledger: one Redis hash per side effect, keyed deterministically
 * (e.g. `edoc:note:5001:v3:<hash>`). The entry is written *before* the external call, so after a
 * crash we know an attempt may have landed and must reconcile instead of repeating it.
 */
export class Ledger {
  constructor(private readonly redis: Redis, private readonly prefix = 'tsm') {}

  private k(key: string): string {
    return `${this.prefix}:ledger:${key}`;
  }

  async get(key: string): Promise<LedgerEntry | null> {
    const h = await this.redis.hgetall(this.k(key));
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

  /** Creates the entry if absent (atomically) and counts the attempt; returns the entry as stored. */
  async begin(key: string, kind: string, meta: Record<string, string> = {}): Promise<LedgerEntry> {
    const now = new Date().toISOString();
    const k = this.k(key);
    await this.redis
      .multi()
      .hsetnx(k, 'kind', kind)
      .hsetnx(k, 'state', 'pending')
      .hsetnx(k, 'meta', JSON.stringify(meta))
      .hsetnx(k, 'createdAt', now)
      .hincrby(k, 'attempts', 1)
      .hset(k, 'updatedAt', now)
      .exec();
    return (await this.get(key))!;
  }

  /** Merges ids into meta (e.g. a new envelope id on resend). */
  async updateMeta(key: string, patch: Record<string, string>): Promise<LedgerEntry> {
    const current = await this.get(key);
    if (!current) throw new Error(`ledger entry ${key} does not exist`);
    await this.redis.hset(this.k(key), 'meta', JSON.stringify({ ...current.meta, ...patch }), 'updatedAt', new Date().toISOString());
    return (await this.get(key))!;
  }

  async complete(key: string, externalId: string): Promise<void> {
    await this.redis.hset(this.k(key), 'state', 'done', 'externalId', externalId, 'updatedAt', new Date().toISOString());
  }

  /** Performs a side effect at most once per key, whatever crashes or retries happen around it. */
  async runOnce(key: string, kind: string, steps: RunOnceSteps, meta: Record<string, string> = {}): Promise<RunOnceResult> {
    const existing = await this.get(key);
    if (existing?.state === 'done' && existing.externalId) {
      sideEffects.inc({ kind, outcome: 'recorded' });
      return { externalId: existing.externalId, outcome: 'recorded', entry: existing };
    }
    const entry = await this.begin(key, kind, meta);
    if (existing && steps.reconcile) {
      const found = await steps.reconcile(entry);
      if (found) {
        await this.complete(key, found);
        sideEffects.inc({ kind, outcome: 'reconciled' });
        return { externalId: found, outcome: 'reconciled', entry: { ...entry, state: 'done', externalId: found } };
      }
    }
    const externalId = await steps.perform(entry);
    await this.complete(key, externalId);
    sideEffects.inc({ kind, outcome: 'performed' });
    return { externalId, outcome: 'performed', entry: { ...entry, state: 'done', externalId } };
  }
}
