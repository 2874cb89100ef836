import type { NexusPort } from '../../../adapters/nexus/nexus.port';
import type { JobContext } from '../../../queues/job-context';
import { JobHandler } from '../../../queues/job-handler.decorator';
import type { JobPayload } from '../../../queues/job-types';
import type { QueueGateway } from '../../../queues/queue.gateway';
import { AuditService } from '../../audit/audit.service';
import { IntegrationError, PermanentError } from '../../common/errors';
import { District, findDistrict } from '../../config/districts';
import {
  isUndeliverableReason,
  undeliverableLetterKey,
  undeliverableLetterTask,
  UnlockedNote,
  unlockedNotesJobId,
  unlockedNotesTask,
  UnlockedTaskSettings,
  unlockedTaskDate,
  unlockedTaskInstant,
} from '../../domain/after-meeting.coordinator';
import { copenhagenDate } from '../../common/local-time';
import { meetingId } from '../../domain/after-meeting.rules';
import type { WorkingDayCalendar } from '../../domain/working-days';
import type { KeyLock } from '../../ledger/key-lock';
import type { Ledger } from '../../ledger/ledger';
import { rootLogger } from '../../logging/logger';
import type { AgendaStore } from '../agenda/agenda.store';
import { createTaskOnce } from './after-meeting.nexus-task';
import type { AfterMeetingStore } from './after-meeting.store';

export interface CoordinatorTasksSettings {
  unlockedTask: UnlockedTaskSettings;
  taskType: string;
  taskLockTtlMs: number;
}

export interface CoordinatorTasksDeps {
  nexus: NexusPort;
  ledger: Ledger;
  lock: KeyLock;
  audit: AuditService;
  agendas: Pick<AgendaStore, 'load'>;
  flows: Pick<AfterMeetingStore, 'record'>;
  queues: Pick<QueueGateway, 'enqueue'>;
  districts: readonly District[];
  calendar: WorkingDayCalendar;
  settings: CoordinatorTasksSettings;
  now: () => Date;
}

/**
 * The coordinator's after-meeting tasks in Nexus (issue 17): the agenda notes still not locked one
 * working day after the meeting (and each working day after, at most AFTER_MEETING_UNLOCKED_TASK_MAX
 * times), and one task per GP letter that cannot be delivered. Each task is a ledger entry under a
 * deterministic key, taken in turns (key lock), and found again by its title after a lost reply.
 */
export class CoordinatorTasks {
  private readonly log = rootLogger().child({ component: 'after-meeting-coordinator' });

  constructor(private readonly d: CoordinatorTasksDeps) {}

  private district(districtId: string): District {
    const district = findDistrict(this.d.districts, districtId);
    if (!district) throw new PermanentError(`unknown district ${JSON.stringify(districtId)}`, 'AGENDA_UNKNOWN_DISTRICT');
    return district;
  }

  /** The `round`-th reminder as a delayed job (round 1 is enqueued by the agenda's publication, agenda.follow-up.ts). */
  async scheduleRound(districtId: string, meetingDate: string, round: number): Promise<{ jobId: string; at: string } | null> {
    const s = this.d.settings.unlockedTask;
    if (round > s.maxTasks) return null;
    const at = unlockedTaskInstant(this.district(districtId).startTime, meetingDate, round, s, this.d.calendar);
    const jobId = unlockedNotesJobId(districtId, meetingDate, round);
    await this.d.queues.enqueue(
      'after-meeting.unlocked-notes',
      { districtId, meetingDate, round },
      { jobId, delayMs: Math.max(0, at.getTime() - this.d.now().getTime()) },
    );
    return { jobId, at: at.toISOString() };
  }

  @JobHandler('after-meeting.unlocked-notes')
  async unlockedNotes(
    p: JobPayload<'after-meeting.unlocked-notes'>,
    ctx?: JobContext,
  ): Promise<{ unlocked: number[]; task?: string; next?: string }> {
    const district = this.district(p.districtId);
    const stored = await this.d.agendas.load(p.districtId, p.meetingDate);
    if (!stored) return { unlocked: [] }; // no agenda kept (60 days): nothing to remind of
    const unlocked: UnlockedNote[] = [];
    for (const item of stored.agenda.items) {
      const note = await this.d.nexus.getNote(item.noteId).catch((err: unknown) => {
        if (err instanceof IntegrationError && err.status === 404) return null; // deleted: nothing to lock
        throw err;
      });
      if (note && !note.locked) unlocked.push({ noteId: item.noteId, citizenId: item.citizenId, start: item.start });
    }
    ctx?.log.info(
      { meetingId: meetingId(p.districtId, p.meetingDate), round: p.round, unlocked: unlocked.map((n) => n.noteId) },
      'agenda notes not locked after the meeting',
    );
    if (!unlocked.length) return { unlocked: [] };

    const anchor = [...unlocked].sort((a, b) => a.noteId - b.noteId)[0];
    const names = new Map<number, string>();
    for (const id of new Set(unlocked.map((n) => n.citizenId))) names.set(id, (await this.d.nexus.getCitizenIdentity(id)).fullName);
    const text = unlockedNotesTask(p.meetingDate, unlocked, names, p.round, this.d.settings.unlockedTask.maxTasks);
    const key = `nexus-task:unlocked-notes:${p.districtId}:${p.meetingDate}:${p.round}`;
    const dueDate = unlockedTaskDate(p.meetingDate, p.round, this.d.settings.unlockedTask, this.d.calendar);
    const task = await this.createTask(key, { noteId: anchor.noteId }, district.nexus.organisations.coordinator, text, dueDate, {
      noteId: anchor.noteId,
      meetingId: meetingId(p.districtId, p.meetingDate),
      kind: 'unlocked-notes',
      extra: { round: String(p.round), notes: unlocked.map((n) => n.noteId).join(',') },
    });
    const next = await this.scheduleRound(p.districtId, p.meetingDate, p.round + 1);
    return { unlocked: unlocked.map((n) => n.noteId), task, ...(next ? { next: next.at } : {}) };
  }

