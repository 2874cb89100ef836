import { JobHandler } from '../../../queues/job-handler.decorator';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { nexusFor, type NexusNote, type NexusPort } from '../../../adapters/nexus/nexus.port';
import type { QueueGateway } from '../../../queues/queue.gateway';
import { AuditService } from '../../audit/audit.service';
import { mapWithConcurrency } from '../../common/concurrency';
import { errorCode } from '../../common/errors';
import { watchLastPass, watchUnreadCitizens } from '../../metrics/metrics';
import { District, findDistrict } from '../../config/districts';
import {
  addDays,
  flowJobId,
  followUpsOf,
  followUpTasks,
  meetingDateOf,
  meetingId,
  noteVersionKey,
  timestampMs,
} from '../../domain/after-meeting.rules';
import { meetingStartInstant } from '../../domain/meeting-calendar';
import { copenhagenDate } from '../../common/local-time';
import type { Ledger } from '../../ledger/ledger';
import type { NoteFlowPayload } from '../../../queues/jobs/after-meeting.jobs';
import { noteFlow, sharedNoteReads, stepsFor } from './after-meeting.flow';
import { createTaskOnce } from './after-meeting.nexus-task';
import type { AfterMeetingSettings } from './after-meeting.settings';
import { noteLocationOf, type AfterMeetingStore, type WatchedMeeting, type WatchedNote } from './after-meeting.store';

/**
 * The sweep's cursor never moves past the moment the query began, minus this overlap: a note whose
 * clock says "future" (bad data, a skewed Nexus clock) must not make the sweep skip later locks.
 * Re-reading the overlap costs only the (id, version) check per note.
 */
export const CURSOR_OVERLAP_MS = 10 * 60_000;

/** Notes whose flows the watch starts at once (bench/: 2,000 locked notes, see docs/benchmark.md). */
export const WATCH_START_CONCURRENCY = 16;

type StartOutcome = 'started' | 'correction' | 'already-processed' | 'stale' | 'not-locked';

export type WatchSettings = Pick<AfterMeetingSettings, 'labels' | 'organisations' | 'taskDueDays' | 'lookbackMs' | 'watchLeaseMs'> & {
  /** How long after a meeting's start the targeted watch keeps reading its notes (WATCH_FOLLOW_UP_DAYS). */
  followUpMs: number;
};

/** What one targeted pass did: reads are one GET per watched note of a meeting under way. */
export interface PassSummary {
  /** Meetings under way whose notes were read. */
  meetings: number;
  /** Notes read (one Nexus GET each). */
  read: number;
  started: number;
  corrections: number;
  alreadyProcessed: number;
  /** Read but not locked yet: read again on the next pass. */
  notLocked: number;
  /** Could not be read this pass (kept for the next). */
  unread: number;
  /** Meetings whose follow-up window ended in this pass: their notes are no longer read. */
  windowsClosed: number;
  skipped?: 'watch already running';
}

export interface WatchSummary {
  found: number;
  started: number;
  corrections: number;
  /** Versions whose flow was already enqueued: a repeated hit, harmless. */
  alreadyProcessed: number;
  /** Older than a version already processed (Nexus served a stale read). */
  stale: number;
  /** Locked before their meeting began: left for the targeted watch, which processes them once it has. */
  deferred: number;
  /** Started and reported to the coordinator: never on an agenda, or a correction. */
  reported: number;
  /** Citizens Nexus could not give us in this pass; their notes are looked for again on the next. */
  unreadCitizens: number;
  /** Another sweep was still running (walking a large list can outlast the interval). */
  skipped?: 'sweep already running';
}

const SWEEP_COUNTS = ['found', 'started', 'corrections', 'alreadyProcessed', 'stale', 'deferred', 'reported', 'unreadCitizens'] as const;

/** A sweep's counts before it has found anything. */
function noSweepYet(): WatchSummary {
  return Object.fromEntries(SWEEP_COUNTS.map((k) => [k, 0])) as Record<(typeof SWEEP_COUNTS)[number], number>;
}

