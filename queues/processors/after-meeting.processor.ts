import { Injectable } from '@nestjs/common';
import { CompleteNoteStep } from '../../src/workflows/after-meeting';
import { JournalNoteStep } from '../../src/workflows/after-meeting.journal-note';
import { NoteTasksStep } from '../../src/workflows/after-meeting.note-tasks';
import { SendNoteStep } from '../../src/workflows/after-meeting.send-note';
import { NotesWatch } from '../../src/workflows/after-meeting.watch';
import { JobHandler } from '../job-handler.decorator';
import type { JobPayload } from '../job-types';

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
