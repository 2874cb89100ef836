import { createHmac, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { CourseMilestones } from '../../domain/children-course';
import type { ExternalUnitId, LocalUnitType, PlaceType } from '../../domain/children-meeting.rules';
import type { AgreementForm, ChildrenRequest } from '../../../schemas/children-request.schema';

/**
 * Redis persistence of children's meeting requests and meetings.
 *
 * Retention: the forms (CPR, names, description, attachments, participants) are held only until
 * they are journaled in eDoc and delivered, then deleted; a TTL (CHILDREN_FORM_RETENTION_DAYS) bounds
 * them if that never happens. What stays is ids, unit, times and milestones, plus the local leader's
 * work mailbox for the reminders; the mailbox is dropped once no reminder can be due. Records expire
 * after CHILDREN_RECORD_RETENTION_DAYS: eDoc is the record of the course, not this service.
 */

export interface ChildrenRequestRecord extends CourseMilestones {
  id: string;
  contentHash: string;
  clientRequestId?: string;
  unit: ExternalUnitId;
  localUnitType: LocalUnitType;
  placeType: PlaceType;
  proposedStart: string;
  receivedAt: string;
  deadlineAt: string;
  /** Codes the request was accepted with (MEETING_BEFORE_ACCEPT_DEADLINE). */
  warnings?: string[];
  leaderMailbox?: string;
  /** The local unit's name and, for a meeting not in the child's home, the institution's address: the invitations' place. */
  localUnitName?: string;
  placeAddress?: string;
  meetingCount: number;
  caseRef?: string;
  unitDeliveryId?: string;
  requestDocumentId?: string;
  attachmentDocumentIds?: string[];
  formDeletedAt?: string;
  /** Keyed hash of child and unit (no CPR): the one open course per child and unit. */
  courseKey?: string;
  closedAt?: string;
  closeReason?: string;
  /** The last permanent failure of a step, as a code: what an operator must look at. */
  problem?: string;
  problemAt?: string;
}

export interface MeetingRecord {
  id: string;
  requestId: string;
  seq: number;
  scheduledStart: string;
  /** Raised each time a follow-up meeting is moved: the invitation's SEQUENCE. */
  inviteSeq?: number;
  agreementHash?: string;
  heldAt?: string;
  agreementReceivedAt?: string;
  agreementDocumentId?: string;
  agreementJournaledAt?: string;
  agreementDeliveryId?: string;
  agreementSentAt?: string;
  agreementDeletedAt?: string;
}

/**
 * Who the course reaches: kept for the course (record retention) apart from the form, because the
 * agreement forms, the follow-up invitations and the reminders of later meetings need it after the
 * form itself is deleted; deleted when the course is closed. Never logged.
 */
export interface CourseContacts {
  localLeader: { name: string; email: string };
  meetingLeader?: { name: string; email: string };
  parents: Array<{ name: string; email?: string }>;
  /** The addresses of the latest agreement form's participants (no names): the follow-up invitation's recipients. */
  participantMailboxes?: string[];
}

export type CreateOutcome =
  | { kind: 'created'; id: string }
  /** The child has an open course with this unit: the request `id` that holds it. */
  | { kind: 'course-open'; id: string }
  /** Same content seen before (under any or no requestId). */
  | { kind: 'same-content'; id: string }
  /** The requestId was used before; `hash` is the content it was used for. */
  | { kind: 'same-request-id'; id: string; hash: string };

// Atomic create-or-find: two identical submissions racing each other get one request.
// KEYS[5] is the course of this child and unit: a new request while one is open is refused ('course-open').
const CREATE_SCRIPT = `
if #KEYS == 6 then
  local byClient = redis.call('GET', KEYS[6])
  if byClient then return {'same-request-id', byClient} end
end
local byHash = redis.call('GET', KEYS[1])
if byHash then
  if #KEYS == 6 then redis.call('SET', KEYS[6], byHash .. '|' .. ARGV[2], 'EX', ARGV[4]) end
  return {'same-content', byHash}
end
local open = redis.call('GET', KEYS[5])
if open then return {'course-open', open} end
redis.call('SET', KEYS[5], ARGV[1], 'EX', ARGV[4])
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[4])
if #KEYS == 6 then redis.call('SET', KEYS[6], ARGV[1] .. '|' .. ARGV[2], 'EX', ARGV[4]) end
redis.call('HSET', KEYS[2], unpack(ARGV, 7))
redis.call('EXPIRE', KEYS[2], ARGV[4])
redis.call('SET', KEYS[3], ARGV[5], 'EX', ARGV[6])
redis.call('ZADD', KEYS[4], ARGV[3], ARGV[1])
return {'created', ARGV[1]}
`;

// Records an agreement once per meeting; returns the hash already recorded, or '' when this one was stored.
const AGREEMENT_SCRIPT = `
local existing = redis.call('HGET', KEYS[1], 'agreementHash')
if existing then return existing end
if redis.call('EXISTS', KEYS[1]) == 0 then return '-' end
redis.call('HSET', KEYS[1], 'agreementHash', ARGV[1], 'agreementReceivedAt', ARGV[2], 'heldAt', ARGV[3])
redis.call('SET', KEYS[2], ARGV[4], 'EX', ARGV[5])
return ''
`;

const JSON_FIELDS = new Set(['attachmentDocumentIds', 'warnings']);
const NUMBER_FIELDS = new Set(['meetingCount', 'seq', 'inviteSeq']);

function encode(obj: object): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    out.push(k, JSON_FIELDS.has(k) ? JSON.stringify(v) : String(v));
  }
  return out;
}