/** Tells the coordinator about a note the sweep processed outside an agenda (a Nexus task). */
export interface LateNoteReporter {
  report(district: District, note: NexusNote, payload: NoteFlowPayload, kind: 'late' | 'correction'): Promise<void>;
}

/**
 * The after-meeting watch, in two parts (docs/nexus.md, "Call budget"):
 *
 * - `pass()` (the 'notes.watch' job, every WATCH_INTERVAL_MS): for each meeting that has begun
 *   (meeting date, start of its first slot, Copenhagen time) and whose follow-up window is open,
 *   one GET per note of its published agenda that is not processed yet, by the self link the
 *   agenda stored. A locked note starts its flow, in the version it has then. Outside meeting
 *   windows a pass reads only Redis: nothing is sent to Nexus.
 * - `sweep()` (the 'notes.sweep' job, once a night): the full walk of the citizen list for locked
 *   tagged notes updated since the district's cursor, to find notes never on an agenda (late
 *   additions) and corrections; those are processed and reported to the coordinator. A note whose
 *   meeting has not begun is handed to the targeted watch instead: nothing after-meeting happens
 *   before the meeting has begun.
 *
 * A version is started once; a re-locked newer version is started again as a correction.
 */
export class NotesWatch {
  constructor(
    private readonly nexus: NexusPort,
    private readonly flows: Pick<QueueGateway, 'addFlow'>,
    private readonly store: AfterMeetingStore,
    private readonly audit: AuditService,
    private readonly districts: readonly District[],
    private readonly settings: WatchSettings,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
    private readonly reporter?: LateNoteReporter,
  ) {
    // The call budget: a pass's reads count as 'watch', the nightly walk's as 'sweep'.
    this.watchNexus = nexusFor(nexus, 'watch');
    this.sweepNexus = nexusFor(nexus, 'sweep');
  }

  private readonly watchNexus: NexusPort;
  private readonly sweepNexus: NexusPort;

  // ---- the targeted watch ---------------------------------------------------------------------

  @JobHandler('notes.watch')
  async pass(): Promise<PassSummary> {
    const total: PassSummary = {
      meetings: 0,
      read: 0,
      started: 0,
      corrections: 0,
      alreadyProcessed: 0,
      notLocked: 0,
      unread: 0,
      windowsClosed: 0,
    };
    const begun = await this.store.begunMeetings(this.now());
    // The watch is alive (TsmWatchAbsent), whether or not a meeting is under way.
    for (const d of this.districts) watchLastPass.set({ district: d.id }, this.now().getTime() / 1000);
    if (!begun.length) return total; // outside meeting windows: Redis only, no lease, no Nexus
    return this.leased(
      'watch-lease',
      () => ({ ...total, skipped: 'watch already running' as const }),
      async () => {
        for (const m of begun) await this.passMeeting(m, total);
        return total;
      },
    );
  }

