import { JobHandler } from '../../../queues/job-handler.decorator';
import type { GpDirectory } from '../../../adapters/directory/directory.port';
import type { MedcomPort } from '../../../adapters/medcom/medcom.port';
import type { NexusCitizenIdentity, NexusNote, NexusPort } from '../../../adapters/nexus/nexus.port';
import { AuditService } from '../../audit/audit.service';
import { FollowUpLabels, followUpsOf, letterIdempotencyKey } from '../../domain/after-meeting.rules';
import type { LetterUndeliverablePayload, NoteFlowPayload } from '../../../queues/jobs/after-meeting.jobs';
import { classifyError, errorCode } from '../../common/errors';
import { isUndeliverableReason, undeliverableLetterJobId } from '../../domain/after-meeting.coordinator';
import type { QueueGateway } from '../../../queues/queue.gateway';
import { citizenIdentity, loadNoteVersion, recordSuperseded } from './after-meeting.flow';
import type { AfterMeetingStore } from './after-meeting.store';

/** Subject and text of the letter for a note (src/domain/gp-letter.content.ts, shared with the medcom preview). */
export type LetterContent = (note: NexusNote, citizen: NexusCitizenIdentity, meetingDate: string) => { subject: string; text: string };

export type SendNoteResult =
  { letterId: string; state: string } | { skipped: 'not-requested' } | { skipped: 'superseded'; supersededBy: number };

/**
 * 'medcom.send-note': the note to the citizen's GP as a MedCom letter. The MedCom port keeps the
 * ledger (one letter id per note version and GP, resends reuse it), audits every send and schedules
 * receipt handling; this step completes once the letter is handed to VANS and does not wait for the
 * receipt (the meeting status counts a note done only when its letter is acknowledged).
 */
export class SendNoteStep {
  constructor(
    private readonly nexus: NexusPort,
    private readonly directory: GpDirectory,
    private readonly medcom: MedcomPort,
    private readonly letterContent: LetterContent,
    private readonly store: AfterMeetingStore,
    private readonly audit: AuditService,
    private readonly labels: FollowUpLabels,
    /** Tells the coordinator about a letter that cannot be delivered ('after-meeting.letter-undeliverable'). */
    private readonly reportUndeliverable?: (p: LetterUndeliverablePayload) => Promise<void>,
  ) {}

  @JobHandler('medcom.send-note')
  async run(p: NoteFlowPayload): Promise<SendNoteResult> {
    const loaded = await loadNoteVersion(this.nexus, p, () => this.store.noteLocation(p));
    if ('supersededBy' in loaded) return recordSuperseded(this.store, this.audit, p, 'medcom.send', loaded.supersededBy);
    const { note } = loaded;
    if (!followUpsOf(note.items, this.labels).sendToGp) return { skipped: 'not-requested' };
    const citizen = await citizenIdentity(this.nexus, note.citizenId);
    const sent = await this.deliverable(p, async () => {
      const receiver = await this.directory.practiceFor(citizen.cpr);
      const { subject, text } = this.letterContent(note, citizen, p.meetingDate);
      const idempotencyKey = letterIdempotencyKey(p, receiver.ydernummer);
      return this.medcom.send({
        idempotencyKey,
        noteId: p.noteId,
        noteVersion: p.noteVersion,
        kind: 'meeting-note',
        patient: { cpr: citizen.cpr, givenName: citizen.firstName, surname: citizen.lastName },
        receiver,
        subject,
        text,
      });
    });
    await this.store.setResult(p, { letterId: sent.letterId });
    return { letterId: sent.letterId, state: sent.state };
  }

  /**
   * A letter that cannot be sent for good (no GP, GP unknown, a name the format cannot carry) is the
   * coordinator's to follow up: reported once (deterministic job id, ledger key per letter), then the
   * step still fails, so operations and the meeting status see it too.
   */
  private async deliverable<T>(p: NoteFlowPayload, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (err) {
      const code = errorCode(err);
      if (this.reportUndeliverable && classifyError(err) === 'permanent' && isUndeliverableReason(code)) {
        await this.reportUndeliverable({
          noteId: p.noteId,
          noteVersion: p.noteVersion,
          kind: 'meeting-note',
          reason: code,
          districtId: p.districtId,
          meetingDate: p.meetingDate,
        });
      }
      throw err;
    }
  }
}

/** The report as a job of the after-meeting workflow, once per letter (the job id is the letter's). */
export function reportUndeliverableVia(queues: Pick<QueueGateway, 'enqueue'>): (p: LetterUndeliverablePayload) => Promise<void> {
  return async (p) => {
    await queues.enqueue('after-meeting.letter-undeliverable', p, { jobId: undeliverableLetterJobId(p) });
  };
}
