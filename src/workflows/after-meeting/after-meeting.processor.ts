import { Injectable } from '@nestjs/common';
import { CompleteNoteStep } from './after-meeting.flow';
import { JournalNoteStep } from './after-meeting.journal-note';
import { NoteTasksStep } from './after-meeting.note-tasks';
import { SendNoteStep } from './after-meeting.send-note';
import { NotesWatch } from './after-meeting.watch';
import { SweepPlanner } from './after-meeting.scheduler';
import { withCallPurpose } from '../../common/call-purpose';
import { JobHandler } from '../../../queues/job-handler.decorator';
import type { JobPayload } from '../../../queues/job-types';

/** Thin handlers: each job type hands its ids to the workflow step that does the work. */
@Injectable()
export class AfterMeetingProcessor {
  constructor(
    private readonly watch: NotesWatch,
    private readonly journal: JournalNoteStep,
    private readonly letter: SendNoteStep,
    private readonly tasks: NoteTasksStep,
    private readonly complete: CompleteNoteStep,
    private readonly sweeps: SweepPlanner,
  ) {}

  @JobHandler('notes.watch')
  async watchNotes() {
    return this.watch.pass();
  }

  /** Plans the next night's sweep first, so a sweep that fails for good does not end the series. */
  @JobHandler('notes.sweep')
  async sweepNotes() {
    await this.sweeps.planNext();
    return this.watch.sweep();
  }

  @JobHandler('edoc.journal-note')
  async journalNote(p: JobPayload<'edoc.journal-note'>) {
    return withCallPurpose('steps', () => this.journal.run(p));
  }

  @JobHandler('medcom.send-note')
  async sendNote(p: JobPayload<'medcom.send-note'>) {
    return withCallPurpose('steps', () => this.letter.run(p));
  }

  @JobHandler('nexus.note-tasks')
  async noteTasks(p: JobPayload<'nexus.note-tasks'>) {
    return withCallPurpose('tasks', () => this.tasks.run(p));
  }

  @JobHandler('after-meeting.note')
  async completeNote(p: JobPayload<'after-meeting.note'>) {
    return this.complete.run(p);
  }
}