  private async passMeeting(m: WatchedMeeting, total: PassSummary): Promise<void> {
    const district = findDistrict(this.districts, m.districtId);
    const notes = await this.store.watchedNotes(m);
    if (!district || !notes.length || this.now().getTime() >= m.endsAt) {
      // Notes still unlocked when the window ends are the coordinator's follow-up (the unlocked-notes task).
      if (notes.length && this.now().getTime() >= m.endsAt) {
        total.windowsClosed++;
        this.log.info(
          { district: m.districtId, meetingDate: m.meetingDate, unlocked: notes.length },
          "follow-up window over: the watch stops reading the meeting's notes",
        );
      }
      await this.store.unwatchMeeting(m);
      return;
    }
    total.meetings++;
    const outcomes = await mapWithConcurrency(notes, WATCH_START_CONCURRENCY, async (w): Promise<StartOutcome | 'unread'> => {
      let note: NexusNote;
      try {
        note = await this.watchNexus.getNote(w.noteId, noteLocationOf(w));
      } catch (err) {
        this.log.warn(
          { district: m.districtId, noteId: w.noteId, code: errorCode(err) },
          'watched note could not be read; read again on the next pass',
        );
        return 'unread';
      }
      if (!note.locked) return 'not-locked';
      // A flow started here leaves the watch list in the same write that marks it enqueued. That is
      // before the report below, which changes nothing after a crash: read again, the note would be
      // found processed, not reported either.
      const outcome = await this.startFlow(district, note, m.meetingDate, { unwatch: true });
      // A note the sweep found locked before its meeting began was never on the agenda: the coordinator hears of it.
      if (w.source === 'sweep' && outcome === 'started' && this.reporter) {
        await this.reportToCoordinator(district, note, m.meetingDate, 'late');
      }
      if (outcome !== 'started' && outcome !== 'correction') await this.store.unwatchNote(m, w.noteId);
      return outcome;
    });
    for (const o of outcomes) {
      if (o !== 'unread') total.read++;
      if (o === 'unread') total.unread++;
      if (o === 'not-locked') total.notLocked++;
      if (o === 'started' || o === 'correction') total.started++;
      if (o === 'correction') total.corrections++;
      if (o === 'already-processed' || o === 'stale') total.alreadyProcessed++;
    }
    if (total.started) this.log.info({ district: district.id, meetingDate: m.meetingDate, ...total }, 'after-meeting flows started');
  }

  // ---- the nightly sweep ----------------------------------------------------------------------

  async sweep(): Promise<WatchSummary> {
    const total = noSweepYet();
    return this.leased(
      'sweep-lease',
      () => ({ ...total, skipped: 'sweep already running' as const }),
      async () => {
        for (const district of this.districts) {
          const s = await this.sweepDistrict(district);
          for (const k of SWEEP_COUNTS) total[k] += s[k];
        }
        return total;
      },
    );
  }

  private async sweepDistrict(district: District): Promise<WatchSummary> {
    const summary = noSweepYet();
    const queryStart = this.now().getTime();
    const since = (await this.store.cursor(district.id)) ?? new Date(queryStart - this.settings.lookbackMs).toISOString();
    const {
      notes,
      cursor,
      unreadCitizens = [],
    } = await this.sweepNexus.findLockedNotes({
      since,
      formTitle: district.nexus.formTitle,
      tag: district.nexus.tag,
      citizenList: district.nexus.citizenList,
      citizenView: district.nexus.citizenView,
    });
    summary.found = notes.length;
    summary.unreadCitizens = unreadCitizens.length;
    if (unreadCitizens.length) {
      watchUnreadCitizens.inc({ district: district.id }, unreadCitizens.length);
      this.log.warn(
        { district: district.id, unreadCitizens: unreadCitizens.slice(0, 20), count: unreadCitizens.length },
        'citizens Nexus could not give the sweep: their notes are looked for again on the next',
      );
    }
    // Different notes start in parallel; versions of one note in order, because a correction's
    // check reads what the earlier version's start wrote.
    const byNote = new Map<number, NexusNote[]>();
    for (const note of [...notes].sort((a, b) => a.id - b.id || a.version - b.version)) {
      const versions = byNote.get(note.id);
      if (versions) versions.push(note);
      else byNote.set(note.id, [note]);
    }
    const outcomes = await mapWithConcurrency([...byNote.values()], WATCH_START_CONCURRENCY, async (versions) => {
      const out: Array<StartOutcome | 'deferred' | 'reported'> = [];
      for (const note of versions) out.push(...(await this.sweepNote(district, note)));
      return out;
    });
    for (const outcome of outcomes.flat()) {
      if (outcome === 'started' || outcome === 'correction') summary.started++;
      if (outcome === 'correction') summary.corrections++;
      if (outcome === 'already-processed') summary.alreadyProcessed++;
      if (outcome === 'stale') summary.stale++;
      if (outcome === 'deferred') summary.deferred++;
      if (outcome === 'reported') summary.reported++;
    }
    await this.store.advanceCursor(district.id, earlier(cursor, new Date(queryStart - CURSOR_OVERLAP_MS).toISOString()));
    watchLastPass.set({ district: district.id }, this.now().getTime() / 1000);
    if (summary.started || summary.deferred)
      this.log.info({ district: district.id, ...summary }, 'nightly sweep: after-meeting flows started');
    return summary;
  }

