import { createHash, randomUUID } from 'node:crypto';
import { AuditService } from '../../audit/audit.service';
import { CourseMilestones, deriveStatus } from '../../domain/children-course';
import { meetingAudience } from '../../domain/children-participants';
import {
  checkChildrenRequest,
  checkMeetingTime,
  ChildrenWarningCode,
  isHomeVisit,
  LocalUnitType,
  PlaceType,
} from '../../domain/children-meeting.rules';
import { acceptanceDeadline, WorkingDayCalendar } from '../../domain/working-days';
import { childrenIntake } from '../../metrics/metrics';
import { agreementSchema, childrenRequestSchema, closeSchema, followUpSchema } from '../../../schemas/children-request.schema';
import { ChildrenRequestError } from './children.errors';
import type { ChildrenJobs } from './children.jobs';
import { ChildrenRequestRecord, ChildrenStore, MeetingRecord } from './children.store';

export interface ChildrenSettings {
  acceptWorkingDays: number;
  homeVisitWindowExempt: boolean;
  followUpDays: number;
  /** A course with no close is open until this many months after its last meeting (CHILDREN_COURSE_OPEN_MONTHS). */
  courseOpenMonths?: number;
  /** Replace the computed delays (demos, tests). */
  deadlineDelayMs?: number;
  followUpDelayMs?: number;
}

export interface SubmitResult {
  id: string;
  status: string;
  duplicate: boolean;
  /** 'telefonisk': a health visitors' home meeting, invited by phone (no mail to the central mailbox). */
  invitation: 'mail' | 'telefonisk';
  /** Accepted, but worth the local leader's attention; always present, empty when there is nothing. */
  warnings: ChildrenWarningCode[];
}

export interface MeetingResult {
  requestId: string;
  meetingId: string;
  status: string;
  duplicate: boolean;
  followUpMeetingId?: string;
}

/** What a caller may see of a request: ids, unit, times and milestones; never the form's personal data. */
export interface RequestView extends CourseMilestones {
  id: string;
  status: string;
  unit: string;
  localUnitType: LocalUnitType;
  placeType: PlaceType;
  proposedStart: string;
  receivedAt: string;
  acceptanceDeadline: string;
  warnings: string[];
  formDeletedAt?: string;
  problem?: { code: string; at?: string };
  meetings: Array<{
    id: string;
    seq: number;
    scheduledStart: string;
    heldAt?: string;
    agreementJournaledAt?: string;
    agreementSentAt?: string;
  }>;
}

export interface AcceptSummary {
  id: string;
  unit: ChildrenRequestRecord['unit'];
  proposedStart: string;
  placeType: PlaceType;
  localUnitName?: string;
  placeAddress?: string;
  acceptanceDeadline: string;
  acceptedAt?: string;
  closedAt?: string;
}

const DAY_MS = 86_400_000;
const MEETING_ID = /^[0-9a-f-]{36}-m\d{1,3}$/;

/**
 * The intake use cases behind the HTTP API: validate, apply the rules, store, schedule. Every
 * method is idempotent for a repeated call with the same input.
 */
