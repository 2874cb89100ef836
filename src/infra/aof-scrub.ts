import type { Redis } from 'ioredis';

/**
 * Counts deletions of personal data (letter bodies: CPR, names, text) since the last AOF rewrite.
 * A DEL only appends to the AOF: the deleted value stays in the file on disk until Redis rewrites
 * it. Stores that delete personal data INCR this key in the same MULTI as the delete.
 */
export function personalDataDeletedKey(prefix: string): string {
  return `${prefix}:maintenance:personal-data-deleted`;
}

// Clears the counter only if no deletion arrived after the rewrite began (those need the next one).
const CLEAR_IF = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export type ScrubResult =
  { rewritten: true; deletions: number } | { rewritten: false; reason: 'nothing-deleted' | 'aof-off' | 'rate-limited' | 'refused' };

export interface AofScrubOptions {
  /** At most one rewrite per this many ms, whoever asks (a Redis key with PX: holds across workers). */
  minIntervalMs: number;
  /** How long to wait for the background rewrite before giving up (the job is then retried). */
  maxWaitMs?: number;
  pollMs?: number;
}

/**
 * Makes deleted personal data leave the disk: when anything was deleted since the last rewrite,
 * asks Redis for BGREWRITEAOF and waits until it is done. Redis 7 writes a new base file from the
 * live keys only and deletes the old files, so the deleted values are no longer in any AOF file.
 */
export class AofScrub {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly opts: AofScrubOptions,
  ) {}

  async run(): Promise<ScrubResult> {
    const key = personalDataDeletedKey(this.prefix);
    const pending = await this.redis.get(key);
    if (!pending) return { rewritten: false, reason: 'nothing-deleted' };
    const info = await this.persistence();
    if (info.aof_enabled !== '1') {
      // No AOF, nothing on disk to scrub (an RDB-only Redis is the operator's documented choice).
      await this.redis.eval(CLEAR_IF, 1, key, pending);
      return { rewritten: false, reason: 'aof-off' };
    }
    const gate = await this.redis.set(`${key}:rewrite-gate`, '1', 'PX', this.opts.minIntervalMs, 'NX');
    if (gate !== 'OK') return { rewritten: false, reason: 'rate-limited' };
    try {
      await this.redis.bgrewriteaof();
    } catch (err) {
      // A managed Redis may rename or forbid the command; the counter stays for a later try.
      if (/already in progress/i.test((err as Error).message)) return this.waitAndClear(key, pending);
      return { rewritten: false, reason: 'refused' };
    }
    return this.waitAndClear(key, pending);
  }

  private async waitAndClear(key: string, pending: string): Promise<ScrubResult> {
    const pollMs = this.opts.pollMs ?? 100;
    const rounds = Math.ceil((this.opts.maxWaitMs ?? 60_000) / pollMs);
    for (let i = 0; i < rounds; i++) {
      await new Promise((r) => setTimeout(r, pollMs));
      const info = await this.persistence();
      if (info.aof_rewrite_in_progress === '0' && info.aof_rewrite_scheduled === '0') {
        if (info.aof_last_bgrewrite_status !== 'ok') throw new Error('AOF rewrite failed (see the Redis log)');
        await this.redis.eval(CLEAR_IF, 1, key, pending);
        return { rewritten: true, deletions: Number(pending) };
      }
    }
    throw new Error(`AOF rewrite not finished within ${this.opts.maxWaitMs ?? 60_000} ms`);
  }

  private async persistence(): Promise<Record<string, string>> {
    const text = await this.redis.info('persistence');
    return Object.fromEntries(
      text
        .split(/\r?\n/)
        .filter((l) => l.includes(':'))
        .map((l) => l.split(':', 2) as [string, string]),
    );
  }
}