  private async sweepNote(district: District, note: NexusNote): Promise<Array<StartOutcome | 'deferred' | 'reported'>> {
    if (!note.locked) return ['not-locked'];
    if (await this.store.isProcessed({ noteId: note.id, noteVersion: note.version })) return ['already-processed'];
    const now = this.now().getTime();
    const watched = await this.store.watchedMeetingOf(note.id);
    // On an agenda whose meeting has not begun: the targeted watch reads it once the meeting has.
    if (watched && watched.startsAt > now) return ['deferred'];
    const meetingDate = watched?.meetingDate ?? meetingDateOf(note.observationTimestamp);
    const startsAt = meetingStartInstant(district, meetingDate).getTime();
    if (!watched && startsAt > now) {
      await this.store.watchNote(
        { districtId: district.id, meetingDate, startsAt, endsAt: startsAt + this.settings.followUpMs },
        { noteId: note.id, citizenId: note.citizenId, source: 'sweep', ...hrefsOf(note) },
      );
      return ['deferred'];
    }
    const outcome = await this.startFlow(district, note, meetingDate);
    if (!this.reporter || (outcome !== 'started' && outcome !== 'correction')) return [outcome];
    const kind = outcome === 'correction' ? 'correction' : !(await this.store.wasOnAgenda(note.id)) ? 'late' : undefined;
    if (!kind) return [outcome];
    const previous = outcome === 'correction' ? await this.store.record({ noteId: note.id, noteVersion: note.version }) : null;
    await this.reportToCoordinator(district, note, meetingDate, kind, previous?.correctionOf);
    return [outcome, 'reported'];
  }

  /** A note processed without having been on its meeting's agenda (late) or a corrected version: a task to the coordinator. */
  private reportToCoordinator(
    district: District,
    note: NexusNote,
    meetingDate: string,
    kind: 'late' | 'correction',
    correctionOf?: number,
  ) {
    return this.reporter!.report(
      district,
      note,
      {
        noteId: note.id,
        noteVersion: note.version,
        districtId: district.id,
        meetingDate,
        ...(correctionOf !== undefined ? { correctionOf } : {}),
      },
      kind,
    );
  }

  // ---- shared ---------------------------------------------------------------------------------

  private async leased<T>(lease: 'watch-lease' | 'sweep-lease', busy: () => T, work: () => Promise<T>): Promise<T> {
    const token = randomUUID();
    const leaseMs = this.settings.watchLeaseMs;
    if (!(await this.store.acquireWatchLease(token, leaseMs, lease))) return busy();
    const renew = setInterval(
      () => void this.store.renewWatchLease(token, leaseMs, lease).catch(() => undefined),
      Math.max(100, leaseMs / 3),
    );
    try {
      return await work();
    } finally {
      clearInterval(renew);
      await this.store.releaseWatchLease(token, lease);
    }
  }

