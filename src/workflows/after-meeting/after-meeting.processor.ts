import { Injectable } from '@nestjs/common';
import { CompleteNoteStep } from './after-meeting.flow';
import { JournalNoteStep } from './after-meeting.journal-note';
import { NoteTasksStep } from './after-meeting.note-tasks';
import { SendNoteStep } from './after-meeting.send-note';
import { NotesWatch } from './after-meeting.watch';
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
  ) {}

  @JobHandler('notes.watch')
  async watchNotes() {
    return this.watch.run();
  }

  @JobHandler('edoc.journal-note')
  async journalNote(p: JobPayload<'edoc.journal-note'>) {
    return this.journal.run(p);
  }

  @JobHandler('medcom.send-note')
  async sendNote(p: JobPayload<'medcom.send-note'>) {
    return this.letter.run(p);
  }

  @JobHandler('nexus.note-tasks')
  async noteTasks(p: JobPayload<'nexus.note-tasks'>) {
    return this.tasks.run(p);
  }

  @JobHandler('after-meeting.note')
  async completeNote(p: JobPayload<'after-meeting.note'>) {
    return this.complete.run(p);
  }
}