function decode<T>(h: Record<string, string>): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(h)) {
    out[k] = JSON_FIELDS.has(k) ? JSON.parse(v) : NUMBER_FIELDS.has(k) ? Number(v) : v;
  }
  return out as T;
}

function meetingIdOf(requestId: string, seq: number): string {
  return `${requestId}-m${seq}`;
}

export function requestIdOfMeeting(meetingId: string): string {
  return meetingId.replace(/-m\d+$/, '');
}

/** How long things are kept, in seconds (relative TTLs: Redis's clock decides, not the caller's). */
export interface ChildrenRetention {
  formSeconds: number;
  recordSeconds: number;
}

export class ChildrenStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly retention: ChildrenRetention,
  ) {}

  private key(...parts: string[]): string {
    // Not '<prefix>:children:': that is the BullMQ queue's namespace, which queue maintenance may wipe.
    return [this.prefix, 'children-store', ...parts].join(':');
  }

  /**
   * The course key of a child and unit: HMAC-SHA-256 under a random per-installation salt kept in Redis,
   * so the key is stable for the child but no CPR is stored and none can be looked up without the salt.
   */
  async courseKeyOf(cpr: string, unit: ExternalUnitId): Promise<string> {
    const k = this.key('course-salt');
    await this.redis.set(k, randomBytes(32).toString('hex'), 'NX');
    const salt = (await this.redis.get(k))!;
    return createHmac('sha256', salt)
      .update(`${unit}:${cpr.replace(/\D/g, '')}`)
      .digest('hex');
  }

  /** Ends the course hold of `requestId` (closed or lapsed), if it still holds it. */
  async releaseCourse(courseKey: string, requestId: string): Promise<void> {
    await this.redis.eval(
      "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end",
      1,
      this.key('course', courseKey),
      requestId,
    );
  }

  async create(record: Omit<ChildrenRequestRecord, 'meetingCount'> & { courseKey: string }, form: ChildrenRequest): Promise<CreateOutcome> {
    const keys = [
      this.key('idem', 'hash', record.contentHash),
      this.key('req', record.id),
      this.key('req', record.id, 'form'),
      this.key('requests'),
      this.key('course', record.courseKey),
      ...(record.clientRequestId ? [this.key('idem', 'client', record.clientRequestId)] : []),
    ];
    const receivedMs = Date.parse(record.receivedAt);
    const args = [
      record.id,
      record.contentHash,
      String(receivedMs),
      String(this.retention.recordSeconds),
      JSON.stringify(form),
      String(this.retention.formSeconds),
      ...encode({ ...record, meetingCount: 0 }),
    ];
    const [kind, value] = (await this.redis.eval(CREATE_SCRIPT, keys.length, ...keys, ...args)) as [string, string];
    // Index entries older than the retention are trimmed here, where the index grows.
    if (kind === 'created')
      await this.redis.zremrangebyscore(this.key('requests'), '-inf', String(receivedMs - this.retention.recordSeconds * 1000));
    if (kind === 'same-request-id') {
      const [id, hash] = value.split('|');
      return { kind, id, hash };
    }
    return { kind: kind as 'created' | 'same-content' | 'course-open', id: value };
  }

  /** Keeps the course's contacts once (a repeated submission does not overwrite what later steps added). */
  async saveContacts(id: string, contacts: CourseContacts): Promise<void> {
    await this.redis.set(this.key('req', id, 'contacts'), JSON.stringify(contacts), 'EX', this.retention.recordSeconds, 'NX');
  }

  async getContacts(id: string): Promise<CourseContacts | null> {
    const s = await this.redis.get(this.key('req', id, 'contacts'));
    return s ? (JSON.parse(s) as CourseContacts) : null;
  }

  /** The latest agreement form's addresses, for the follow-up invitation (keeps the key's expiry). */
  async setParticipantMailboxes(id: string, mailboxes: string[]): Promise<void> {
    const c = await this.getContacts(id);
    if (c) await this.redis.set(this.key('req', id, 'contacts'), JSON.stringify({ ...c, participantMailboxes: mailboxes }), 'KEEPTTL');
  }

  async deleteContacts(id: string): Promise<void> {
    await this.redis.del(this.key('req', id, 'contacts'));
  }

  async get(id: string): Promise<ChildrenRequestRecord | null> {
    const h = await this.redis.hgetall(this.key('req', id));
    return h && h.id ? decode<ChildrenRequestRecord>(h) : null;
  }

  async getForm(id: string): Promise<ChildrenRequest | null> {
    const s = await this.redis.get(this.key('req', id, 'form'));
    return s ? (JSON.parse(s) as ChildrenRequest) : null;
  }

  async deleteForm(id: string, at: string): Promise<void> {
    await this.redis
      .multi()
      .del(this.key('req', id, 'form'))
      .hsetnx(this.key('req', id), 'formDeletedAt', at)
      .exec();
  }

  /** Sets fields of an existing request (ids, references). */
  async update(id: string, fields: Partial<ChildrenRequestRecord>): Promise<void> {
    const args = encode(fields);
    if (args.length) await this.redis.hset(this.key('req', id), ...args);
  }

  /** Records a milestone once: a retry or a second caller keeps the first time. Returns true if this call set it. */
  async milestone(id: string, field: keyof CourseMilestones, at: string): Promise<boolean> {
    return (await this.redis.hsetnx(this.key('req', id), field, at)) === 1;
  }

  async clearLeaderMailbox(id: string): Promise<void> {
    await this.redis.hdel(this.key('req', id), 'leaderMailbox');
  }

  /** Marks a failed step on an existing request (never re-creates an expired one). */
  async setProblem(id: string, code: string, at: string): Promise<void> {
    await this.redis.eval(
      "if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'problem', ARGV[1], 'problemAt', ARGV[2]) end",
      1,
      this.key('req', id),
      code,
      at,
    );
  }

  async clearProblem(id: string): Promise<void> {
    await this.redis.hdel(this.key('req', id), 'problem', 'problemAt');
  }

  /** Newest first. */
  async list(limit: number): Promise<ChildrenRequestRecord[]> {
    const ids = await this.redis.zrevrange(this.key('requests'), 0, limit - 1);
    const out: ChildrenRequestRecord[] = [];
    for (const id of ids) {
      const r = await this.get(id);
      if (r) out.push(r);
    }
    return out;
  }

  // ---- meetings ----

  /**
   * Creates meeting number `seq` of a request if it does not exist yet; returns the stored meeting
   * (the existing one when another caller got there first).
   */
  async createMeeting(requestId: string, seq: number, scheduledStart: string): Promise<{ meeting: MeetingRecord; created: boolean }> {
    const id = meetingIdOf(requestId, seq);
    const k = this.key('mtg', id);
    const created = (await this.redis.hsetnx(k, 'id', id)) === 1;
    if (created) {
      await this.redis
        .multi()
        .hset(k, ...encode({ requestId, seq, scheduledStart }))
        .expire(k, this.retention.recordSeconds)
        .hset(this.key('req', requestId), 'meetingCount', String(seq))
        .exec();
    }
    return { meeting: (await this.getMeeting(id))!, created };
  }

  async getMeeting(id: string): Promise<MeetingRecord | null> {
    const h = await this.redis.hgetall(this.key('mtg', id));
    return h && h.requestId ? decode<MeetingRecord>(h) : null;
  }

  async meetings(requestId: string, count: number): Promise<MeetingRecord[]> {
    const out: MeetingRecord[] = [];
    for (let seq = 1; seq <= count; seq++) {
      const m = await this.getMeeting(meetingIdOf(requestId, seq));
      if (m) out.push(m);
    }
    return out;
  }

  /** Moves a meeting and raises its invitation sequence; returns the new sequence. */
  async rescheduleMeeting(id: string, scheduledStart: string): Promise<number> {
    const [, [, seq]] = (await this.redis
      .multi()
      .hset(this.key('mtg', id), 'scheduledStart', scheduledStart)
      .hincrby(this.key('mtg', id), 'inviteSeq', 1)
      .exec()) as [[Error | null, unknown], [Error | null, number]];
    return Number(seq);
  }

  async updateMeeting(id: string, fields: Partial<MeetingRecord>): Promise<void> {
    const args = encode(fields);
    if (args.length) await this.redis.hset(this.key('mtg', id), ...args);
  }

  /** Stores the agreement once per meeting: 'stored', or the hash of the agreement recorded earlier. */
  async recordAgreement(
    meetingId: string,
    hash: string,
    form: AgreementForm,
    receivedAt: string,
    heldAt: string,
  ): Promise<{ stored: true } | { stored: false; existingHash: string }> {
    const res = (await this.redis.eval(
      AGREEMENT_SCRIPT,
      2,
      this.key('mtg', meetingId),
      this.key('mtg', meetingId, 'agreement'),
      hash,
      receivedAt,
      heldAt,
      JSON.stringify(form),
      String(this.retention.formSeconds),
    )) as string;
    if (res === '-') throw new Error(`meeting ${meetingId} does not exist`);
    return res === '' ? { stored: true } : { stored: false, existingHash: res };
  }

  async getAgreement(meetingId: string): Promise<AgreementForm | null> {
    const s = await this.redis.get(this.key('mtg', meetingId, 'agreement'));
    return s ? (JSON.parse(s) as AgreementForm) : null;
  }

  async deleteAgreement(meetingId: string, at: string): Promise<void> {
    await this.redis
      .multi()
      .del(this.key('mtg', meetingId, 'agreement'))
      .hsetnx(this.key('mtg', meetingId), 'agreementDeletedAt', at)
      .exec();
  }
}