  /** `unwatch`: the targeted watch's note, dropped from its meeting's watch list once its flow is marked enqueued. */
  private async startFlow(
    district: District,
    note: NexusNote,
    meetingDate: string,
    opts: { unwatch?: boolean } = {},
  ): Promise<StartOutcome> {
    const ref = { noteId: note.id, noteVersion: note.version };
    if (!note.locked) return 'not-locked';
    const { processed, latest: previous } = await this.store.enqueueState(ref);
    if (processed) return 'already-processed';
    if (previous !== undefined && previous > note.version) return 'stale';

    const payload: NoteFlowPayload = {
      ...ref,
      districtId: district.id,
      meetingDate,
      ...(previous !== undefined ? { correctionOf: previous } : {}),
      citizenId: note.citizenId,
      ...(note.selfHref ? { noteHref: note.selfHref } : {}),
    };
    const followUps = followUpsOf(note.items, this.settings.labels);
    const tasks = followUpTasks(ref, payload.meetingDate, followUps, this.settings.organisations(district.id), this.settings.taskDueDays);
    const steps = stepsFor(followUps, tasks.length);
    // Enqueue first, mark second: a crash in between re-enqueues the same flow id, which is a no-op.
    await this.flows.addFlow(noteFlow(payload, steps));
    // The steps start within moments: this read serves their version check (one GET per note, not four).
    sharedNoteReads.remember(this.nexus, ref, note);
    await this.store.markEnqueued({ ...payload, ...(opts.unwatch ? { unwatch: true } : {}) });
    await this.audit.recordOnce(`after-meeting.enqueued:${noteVersionKey(ref)}`, {
      action: 'after-meeting.enqueued',
      system: 'tsm-bridge',
      outcome: 'ok',
      noteId: note.id,
      meetingId: meetingId(district.id, payload.meetingDate),
      externalIds: { flow: flowJobId(ref), noteVersion: String(note.version), steps: steps.join(',') },
      ...(payload.correctionOf !== undefined ? { reason: `correction of v${payload.correctionOf}` } : {}),
    });
    return payload.correctionOf !== undefined ? 'correction' : 'started';
  }
}

/** The self link a read gave, for the watch list (ids only). */
export function hrefsOf(note: Pick<NexusNote, 'selfHref'>): Pick<WatchedNote, 'noteHref'> {
  return note.selfHref ? { noteHref: note.selfHref } : {};
}

export interface LateNoteReportSettings {
  taskType: string;
  taskDueDays: number;
  coordinator(districtId: string): string;
}

/**
 * The coordinator's Nexus task about a note the nightly sweep processed outside the agenda: once per
 * note version (ledger), reconciled by its title after an unknown outcome. Ids only in the text.
 */
export class LateNoteTask implements LateNoteReporter {
  constructor(
    private readonly nexus: Pick<NexusPort, 'createTask' | 'findTasks'>,
    private readonly ledger: Pick<Ledger, 'runOnce'>,
    private readonly settings: LateNoteReportSettings,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async report(district: District, note: NexusNote, p: NoteFlowPayload, kind: 'late' | 'correction'): Promise<void> {
    const { title, description } = lateNoteText(p, kind);
    const on = { noteId: p.noteId };
    const dueDate = addDays(copenhagenDate(this.now()), this.settings.taskDueDays);
    await createTaskOnce({ nexus: this.nexus, ledger: this.ledger }, `nexus.task:sweep-report:${noteVersionKey(p)}`, {
      on,
      typeName: this.settings.taskType,
      title,
      description,
      dueDate,
      organisationName: this.settings.coordinator(district.id),
    });
  }
}

/** The coordinator's task text (Danish), ids only. */
export function lateNoteText(p: NoteFlowPayload, kind: 'late' | 'correction'): { title: string; description: string } {
  if (kind === 'correction') {
    return {
      title: `Rettet notat behandlet efter mødet ${p.meetingDate} (notat ${p.noteId} v${p.noteVersion})`,
      description:
        `Notat ${p.noteId} er låst igen i version ${p.noteVersion}${p.correctionOf !== undefined ? ` (rettelse af version ${p.correctionOf})` : ''} ` +
        'og er behandlet på ny: journaliseret i eDoc som rettelse, brev til egen læge og opfølgende opgaver efter notatets indhold.',
    };
  }
  return {
    title: `Notat uden for dagsordenen behandlet (notat ${p.noteId} v${p.noteVersion})`,
    description:
      `Notat ${p.noteId} (version ${p.noteVersion}) har mødetagget, men var ikke på nogen dagsorden. Det er fundet låst ved den natlige ` +
      `gennemgang og behandlet som notat fra mødet ${p.meetingDate}: journaliseret i eDoc, brev til egen læge og opfølgende opgaver efter notatets indhold. ` +
      'Kontrollér om borgeren skal på et kommende møde.',
  };
}

function earlier(a: string, b: string): string {
  return timestampMs(a) <= timestampMs(b) ? a : b;
}
