import type { Redis } from 'ioredis';
import type { NoteLocation } from '../../../adapters/nexus/nexus.port';
import { meetingId, NoteVersionRef, noteVersionKey, timestampMs } from '../../domain/after-meeting.rules';

/**
 * One note the targeted watch reads after its meeting has begun: ids and the self links Nexus gave
 * when the agenda walked them (links hold ids only), so a read is one GET.
 */
export interface WatchedNote {
  noteId: number;
  citizenId: number;
  noteHref?: string;
  /** 'agenda': on the published agenda; 'sweep': found locked by the nightly sweep before its meeting began. */
  source: 'agenda' | 'sweep';
}

/** A meeting whose notes the watch reads: from its start (first slot) until the follow-up window ends. */
export interface WatchedMeeting {
  districtId: string;
  meetingDate: string;
  startsAt: number;
  endsAt: number;
}

/** What the workflow remembers about one processed note version (ids only). */
export interface NoteVersionRecord {
  noteId: number;
  noteVersion: number;
  districtId: string;
  meetingDate: string;
  correctionOf?: number;
  documentId?: string;
  letterId?: string;
  taskIds: string[];
  /** When the flow's parent completed (all children succeeded). */
  doneAt?: string;
  /** A newer version of the note existed when the flow ran; that version's flow does the work. */
  supersededBy?: number;
}

// markEnqueued in one command (was a MULTI of five, plus the watch list's HDEL: issue 20, Redis
// commands are the worker's main CPU cost), atomic as the MULTI was.
// KEYS: the version's record, latest version per note, the meeting's versions, meetings, processed
// versions, [the meeting's watch list]. ARGV: note id, version, meeting id, meeting day (ms),
// processed member, then the record's field/value pairs.
// The note's latest and per-meeting versions are set only when they grow: overlapping watches may
// finish out of order.
const MARK_ENQUEUED = `
redis.call('HSET', KEYS[1], unpack(ARGV, 6))
for i = 2, 3 do
  local cur = redis.call('HGET', KEYS[i], ARGV[1])
  if (not cur) or tonumber(cur) < tonumber(ARGV[2]) then redis.call('HSET', KEYS[i], ARGV[1], ARGV[2]) end
end
redis.call('ZADD', KEYS[4], ARGV[4], ARGV[3])
redis.call('SADD', KEYS[5], ARGV[5])
if KEYS[6] then redis.call('HDEL', KEYS[6], ARGV[1]) end
return 1`;

// What the watch asks before enqueueing a version, in one command: is it processed, and the note's
// latest enqueued version (nil if none). KEYS: processed, latest; ARGV: processed member, note id.
const ENQUEUE_STATE = `
return {redis.call('SISMEMBER', KEYS[1], ARGV[1]), redis.call('HGET', KEYS[2], ARGV[2])}`;

// The flow's completion time, set only once, and the record as it then stands (one command).
const MARK_DONE = `
redis.call('HSETNX', KEYS[1], 'doneAt', ARGV[1])
return redis.call('HGETALL', KEYS[1])`;

// The cursor moves forward only, compared by its instant (ARGV[2], ms), whatever its text looks like.
const ADVANCE_CURSOR = `
local cur = redis.call('HGET', KEYS[1], 'ms')
if (not cur) or tonumber(cur) < tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], 'cursor', ARGV[1], 'ms', ARGV[2])
  return 1
end
return 0`;

// Renews or releases a lease only for its holder (an expired lease may belong to another worker now).
const RENEW_LEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0";
const RELEASE_LEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

/**
 * The after-meeting workflow's own state in Redis: the watch cursor per district, which note
 * versions have had their flow enqueued, each meeting's notes, and per note version the external
 * ids its steps produced. Side-effect exactly-once lives in the ledger; this is bookkeeping.
 */
