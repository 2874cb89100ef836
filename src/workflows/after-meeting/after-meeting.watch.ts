import { JobHandler } from '../../../queues/job-handler.decorator';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { NexusNote, NexusPort } from '../../../adapters/nexus/nexus.port';
import type { QueueGateway } from '../../../queues/queue.gateway';
import { AuditService } from '../../audit/audit.service';
import { mapWithConcurrency } from '../../common/concurrency';
import { watchLastPass, watchUnreadCitizens } from '../../metrics/metrics';
import type { District } from '../../config/districts';
import { flowJobId, followUpsOf, followUpTasks, meetingDateOf, meetingId, noteVersionKey, timestampMs } from '../../domain/after-meeting.rules';
import type { NoteFlowPayload } from '../../../queues/jobs/after-meeting.jobs';
import { noteFlow, stepsFor } from './after-meeting.flow';
import type { AfterMeetingSettings } from './after-meeting.settings';
import type { AfterMeetingStore } from './after-meeting.store';

/**
 * The cursor never moves past the moment the query began, minus this overlap: a note whose clock
 * says "future" (bad data, a skewed Nexus clock) must not make the watch skip later locks. Re-reading
 * the overlap costs only the (id, version) check per note.
 */
export const CURSOR_OVERLAP_MS = 10 * 60_000;

/** Notes whose flows the watch starts at once (bench/: 2,000 locked notes, see docs/benchmark.md). */
export const WATCH_START_CONCURRENCY = 16;

type StartOutcome = 'started' | 'correction' | 'already-processed' | 'stale' | 'not-locked';

export type WatchSettings = Pick<AfterMeetingSettings, 'labels' | 'organisations' | 'taskDueDays' | 'lookbackMs' | 'watchLeaseMs'>;

export interface WatchSummary {
  found: number;
  started: number;
  corrections: number;
  /** Versions whose flow was already enqueued: a repeated hit, harmless. */
  alreadyProcessed: number;
  /** Older than a version already processed (Nexus served a stale read). */
  stale: number;
  /** Citizens Nexus could not give us in this pass; their notes are looked for again on the next. */
  unreadCitizens: number;
  /** Another watch was still running (walking a large list can outlast the interval). */
  skipped?: 'watch already running';
}

/**
 * The 'notes.watch' job: per district, the locked tagged notes updated since the district's cursor,
 * one after-meeting flow per new note version. A version is started once; a re-locked newer
 * version is started again as a correction. The cursor moves only after every hit is enqueued.
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
  ) {}

  @JobHandler('notes.watch')
  async run(): Promise<WatchSummary> {
    const total: WatchSummary = { found: 0, started: 0, corrections: 0, alreadyProcessed: 0, stale: 0, unreadCitizens: 0 };
    const token = randomUUID();
    const leaseMs = this.settings.watchLeaseMs;
    if (!(await this.store.acquireWatchLease(token, leaseMs))) return { ...total, skipped: 'watch already running' };
    const renew = setInterval(() => void this.store.renewWatchLease(token, leaseMs).catch(() => undefined), Math.max(100, leaseMs / 3));
    try {
      for (const district of this.districts) {
        const s = await this.watchDistrict(district);
        for (const k of ['found', 'started', 'corrections', 'alreadyProcessed', 'stale', 'unreadCitizens'] as const) total[k] += s[k];
      }
      return total;
    } finally {
      clearInterval(renew);
      await this.store.releaseWatchLease(token);
    }
  }

  private async watchDistrict(district: District): Promise<WatchSummary> {
    const summary: WatchSummary = { found: 0, started: 0, corrections: 0, alreadyProcessed: 0, stale: 0, unreadCitizens: 0 };
    const queryStart = this.now().getTime();
    const since = (await this.store.cursor(district.id)) ?? new Date(queryStart - this.settings.lookbackMs).toISOString();
    const { notes, cursor, unreadCitizens = [] } = await this.nexus.findLockedNotes({
      since, formTitle: district.nexus.formTitle, tag: district.nexus.tag,
      citizenList: district.nexus.citizenList, citizenView: district.nexus.citizenView,
    });
    summary.found = notes.length;
    summary.unreadCitizens = unreadCitizens.length;
    if (unreadCitizens.length) {
      watchUnreadCitizens.inc({ district: district.id }, unreadCitizens.length);
      this.log.warn({ district: district.id, unreadCitizens: unreadCitizens.slice(0, 20), count: unreadCitizens.length },
        'citizens Nexus could not give the watch: their notes are looked for again on the next pass');
    }
    // Each start is a few Redis round trips; after a big meeting day, one at a time they would let
    // the flows trickle in. Different notes start in parallel; versions of one note in order,
    // because a correction's check reads what the earlier version's start wrote.
    const byNote = new Map<number, NexusNote[]>();
    for (const note of [...notes].sort((a, b) => a.id - b.id || a.version - b.version)) {
      const versions = byNote.get(note.id);
      if (versions) versions.push(note);
      else byNote.set(note.id, [note]);
    }
    const outcomes = await mapWithConcurrency([...byNote.values()], WATCH_START_CONCURRENCY, async (versions) => {
      const out: StartOutcome[] = [];
      for (const note of versions) out.push(await this.startFlow(district, note));
      return out;
    });
    for (const outcome of outcomes.flat()) {
      if (outcome === 'started' || outcome === 'correction') summary.started++;
      if (outcome === 'correction') summary.corrections++;
      if (outcome === 'already-processed') summary.alreadyProcessed++;
      if (outcome === 'stale') summary.stale++;
    }
    await this.store.advanceCursor(district.id, earlier(cursor, new Date(queryStart - CURSOR_OVERLAP_MS).toISOString()));
    watchLastPass.set({ district: district.id }, this.now().getTime() / 1000);
    if (summary.started) this.log.info({ district: district.id, ...summary }, 'after-meeting flows started');
    return summary;
  }

  private async startFlow(district: District, note: NexusNote): Promise<StartOutcome> {
    const ref = { noteId: note.id, noteVersion: note.version };
    if (!note.locked) return 'not-locked';
    if (await this.store.isProcessed(ref)) return 'already-processed';
    const previous = await this.store.latestVersion(note.id);
    if (previous !== undefined && previous > note.version) return 'stale';

    const payload: NoteFlowPayload = {
      ...ref,
      districtId: district.id,
      meetingDate: meetingDateOf(note.observationTimestamp),
      ...(previous !== undefined ? { correctionOf: previous } : {}),
    };
    const followUps = followUpsOf(note.items, this.settings.labels);
    const tasks = followUpTasks(ref, payload.meetingDate, followUps, this.settings.organisations(district.id), this.settings.taskDueDays);
    const steps = stepsFor(followUps, tasks.length);
    // Enqueue first, mark second: a crash in between re-enqueues the same flow id, which is a no-op.
    await this.flows.addFlow(noteFlow(payload, steps));
    await this.store.markEnqueued(payload);
    await this.audit.recordOnce(`after-meeting.enqueued:${noteVersionKey(ref)}`, {
      action: 'after-meeting.enqueued', system: 'tsm-bridge', outcome: 'ok', noteId: note.id,
      meetingId: meetingId(district.id, payload.meetingDate),
      externalIds: { flow: flowJobId(ref), noteVersion: String(note.version), steps: steps.join(',') },
      ...(payload.correctionOf !== undefined ? { reason: `correction of v${payload.correctionOf}` } : {}),
    });
    return payload.correctionOf !== undefined ? 'correction' : 'started';
  }
}

function earlier(a: string, b: string): string {
  return timestampMs(a) <= timestampMs(b) ? a : b;
}
