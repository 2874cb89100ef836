import { JobHandler } from '../../../queues/job-handler.decorator';
import { withCallPurpose } from '../../common/call-purpose';
import type { GpDirectory } from '../../../adapters/directory/directory.port';
import type { MedcomPort } from '../../../adapters/medcom/medcom.port';
import type { NexusCitizenIdentity, NexusNote, NexusPort } from '../../../adapters/nexus/nexus.port';
import { AuditService } from '../../audit/audit.service';
import { FollowUpLabels, followUpsOf, letterIdempotencyKey } from '../../domain/after-meeting.rules';
import type { NoteFlowPayload } from '../../../queues/jobs/after-meeting.jobs';
import { loadNoteVersion, recordSuperseded } from './after-meeting.flow';
import type { AfterMeetingStore } from './after-meeting.store';

/** Subject and text of the letter for a note (src/domain/gp-letter.content.ts, shared with the medcom preview). */
export type LetterContent = (note: NexusNote, citizen: NexusCitizenIdentity, meetingDate: string) => { subject: string; text: string };

export type SendNoteResult =
  | { letterId: string; state: string }
  | { skipped: 'not-requested' }
  | { skipped: 'superseded'; supersededBy: number };

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
  ) {}

  @JobHandler('medcom.send-note')
  async run(p: NoteFlowPayload): Promise<SendNoteResult> {
    return withCallPurpose('steps', () => this.runStep(p));
  }

  private async runStep(p: NoteFlowPayload): Promise<SendNoteResult> {
    const loaded = await loadNoteVersion(this.nexus, p, () => this.store.noteLocation(p));
    if ('supersededBy' in loaded) return recordSuperseded(this.store, this.audit, p, 'medcom.send', loaded.supersededBy);
    const { note } = loaded;
    if (!followUpsOf(note.items, this.labels).sendToGp) return { skipped: 'not-requested' };
    const citizen = await this.nexus.getCitizenIdentity(note.citizenId);
    const receiver = await this.directory.practiceFor(citizen.cpr);
    const { subject, text } = this.letterContent(note, citizen, p.meetingDate);
    const idempotencyKey = letterIdempotencyKey(p, receiver.ydernummer);
    const sent = await this.medcom.send({
      idempotencyKey, noteId: p.noteId, noteVersion: p.noteVersion, kind: 'meeting-note',
      patient: { cpr: citizen.cpr, givenName: citizen.firstName, surname: citizen.lastName },
      receiver, subject, text,
    });
    await this.store.setResult(p, { letterId: sent.letterId });
    return { letterId: sent.letterId, state: sent.state };
  }
}