type StoreRedis = Redis & {
  afterMeetingMarkEnqueued(numberOfKeys: number, ...keysAndArgs: string[]): Promise<number>;
  afterMeetingEnqueueState(processed: string, latest: string, member: string, noteId: string): Promise<[number, string | null]>;
  afterMeetingMarkDone(nv: string, doneAt: string): Promise<string[]>;
};

export class AfterMeetingStore {
  private readonly redis: StoreRedis;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    // EVALSHA through ioredis's script cache (the script text is not sent per note).
    if (!('afterMeetingMarkEnqueued' in redis)) redis.defineCommand('afterMeetingMarkEnqueued', { lua: MARK_ENQUEUED });
    if (!('afterMeetingEnqueueState' in redis)) redis.defineCommand('afterMeetingEnqueueState', { numberOfKeys: 2, lua: ENQUEUE_STATE });
    if (!('afterMeetingMarkDone' in redis)) redis.defineCommand('afterMeetingMarkDone', { numberOfKeys: 1, lua: MARK_DONE });
    this.redis = redis as StoreRedis;
  }

  private k(...parts: string[]): string {
    return [this.prefix, 'after-meeting-store', ...parts].join(':');
  }

  /** One watch (or sweep) at a time: one that outlasts its interval must not be joined by the next one. */
  async acquireWatchLease(token: string, ttlMs: number, lease: 'watch-lease' | 'sweep-lease' = 'watch-lease'): Promise<boolean> {
    return (await this.redis.set(this.k(lease), token, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async renewWatchLease(token: string, ttlMs: number, lease: 'watch-lease' | 'sweep-lease' = 'watch-lease'): Promise<boolean> {
    return (await this.redis.eval(RENEW_LEASE, 1, this.k(lease), token, String(ttlMs))) === 1;
  }

  async releaseWatchLease(token: string, lease: 'watch-lease' | 'sweep-lease' = 'watch-lease'): Promise<void> {
    await this.redis.eval(RELEASE_LEASE, 1, this.k(lease), token);
  }

  // ---- the watch list (the href store): which notes of which meeting the targeted watch reads ----

  /**
   * The notes of a meeting's agenda, with their self links: replaces the meeting's agenda entries (a
   * later collect is the newer agenda), keeps entries the sweep added. Notes already processed are
   * dropped by the first pass that reads them.
   */
  async watchMeeting(m: WatchedMeeting, notes: WatchedNote[]): Promise<void> {
    const id = meetingId(m.districtId, m.meetingDate);
    const key = this.k('watch', 'notes', id);
    const existing = await this.redis.hgetall(key);
    const tx = this.redis.multi();
    // One HDEL and one HSET per hash for the whole agenda, not one command per note.
    const dropped = Object.entries(existing)
      .filter(([, raw]) => (JSON.parse(raw) as WatchedNote).source === 'agenda')
      .map(([noteId]) => noteId);
    if (dropped.length) tx.hdel(key, ...dropped);
    if (notes.length) tx.hset(key, Object.fromEntries(notes.map((n) => [String(n.noteId), JSON.stringify(n)])));
    const onAgenda = notes.filter((n) => n.source === 'agenda');
    if (onAgenda.length) tx.hset(this.k('watch', 'on-agenda'), Object.fromEntries(onAgenda.map((n) => [String(n.noteId), id])));
    tx.hset(this.k('watch', 'meeting', id), {
      districtId: m.districtId,
      meetingDate: m.meetingDate,
      startsAt: String(m.startsAt),
      endsAt: String(m.endsAt),
    });
    tx.zadd(this.k('watch', 'meetings'), m.startsAt, id);
    await tx.exec();
  }

  /** Adds one note to a meeting's watch list (the sweep found it locked before the meeting began). */
  async watchNote(m: WatchedMeeting, note: WatchedNote): Promise<void> {
    const id = meetingId(m.districtId, m.meetingDate);
    await this.redis
      .multi()
      .hset(this.k('watch', 'notes', id), String(note.noteId), JSON.stringify(note))
      .hset(this.k('watch', 'meeting', id), {
        districtId: m.districtId,
        meetingDate: m.meetingDate,
        startsAt: String(m.startsAt),
        endsAt: String(m.endsAt),
      })
      .zadd(this.k('watch', 'meetings'), m.startsAt, id)
      .exec();
  }

  /** Meetings on the watch list that have begun by `at` (their window may have ended: the pass drops those). */
  async begunMeetings(at: Date): Promise<WatchedMeeting[]> {
    const ids = await this.redis.zrangebyscore(this.k('watch', 'meetings'), '-inf', at.getTime());
    const out: WatchedMeeting[] = [];
    for (const id of ids) {
      const h = await this.redis.hgetall(this.k('watch', 'meeting', id));
      if (!h.districtId) {
        await this.redis.zrem(this.k('watch', 'meetings'), id);
        continue;
      }
      out.push({ districtId: h.districtId, meetingDate: h.meetingDate, startsAt: Number(h.startsAt), endsAt: Number(h.endsAt) });
    }
    return out;
  }

  /** When the next watched meeting begins after `at` (ms), if any. */
  async nextMeetingStart(at: Date): Promise<number | undefined> {
    const next = await this.redis.zrangebyscore(this.k('watch', 'meetings'), `(${at.getTime()}`, '+inf', 'WITHSCORES', 'LIMIT', 0, 1);
    return next.length ? Number(next[1]) : undefined;
  }

  async watchedNotes(m: Pick<WatchedMeeting, 'districtId' | 'meetingDate'>): Promise<WatchedNote[]> {
    const h = await this.redis.hgetall(this.k('watch', 'notes', meetingId(m.districtId, m.meetingDate)));
    return Object.values(h)
      .map((raw) => JSON.parse(raw) as WatchedNote)
      .sort((a, b) => a.noteId - b.noteId);
  }

  /** The watched meeting (not yet begun or under way) that holds this note, if any. */
  async watchedMeetingOf(noteId: number): Promise<WatchedMeeting | undefined> {
    const id = await this.redis.hget(this.k('watch', 'on-agenda'), String(noteId));
    if (!id) return undefined;
    const h = await this.redis.hgetall(this.k('watch', 'meeting', id));
    if (!h.districtId) return undefined;
    return { districtId: h.districtId, meetingDate: h.meetingDate, startsAt: Number(h.startsAt), endsAt: Number(h.endsAt) };
  }

  /** Whether the note was ever on a published agenda (the sweep reports those that never were). */
  async wasOnAgenda(noteId: number): Promise<boolean> {
    return (await this.redis.hexists(this.k('watch', 'on-agenda'), String(noteId))) === 1;
  }

  /** The note is processed (its flow enqueued): the watch no longer reads it. */
  async unwatchNote(m: Pick<WatchedMeeting, 'districtId' | 'meetingDate'>, noteId: number): Promise<void> {
    await this.redis.hdel(this.k('watch', 'notes', meetingId(m.districtId, m.meetingDate)), String(noteId));
  }

  /** The meeting leaves the watch list (every note processed, or its follow-up window is over). */
  async unwatchMeeting(m: Pick<WatchedMeeting, 'districtId' | 'meetingDate'>): Promise<void> {
    const id = meetingId(m.districtId, m.meetingDate);
    await this.redis
      .multi()
      .zrem(this.k('watch', 'meetings'), id)
      .del(this.k('watch', 'notes', id), this.k('watch', 'meeting', id))
      .exec();
  }

  /** Meetings on the watch list whose window is open at `at`, with notes still unprocessed. */
  async openWindows(at: Date): Promise<WatchedMeeting[]> {
    const begun = await this.begunMeetings(at);
    const open: WatchedMeeting[] = [];
    for (const m of begun) {
      if (at.getTime() < m.endsAt && (await this.redis.hlen(this.k('watch', 'notes', meetingId(m.districtId, m.meetingDate)))) > 0)
        open.push(m);
    }
    return open;
  }

  async cursor(districtId: string): Promise<string | null> {
    return this.redis.hget(this.k('cursor', districtId), 'cursor');
  }

  async advanceCursor(districtId: string, cursor: string): Promise<boolean> {
    const ms = timestampMs(cursor);
    if (Number.isNaN(ms)) throw new RangeError('watch cursor is not a timestamp');
    return (await this.redis.eval(ADVANCE_CURSOR, 1, this.k('cursor', districtId), cursor, String(ms))) === 1;
  }

  async isProcessed(ref: NoteVersionRef): Promise<boolean> {
    return (await this.redis.sismember(this.k('processed'), noteVersionKey(ref))) === 1;
  }

  /** Whether the version's flow was enqueued, and the highest version of the note whose flow was (if any): one round trip. */
  async enqueueState(ref: NoteVersionRef): Promise<{ processed: boolean; latest?: number }> {
    const [processed, latest] = await this.redis.afterMeetingEnqueueState(
      this.k('processed'),
      this.k('latest'),
      noteVersionKey(ref),
      String(ref.noteId),
    );
    return { processed: processed === 1, ...(latest === null ? {} : { latest: Number(latest) }) };
  }

  /**
   * Records that a note version's flow is enqueued. Written after the enqueue: a crash in between
   * only means the next watch enqueues the same deterministic flow id again, which BullMQ ignores.
   * With `unwatch` (the targeted watch), the note also leaves its meeting's watch list in the same
   * atomic write: once processed, the next pass would only find it processed and drop it anyway.
   */
  async markEnqueued(
    rec: Pick<NoteVersionRecord, 'noteId' | 'noteVersion' | 'districtId' | 'meetingDate' | 'correctionOf'> & {
      noteHref?: string;
      citizenId?: number;
      unwatch?: boolean;
    },
  ): Promise<void> {
    const fields: Record<string, string> = { districtId: rec.districtId, meetingDate: rec.meetingDate };
    // Where the note is (ids only). The flow's jobs carry it too; this copy serves a job enqueued
    // without it and a worker of the version before, either side of a rolling upgrade.
    if (rec.noteHref) fields.noteHref = rec.noteHref;
    if (rec.citizenId !== undefined) fields.citizenId = String(rec.citizenId);
    if (rec.correctionOf !== undefined) fields.correctionOf = String(rec.correctionOf);
    const meeting = meetingId(rec.districtId, rec.meetingDate);
    const keys = [
      this.k('nv', String(rec.noteId), String(rec.noteVersion)),
      this.k('latest'),
      this.k('meeting', meeting),
      this.k('meetings'),
      this.k('processed'),
      ...(rec.unwatch ? [this.k('watch', 'notes', meeting)] : []),
    ];
    await this.redis.afterMeetingMarkEnqueued(
      keys.length,
      ...keys,
      String(rec.noteId),
      String(rec.noteVersion),
      meeting,
      String(Date.parse(`${rec.meetingDate}T00:00:00Z`)),
      noteVersionKey(rec),
      ...Object.entries(fields).flat(),
    );
  }

  /** Where the watch read the note version: its self link (one GET) and its citizen (a walk of one pathway). */
  async noteLocation(ref: NoteVersionRef): Promise<NoteLocation | undefined> {
    const [noteHref, citizenId] = await this.redis.hmget(
      this.k('nv', String(ref.noteId), String(ref.noteVersion)),
      'noteHref',
      'citizenId',
    );
    return noteLocationOf({ ...(noteHref ? { noteHref } : {}), ...(citizenId ? { citizenId: Number(citizenId) } : {}) });
  }

  async record(ref: NoteVersionRef): Promise<NoteVersionRecord | null> {
    return toRecord(ref, await this.redis.hgetall(this.k('nv', String(ref.noteId), String(ref.noteVersion))));
  }

  /** Sets when the version's flow completed unless that is already set (a repeated run keeps the first); returns the record. */
  async markDone(ref: NoteVersionRef, doneAt: string): Promise<NoteVersionRecord | null> {
    const flat = await this.redis.afterMeetingMarkDone(this.k('nv', String(ref.noteId), String(ref.noteVersion)), doneAt);
    const h: Record<string, string> = {};
    for (let i = 0; i < flat.length; i += 2) h[flat[i]] = flat[i + 1];
    return toRecord(ref, h);
  }

  /** When each note version's flow completed (undefined while it runs): one round trip for the lot. */
  async doneAtMany(refs: readonly NoteVersionRef[]): Promise<Array<string | undefined>> {
    if (!refs.length) return [];
    const p = this.redis.pipeline();
    for (const r of refs) p.hget(this.k('nv', String(r.noteId), String(r.noteVersion)), 'doneAt');
    const res = (await p.exec()) ?? [];
    return refs.map((_, i) => {
      const [err, v] = res[i] ?? [];
      if (err) throw err;
      return typeof v === 'string' && v ? v : undefined;
    });
  }

  async setResult(
    ref: NoteVersionRef,
    patch: { documentId?: string; letterId?: string; taskIds?: string[]; doneAt?: string; supersededBy?: number },
  ): Promise<void> {
    const fields: Record<string, string> = {};
    if (patch.documentId) fields.documentId = patch.documentId;
    if (patch.letterId) fields.letterId = patch.letterId;
    if (patch.taskIds) fields.taskIds = patch.taskIds.join(',');
    if (patch.doneAt) fields.doneAt = patch.doneAt;
    if (patch.supersededBy !== undefined) fields.supersededBy = String(patch.supersededBy);
    if (Object.keys(fields).length) await this.redis.hset(this.k('nv', String(ref.noteId), String(ref.noteVersion)), fields);
  }

  /** The notes of one meeting, each at its latest enqueued version. */
  async meetingNotes(districtId: string, meetingDate: string): Promise<NoteVersionRef[]> {
    const h = await this.redis.hgetall(this.k('meeting', meetingId(districtId, meetingDate)));
    return Object.entries(h)
      .map(([id, v]) => ({ noteId: Number(id), noteVersion: Number(v) }))
      .sort((a, b) => a.noteId - b.noteId);
  }

  /** Meetings (district/date) with a meeting date in [fromDate, toDate]. */
  async meetingsBetween(fromDate: string, toDate: string): Promise<Array<{ districtId: string; meetingDate: string }>> {
    const ids = await this.redis.zrangebyscore(this.k('meetings'), Date.parse(`${fromDate}T00:00:00Z`), Date.parse(`${toDate}T00:00:00Z`));
    return ids.map((id) => {
      const i = id.lastIndexOf('/');
      return { districtId: id.slice(0, i), meetingDate: id.slice(i + 1) };
    });
  }
}

function toRecord(ref: NoteVersionRef, h: Record<string, string>): NoteVersionRecord | null {
  if (!h.districtId) return null;
  return {
    noteId: ref.noteId,
    noteVersion: ref.noteVersion,
    districtId: h.districtId,
    meetingDate: h.meetingDate,
    correctionOf: h.correctionOf ? Number(h.correctionOf) : undefined,
    documentId: h.documentId || undefined,
    letterId: h.letterId || undefined,
    taskIds: h.taskIds ? h.taskIds.split(',') : [],
    doneAt: h.doneAt || undefined,
    supersededBy: h.supersededBy ? Number(h.supersededBy) : undefined,
  };
}

/** Where to read a note, from what the watch list, a job or the record kept of it (undefined: nothing known). */
export function noteLocationOf(kept: { noteHref?: string; citizenId?: number }): NoteLocation | undefined {
  if (!kept.noteHref && kept.citizenId === undefined) return undefined;
  return { ...(kept.noteHref ? { selfHref: kept.noteHref } : {}), ...(kept.citizenId !== undefined ? { citizenId: kept.citizenId } : {}) };
}