export class ChildrenIntake {
  constructor(
    private readonly store: ChildrenStore,
    private readonly jobs: ChildrenJobs,
    private readonly audit: AuditService,
    private readonly calendar: WorkingDayCalendar,
    private readonly settings: ChildrenSettings,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async submit(body: unknown): Promise<SubmitResult> {
    try {
      const result = await this.submitForm(body);
      childrenIntake.inc({ outcome: result.duplicate ? 'duplicate' : 'created', code: 'ok' });
      return result;
    } catch (err) {
      if (err instanceof ChildrenRequestError) childrenIntake.inc({ outcome: 'refused', code: err.code });
      throw err;
    }
  }

  private async submitForm(body: unknown): Promise<SubmitResult> {
    const parsed = childrenRequestSchema.safeParse(body);
    if (!parsed.success) throw ChildrenRequestError.validation(parsed.error);
    const form = parsed.data;
    const now = this.now();
    const outcome = checkChildrenRequest({
      consentGiven: form.consentGiven,
      externalUnits: form.externalUnits,
      localUnitType: form.localUnit.type,
      placeType: form.place.type,
      start: new Date(form.proposedStart),
      now,
      calendar: this.calendar,
      homeVisitWindowExempt: this.settings.homeVisitWindowExempt,
    });
    if (!outcome.ok) throw ChildrenRequestError.rules(outcome.violations);

    const { requestId: clientRequestId, ...content } = form;
    // No parents named hashes as before the field existed: a form re-submitted across an upgrade is still the same form.
    const contentHash = sha256(canonicalJson(content.parents.length ? content : { ...content, parents: undefined }));
    const start = new Date(form.proposedStart);
    const computed = acceptanceDeadline(now, start, this.settings.acceptWorkingDays, this.calendar);
    // A configured delay replaces the computation (demos, tests), but a reminder never falls after the meeting's start.
    const deadlineAt =
      this.settings.deadlineDelayMs !== undefined
        ? new Date(Math.min(now.getTime() + this.settings.deadlineDelayMs, start.getTime()))
        : computed.deadlineAt;
    const warnings: ChildrenWarningCode[] = computed.meetingFirst ? ['MEETING_BEFORE_ACCEPT_DEADLINE'] : [];
    const id = randomUUID();
    const courseKey = await this.store.courseKeyOf(form.child.cpr, outcome.unit);
    const create = () =>
      this.store.create(
        {
          id,
          contentHash,
          clientRequestId,
          unit: outcome.unit,
          localUnitType: form.localUnit.type,
          placeType: form.place.type,
          proposedStart: new Date(form.proposedStart).toISOString(),
          receivedAt: now.toISOString(),
          deadlineAt: deadlineAt.toISOString(),
          warnings,
          leaderMailbox: form.localLeader.email,
          localUnitName: form.localUnit.name,
          // The child's home address is personal data: it stays in the form (PDF), never in invitations.
          placeAddress: form.place.type === 'hjem' ? undefined : form.place.address,
          courseKey,
        },
        form,
      );
    let created = await create();
    if (created.kind === 'course-open' && !(await this.courseStillOpen(created.id, now))) {
      // The course that held the key has lapsed (or its record expired): it no longer blocks a new one.
      await this.store.releaseCourse(courseKey, created.id);
      created = await create();
    }
    if (created.kind === 'course-open') {
      await this.audit.record({
        action: 'children.intake',
        system: 'tsm-bridge',
        outcome: 'skipped',
        requestId: created.id,
        reason: 'COURSE_ALREADY_OPEN: a new request for the open course',
      });
      throw ChildrenRequestError.courseOpen(created.id);
    }

    if (created.kind === 'same-request-id' && created.hash !== contentHash) throw ChildrenRequestError.of('REQUEST_ID_REUSED', 409);
    const record = (await this.store.get(created.id))!;
    // Also on a repeat (same content): the first call may have died before keeping them.
    await this.store.saveContacts(record.id, {
      localLeader: form.localLeader,
      meetingLeader: form.meetingLeader,
      parents: form.parents,
    });
    if (created.kind === 'created') {
      await this.audit.record({
        action: 'children.intake',
        system: 'tsm-bridge',
        outcome: 'ok',
        requestId: id,
        externalIds: { unit: outcome.unit },
      });
    } else {
      await this.audit.record({
        action: 'children.intake',
        system: 'tsm-bridge',
        outcome: 'reused',
        requestId: record.id,
        reason: created.kind,
      });
    }
    // Also on a repeat: the first call may have stored the request and died before enqueueing.
    await this.schedule(record);
    return {
      id: record.id,
      status: deriveStatus(record),
      duplicate: created.kind !== 'created',
      invitation: isHomeVisit(record.localUnitType, record.placeType) ? 'telefonisk' : 'mail',
      warnings: (record.warnings ?? []) as ChildrenWarningCode[],
    };
  }

  /**
   * "Der udfyldes kun anmodningsskema, hvis der er tale om et nyt forløb": a course is open until it is
   * closed or `courseOpenMonths` after its last meeting (held or scheduled; the proposed start before any).
   */
  private async courseStillOpen(requestId: string, now: Date): Promise<boolean> {
    const r = await this.store.get(requestId);
    if (!r || r.closedAt) return false;
    const meetings = await this.store.meetings(r.id, r.meetingCount);
    const last = Math.max(Date.parse(r.proposedStart), ...meetings.map((m) => Date.parse(m.heldAt ?? m.scheduledStart)));
    const until = new Date(last);
    until.setUTCMonth(until.getUTCMonth() + (this.settings.courseOpenMonths ?? 12));
    return now.getTime() < until.getTime();
  }

  /** Closes a course ("forløb"): a new request for the same child and unit is then a new course. Idempotent. */
  async close(requestId: string, body: unknown): Promise<{ requestId: string; status: string; closedAt: string; duplicate: boolean }> {
    const parsed = closeSchema.safeParse(body);
    if (!parsed.success) throw ChildrenRequestError.validation(parsed.error);
    const r = await this.requireRequest(requestId);
    const now = this.now().toISOString();
    const first = await this.store.milestone(r.id, 'closedAt', now);
    if (first) {
      await this.store.update(r.id, { closeReason: parsed.data.reason });
      await this.audit.record({ action: 'children.close', system: 'tsm-bridge', outcome: 'ok', requestId: r.id });
    }
    if (r.courseKey) await this.store.releaseCourse(r.courseKey, r.id);
    // The course is over: who it reached is no longer needed here (eDoc holds the forms).
    await this.store.deleteContacts(r.id);
    const after = (await this.store.get(r.id))!;
    return { requestId: r.id, status: deriveStatus(after), closedAt: after.closedAt!, duplicate: !first };
  }

  private async schedule(r: ChildrenRequestRecord): Promise<void> {
    if (!r.routedAt || !r.journaledAt) await this.jobs.route(r.id);
    if (!r.acceptedAt && !r.acceptanceReminderSentAt) {
      await this.jobs.acceptanceDeadline(r.id, Date.parse(r.deadlineAt) - this.now().getTime());
    }
  }

  async accept(requestId: string, via: 'api' | 'link' = 'api'): Promise<MeetingResult> {
    const r = await this.requireRequest(requestId);
    const now = this.now().toISOString();
    const first = await this.store.milestone(requestId, 'acceptedAt', now);
    const { meeting } = await this.store.createMeeting(requestId, 1, r.proposedStart);
    if (first) {
      await this.audit.record({
        action: 'children.accept',
        system: 'tsm-bridge',
        outcome: 'ok',
        requestId,
        meetingId: meeting.id,
        ...(via === 'link' ? { reason: 'accepted through the signed link in the unit mail' } : {}),
      });
    }
    const after = (await this.store.get(requestId))!;
    return { requestId, meetingId: meeting.id, status: deriveStatus(after), duplicate: !first };
  }

  async recordAgreement(meetingId: string, body: unknown): Promise<MeetingResult> {
    const parsed = agreementSchema.safeParse(body);
    if (!parsed.success) throw ChildrenRequestError.validation(parsed.error);
    const form = parsed.data;
    const meeting = MEETING_ID.test(meetingId) ? await this.store.getMeeting(meetingId) : null;
    if (!meeting) throw ChildrenRequestError.of('MEETING_NOT_FOUND', 404);
    const r = await this.requireRequest(meeting.requestId);
    if (!r.acceptedAt) throw ChildrenRequestError.of('NOT_ACCEPTED', 409);

    const heldAt = new Date(form.meetingDate ?? meeting.scheduledStart).toISOString();
    const hash = sha256(canonicalJson(form));
    // "Aftaleskemaet udfyldes i forbindelse med mødet": not for a meeting whose start is still ahead.
    if (meeting.agreementHash !== hash && Date.parse(heldAt) > this.now().getTime()) throw ChildrenRequestError.of('MEETING_NOT_HELD', 409);
    // A repeat of the recorded form passed these checks when it was new (its follow-up may be past by now).
    if (form.followUpMeetingDate && meeting.agreementHash !== hash) this.checkFollowUp(r, heldAt, form.followUpMeetingDate);

    const now = this.now();
    const stored = await this.store.recordAgreement(meetingId, hash, form, now.toISOString(), heldAt);
    if (!stored.stored && stored.existingHash !== hash) throw ChildrenRequestError.of('AGREEMENT_ALREADY_RECORDED', 409);

    if (meeting.seq === 1) await this.store.milestone(r.id, 'firstMeetingHeldAt', heldAt);
    if (stored.stored) {
      // The follow-up invitation goes to this meeting's participants with an address (the form itself is deleted once sent).
      const contacts = await this.store.getContacts(r.id);
      const { mailboxes } = meetingAudience({
        participants: form.participants,
        parents: contacts?.parents,
        meetingLeader: contacts?.meetingLeader,
      });
      await this.store.setParticipantMailboxes(r.id, mailboxes);
    }
    const followUp = form.followUpMeetingDate
      ? await this.scheduleFollowUp(r, meeting.seq, new Date(form.followUpMeetingDate).toISOString(), stored.stored)
      : undefined;
    if (stored.stored) {
      await this.audit.record({ action: 'children.agreement', system: 'tsm-bridge', outcome: 'ok', requestId: r.id, meetingId });
    }
    // Repeated on a duplicate call too, in case the first died before enqueueing; both are idempotent.
    await this.jobs.journalAgreement(meetingId);
    if (meeting.seq === 1 && !form.followUpMeetingDate) {
      const due = this.settings.followUpDelayMs ?? Date.parse(heldAt) + this.settings.followUpDays * DAY_MS - now.getTime();
      await this.jobs.followUpCheck(r.id, due);
    }
    const after = (await this.store.get(r.id))!;
    return { requestId: r.id, meetingId, status: deriveStatus(after), duplicate: !stored.stored, followUpMeetingId: followUp?.id };
  }

  /** Sets the follow-up meeting when it was not agreed at the meeting. */
  async setFollowUp(requestId: string, body: unknown): Promise<MeetingResult> {
    const parsed = followUpSchema.safeParse(body);
    if (!parsed.success) throw ChildrenRequestError.validation(parsed.error);
    const r = await this.requireRequest(requestId);
    if (!r.acceptedAt) throw ChildrenRequestError.of('NOT_ACCEPTED', 409);
    const meetings = await this.store.meetings(r.id, r.meetingCount);
    const lastHeld = meetings.filter((m) => m.heldAt).pop();
    if (!lastHeld) throw ChildrenRequestError.of('NO_MEETING_HELD', 409);
    this.checkFollowUp(r, lastHeld.heldAt!, parsed.data.start);
    const m = await this.scheduleFollowUp(r, lastHeld.seq, new Date(parsed.data.start).toISOString(), true);
    const after = (await this.store.get(r.id))!;
    return { requestId: r.id, meetingId: m.id, status: deriveStatus(after), duplicate: false };
  }

  private checkFollowUp(r: ChildrenRequestRecord, heldAt: string, start: string): void {
    const startAt = new Date(start);
    if (startAt.getTime() <= Date.parse(heldAt)) throw ChildrenRequestError.of('FOLLOW_UP_BEFORE_MEETING', 422);
    const violations = checkMeetingTime({
      start: startAt,
      localUnitType: r.localUnitType,
      placeType: r.placeType,
      now: this.now(),
      calendar: this.calendar,
      homeVisitWindowExempt: this.settings.homeVisitWindowExempt,
    });
    if (violations.length) throw ChildrenRequestError.rules(violations);
  }

  /**
   * The meeting after meeting `afterSeq`: created if missing; if it exists and is not held yet, it
   * is moved to `start` when `move` (a new instruction, not a repeated call).
   */
  private async scheduleFollowUp(r: ChildrenRequestRecord, afterSeq: number, start: string, move: boolean): Promise<MeetingRecord> {
    const { meeting, created } = await this.store.createMeeting(r.id, afterSeq + 1, start);
    if (created || !move || meeting.heldAt || meeting.scheduledStart === start) {
      if (created) await this.store.update(r.id, { followUpMeetingStart: start });
      // "Lokal leder har ansvar for at indkalde": the invitation (ICS) goes out; enqueued again on a repeat, sent once.
      if (!meeting.heldAt) await this.jobs.followUpInvite(meeting.id, meeting.inviteSeq ?? 0);
      return meeting;
    }
    const sequence = await this.store.rescheduleMeeting(meeting.id, start);
    await this.store.update(r.id, { followUpMeetingStart: start });
    // The moved meeting: the same calendar entry (UID) with a higher SEQUENCE.
    await this.jobs.followUpInvite(meeting.id, sequence);
    return { ...meeting, scheduledStart: start, inviteSeq: sequence };
  }

  /** What the accept link's page shows: unit, time, place (never the home address), deadline, whether accepted. No personal data. */
  async acceptSummary(requestId: string): Promise<AcceptSummary> {
    const r = await this.requireRequest(requestId);
    return {
      id: r.id,
      unit: r.unit,
      proposedStart: r.proposedStart,
      placeType: r.placeType,
      localUnitName: r.localUnitName,
      placeAddress: r.placeAddress,
      acceptanceDeadline: r.deadlineAt,
      acceptedAt: r.acceptedAt,
      closedAt: r.closedAt,
    };
  }

  async view(requestId: string): Promise<RequestView> {
    const r = await this.requireRequest(requestId);
    return toView(r, await this.store.meetings(r.id, r.meetingCount));
  }

  async list(filter: { status?: string; limit: number }): Promise<RequestView[]> {
    const out: RequestView[] = [];
    // Status is derived, so filter after reading; the index is bounded by the record retention.
    for (const r of await this.store.list(10_000)) {
      if (filter.status && deriveStatus(r) !== filter.status) continue;
      out.push(toView(r, await this.store.meetings(r.id, r.meetingCount)));
      if (out.length >= filter.limit) break;
    }
    return out;
  }

  private async requireRequest(id: string): Promise<ChildrenRequestRecord> {
    const r = /^[0-9a-f-]{36}$/.test(id) ? await this.store.get(id) : null;
    if (!r) throw ChildrenRequestError.of('REQUEST_NOT_FOUND', 404);
    return r;
  }
}

function toView(r: ChildrenRequestRecord, meetings: MeetingRecord[]): RequestView {
  return {
    id: r.id,
    status: deriveStatus(r),
    unit: r.unit,
    localUnitType: r.localUnitType,
    placeType: r.placeType,
    proposedStart: r.proposedStart,
    receivedAt: r.receivedAt,
    acceptanceDeadline: r.deadlineAt,
    routedAt: r.routedAt,
    journaledAt: r.journaledAt,
    acceptanceReminderSentAt: r.acceptanceReminderSentAt,
    acceptedAt: r.acceptedAt,
    firstMeetingHeldAt: r.firstMeetingHeldAt,
    followUpMeetingStart: r.followUpMeetingStart,
    followUpReminderSentAt: r.followUpReminderSentAt,
    closedAt: r.closedAt,
    warnings: r.warnings ?? [],
    formDeletedAt: r.formDeletedAt,
    problem: r.problem ? { code: r.problem, at: r.problemAt } : undefined,
    meetings: meetings.map((m) => ({
      id: m.id,
      seq: m.seq,
      scheduledStart: m.scheduledStart,
      heldAt: m.heldAt,
      agreementJournaledAt: m.agreementJournaledAt,
      agreementSentAt: m.agreementSentAt,
    })),
  };
}

/** JSON with object keys sorted, so the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}
