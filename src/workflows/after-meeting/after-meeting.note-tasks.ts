import { JobHandler } from '../../../queues/job-handler.decorator';
import type { NexusPort } from '../../../adapters/nexus/nexus.port';
import { AuditService } from '../../audit/audit.service';
import { followUpsOf, followUpTasks, meetingId } from '../../domain/after-meeting.rules';
import type { KeyLock } from '../../ledger/key-lock';
import type { Ledger } from '../../ledger/ledger';
import type { NoteFlowPayload } from '../../../queues/jobs/after-meeting.jobs';
import { loadNoteVersion, recordSuperseded } from './after-meeting.flow';
import type { AfterMeetingSettings } from './after-meeting.settings';
import { createTaskOnce } from './after-meeting.nexus-task';
import { noteLocationOf, type AfterMeetingStore } from './after-meeting.store';

export type NoteTasksSettings = Pick<AfterMeetingSettings, 'labels' | 'organisations' | 'taskDueDays' | 'taskType' | 'taskLockTtlMs'>;

/**
 * 'nexus.note-tasks': the follow-up tasks the meeting decided (home care, one task to each newly
 * attached organisation — or to the coordinator when Nexus does not know the name — re-visitation). Each task is one ledger entry; after an unknown outcome its deterministic title
 * is looked up on the note before anything is created again. Task keys are content-based, so two
 * versions of a note may reach the same key: the key lock makes such runs take turns.
 */
export class NoteTasksStep {
  constructor(
    private readonly nexus: NexusPort,
    private readonly ledger: Ledger,
    private readonly lock: KeyLock,
    private readonly store: AfterMeetingStore,
    private readonly audit: AuditService,
    private readonly settings: NoteTasksSettings,
  ) {}

  @JobHandler('nexus.note-tasks')
  async run(p: NoteFlowPayload): Promise<{ taskIds: string[] } | { skipped: 'superseded'; supersededBy: number }> {
    const loaded = await loadNoteVersion(this.nexus, p, () => this.store.noteLocation(p));
    if ('supersededBy' in loaded) return recordSuperseded(this.store, this.audit, p, 'nexus.task', loaded.supersededBy);
    const followUps = followUpsOf(loaded.note.items, this.settings.labels);
    // Seed 004: a newly attached organisation gets its own task; a name Nexus does not know goes to the coordinator.
    const known = new Map<string, string | null>();
    for (const name of followUps.attachOrganisations) known.set(name, (await this.nexus.findOrganisation(name))?.name ?? null);
    const tasks = followUpTasks(
      p,
      p.meetingDate,
      followUps,
      this.settings.organisations(p.districtId),
      this.settings.taskDueDays,
      (name) => known.get(name) ?? null,
    );
    // Where the note is, as its read just told: the task's create call then needs no search for it.
    const on = { noteId: p.noteId, at: noteLocationOf({ noteHref: loaded.note.selfHref, citizenId: loaded.note.citizenId }) };
    const taskIds: string[] = [];
    for (const task of tasks) {
      const res = await this.lock.withLock(task.ledgerKey, this.settings.taskLockTtlMs, () =>
        createTaskOnce({ nexus: this.nexus, ledger: this.ledger }, task.ledgerKey, {
          on,
          typeName: this.settings.taskType,
          title: task.title,
          description: task.description,
          dueDate: task.dueDate,
          organisationName: task.organisationName,
        }),
      );
      taskIds.push(res.externalId);
      await this.audit.recordOnce(task.ledgerKey, {
        action: 'nexus.task',
        system: 'nexus',
        outcome: 'ok',
        noteId: p.noteId,
        meetingId: meetingId(p.districtId, p.meetingDate),
        ledgerKey: task.ledgerKey,
        externalIds: { task: res.externalId, kind: task.kind, noteVersion: String(p.noteVersion) },
      });
    }
    await this.store.setResult(p, { taskIds });
    return { taskIds };
  }
}
