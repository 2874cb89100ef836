import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Agenda } from '../../domain/agenda.builder';

/** A collected agenda as kept between collect and publish: ids, times, codes and organisation names only. */
export interface StoredAgenda {
  districtId: string;
  agenda: Agenda;
  /** Hash of the agenda's content: equal agendas have equal fingerprints. */
  fingerprint: string;
  collectedAt: string;
}

export type CollectPhase = 'cutoff' | 'morning' | 'manual';

const KEEP_SECONDS = 60 * 86_400;

/** Short, stable hash of a JSON-able value (object keys in the order given). */
export function fingerprintOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 12);
}

export function agendaFingerprint(agenda: Agenda): string {
  return fingerprintOf({
    items: agenda.items.map((i) => [i.noteId, i.citizenId, i.start, i.warnings, i.organisations]),
    excluded: agenda.excluded.map((e) => [e.noteId, e.reason]),
    warnings: agenda.warnings,
  });
}

/**
 * The latest agenda snapshot per district and meeting date, which scheduled collects have run, and
 * the times written onto notes (so a note that leaves the agenda gets its time removed).
 * Kept 60 days: long enough to publish, audit and compare; no personal data is in it.
 */
export class AgendaStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'tsm',
  ) {}

  private key(districtId: string, meetingDate: string): string {
    return `${this.prefix}:agenda-store:${districtId}:${meetingDate}`;
  }

  async save(districtId: string, agenda: Agenda, collectedAt: Date = new Date()): Promise<StoredAgenda> {
    const stored: StoredAgenda = { districtId, agenda, fingerprint: agendaFingerprint(agenda), collectedAt: collectedAt.toISOString() };
    await this.redis.set(this.key(districtId, agenda.meetingDate), JSON.stringify(stored), 'EX', KEEP_SECONDS);
    return stored;
  }

  async load(districtId: string, meetingDate: string): Promise<StoredAgenda | null> {
    const raw = await this.redis.get(this.key(districtId, meetingDate));
    return raw ? (JSON.parse(raw) as StoredAgenda) : null;
  }

  /** The times tsm-bridge has written onto notes for this meeting, by note id. */
  async publishedTimes(districtId: string, meetingDate: string): Promise<Map<number, string>> {
    const h = await this.redis.hgetall(this.timesKey(districtId, meetingDate));
    return new Map(Object.entries(h).map(([id, hhmm]) => [Number(id), hhmm]));
  }

  async recordPublishedTime(districtId: string, meetingDate: string, noteId: number, hhmm: string): Promise<void> {
    const key = this.timesKey(districtId, meetingDate);
    await this.redis.multi().hset(key, String(noteId), hhmm).expire(key, KEEP_SECONDS).exec();
  }

  async forgetPublishedTime(districtId: string, meetingDate: string, noteId: number): Promise<void> {
    await this.redis.hdel(this.timesKey(districtId, meetingDate), String(noteId));
  }

  private timesKey(districtId: string, meetingDate: string): string {
    return `${this.key(districtId, meetingDate)}:times`;
  }

  async markCollected(districtId: string, meetingDate: string, phase: CollectPhase): Promise<void> {
    await this.redis.set(`${this.key(districtId, meetingDate)}:collected:${phase}`, new Date().toISOString(), 'EX', KEEP_SECONDS);
  }

  async wasCollected(districtId: string, meetingDate: string, phase: CollectPhase): Promise<boolean> {
    return (await this.redis.exists(`${this.key(districtId, meetingDate)}:collected:${phase}`)) === 1;
  }
}
