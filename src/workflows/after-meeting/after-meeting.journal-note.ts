import { JobHandler } from '../../../queues/job-handler.decorator';
import type { NexusCitizenIdentity, NexusNote, NexusPort } from '../../../adapters/nexus/nexus.port';
import { AuditService } from '../../audit/audit.service';
import { documentSourceId, documentTitle, meetingId } from '../../domain/after-meeting.rules';
import type { NoteFlowPayload } from '../../../queues/jobs/after-meeting.jobs';
import { citizenIdentity, loadNoteVersion, recordSuperseded } from './after-meeting.flow';
import type { AfterMeetingStore } from './after-meeting.store';
import type { DocumentJournal } from '../journal-document/journal-document.service';

/** The PDF of a note as filed (the eDoc issue's renderer; deterministic for the same input). */
export type RenderNotePdf = (
  note: NexusNote,
  citizen: NexusCitizenIdentity,
  meeting: { meetingDate: string; title: string },
) => Promise<Buffer>;

export type JournalNoteResult = { documentId: string } | { skipped: 'superseded'; supersededBy: number };

/**
 * 'edoc.journal-note': the note's PDF filed on the citizen's eDoc case, once per note version.
 * DocumentJournal finds the case by CPR, keeps the ledger, reconciles unknown outcomes by title
 * and writes the audit record.
 */
export class JournalNoteStep {
  constructor(
    private readonly nexus: NexusPort,
    private readonly journal: Pick<DocumentJournal, 'journal'>,
    private readonly renderPdf: RenderNotePdf,
    private readonly store: AfterMeetingStore,
    private readonly audit: AuditService,
    private readonly documentType: string,
  ) {}

  @JobHandler('edoc.journal-note')
  async run(p: NoteFlowPayload): Promise<JournalNoteResult> {
    const loaded = await loadNoteVersion(this.nexus, p, () => this.store.noteLocation(p));
    if ('supersededBy' in loaded) return recordSuperseded(this.store, this.audit, p, 'edoc.journal', loaded.supersededBy);
    const citizen = await citizenIdentity(this.nexus, loaded.note.citizenId);
    const title = documentTitle(p, p.meetingDate, p.correctionOf);
    const pdf = await this.renderPdf(loaded.note, citizen, { meetingDate: p.meetingDate, title });
    const filed = await this.journal.journal({
      cpr: citizen.cpr,
      sourceId: documentSourceId(p),
      kind: 'meeting-note',
      title,
      documentType: this.documentType,
      date: p.meetingDate,
      pdf,
      noteId: p.noteId,
      meetingId: meetingId(p.districtId, p.meetingDate),
    });
    await this.store.setResult(p, { documentId: filed.documentIdentifier });
    return { documentId: filed.documentIdentifier };
  }
}