  @JobHandler('after-meeting.letter-undeliverable')
  async letterUndeliverable(p: JobPayload<'after-meeting.letter-undeliverable'>): Promise<{ task: string } | { skipped: string }> {
    if (!isUndeliverableReason(p.reason)) return { skipped: `not an undeliverable-letter reason: ${p.reason}` };
    const meeting = await this.meetingOf(p);
    if (!meeting) {
      // A letter of no meeting (sent by hand or a tool): operations see its own dead letter; there is no coordinator to tell.
      this.log.warn(
        { noteId: p.noteId, letterId: p.letterId, reason: p.reason, code: 'LETTER_MEETING_UNKNOWN' },
        'undeliverable letter belongs to no known meeting: no coordinator task',
      );
      return { skipped: 'LETTER_MEETING_UNKNOWN' };
    }
    const district = this.district(meeting.districtId);
    const note = await this.d.nexus.getNote(p.noteId);
    const letter = {
      noteId: p.noteId,
      noteVersion: p.noteVersion,
      kind: p.kind,
      reason: p.reason,
      letterId: p.letterId,
      refuseCode: p.refuseCode,
    };
    const text = undeliverableLetterTask(meeting.meetingDate, letter);
    const key = `nexus-task:letter-undeliverable:${undeliverableLetterKey(letter)}`;
    const due = this.d.calendar.addWorkingDays(this.today(), 1);
    const task = await this.createTask(key, { citizenId: note.citizenId }, district.nexus.organisations.coordinator, text, due, {
      noteId: p.noteId,
      meetingId: meetingId(meeting.districtId, meeting.meetingDate),
      kind: 'letter-undeliverable',
      extra: { reason: p.reason, ...(p.letterId ? { letterId: p.letterId } : {}), noteVersion: String(p.noteVersion) },
    });
    return { task };
  }

  private today(): string {
    return copenhagenDate(this.d.now());
  }

  /** The meeting a letter belongs to: the payload, the note's after-meeting flow, or the agenda's invitation audit line. */
  private async meetingOf(
    p: JobPayload<'after-meeting.letter-undeliverable'>,
  ): Promise<{ districtId: string; meetingDate: string } | null> {
    if (p.districtId && p.meetingDate) return { districtId: p.districtId, meetingDate: p.meetingDate };
    const flow = await this.d.flows.record({ noteId: p.noteId, noteVersion: p.noteVersion });
    if (flow) return { districtId: flow.districtId, meetingDate: flow.meetingDate };
    const invited = (await this.d.audit.query({ noteId: p.noteId })).filter((r) => r.action === 'medcom.invite' && r.meetingId).pop();
    const m = invited?.meetingId ? /^([^/]+)\/(\d{4}-\d{2}-\d{2})$/.exec(invited.meetingId) : null;
    return m && findDistrict(this.d.districts, m[1]) ? { districtId: m[1], meetingDate: m[2] } : null;
  }

  private async createTask(
    key: string,
    on: { noteId: number } | { citizenId: number },
    organisationName: string,
    text: { title: string; description: string },
    dueDate: string,
    audit: { noteId: number; meetingId: string; kind: string; extra: Record<string, string> },
  ): Promise<string> {
    const r = await this.d.lock.withLock(key, this.d.settings.taskLockTtlMs, () =>
      createTaskOnce(this.d, key, {
        on,
        typeName: this.d.settings.taskType,
        title: text.title,
        description: text.description,
        dueDate,
        organisationName,
      }),
    );
    await this.d.audit.recordOnce(key, {
      action: 'nexus.task',
      system: 'nexus',
      outcome: r.outcome === 'performed' ? 'ok' : 'reused',
      noteId: audit.noteId,
      meetingId: audit.meetingId,
      ledgerKey: key,
      externalIds: { task: r.externalId, kind: audit.kind, organisation: organisationName, ...audit.extra },
    });
    if (r.outcome === 'performed')
      this.log.info({ meetingId: audit.meetingId, kind: audit.kind, task: r.externalId, noteId: audit.noteId }, 'coordinator task created');
    return r.externalId;
  }
}
