import { Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { DirectoryModule } from '../../../adapters/directory/directory.module';
import { GP_DIRECTORY, GpDirectory } from '../../../adapters/directory/directory.port';
import { MEDCOM_PORT, MedcomPort } from '../../../adapters/medcom/medcom.port';
import { NexusModule } from '../../../adapters/nexus/nexus.module';
import { NEXUS_PORT, NexusPort, nexusFor } from '../../../adapters/nexus/nexus.port';
import { QueueGateway } from '../../../queues/queue.gateway';
import { AdminModule } from '../../admin/admin.module';
import { MeetingStatusController } from '../../admin/meeting-status.controller';
import { AuditService } from '../../audit/audit.service';
import type { AppConfig } from '../../config/config.schema';
import type { District } from '../../config/districts';
import { CONFIG, DISTRICTS, REDIS } from '../../config/tokens';
import { CLOCK, Clock } from '../../common/clock';
import { noteToGpLetterContent } from '../../domain/gp-letter.content';
import { CpuWork } from '../cpu-work/cpu-work.service';
import { KeyLock } from '../../ledger/key-lock';
import { Ledger } from '../../ledger/ledger';
import { rootLogger } from '../../logging/logger';
import { CompleteNoteStep } from './after-meeting.flow';
import { JournalNoteStep, RenderNotePdf } from './after-meeting.journal-note';
import { NoteTasksStep } from './after-meeting.note-tasks';
import { MeetingNotesGaugeSource, SweepPlanner, WatchScheduler } from './after-meeting.scheduler';
import { reportUndeliverableVia, SendNoteStep } from './after-meeting.send-note';
import { AfterMeetingSettings, afterMeetingSettings } from './after-meeting.settings';
import { MeetingStatusService } from './after-meeting.status';
import { AfterMeetingStore } from './after-meeting.store';
import { LateNoteTask, NotesWatch } from './after-meeting.watch';
import { CoordinatorTasks } from './after-meeting.coordinator-tasks';
import { AgendaStore } from '../agenda/agenda.store';
import { WorkingDayCalendar } from '../../domain/working-days';
import { DocumentJournal } from '../journal-document/journal-document.service';
import { JournalDocumentModule } from '../journal-document/journal-document.module';
import { MedcomLettersModule } from '../medcom-letters/medcom-letters.module';

const SETTINGS = Symbol('AfterMeetingSettings');

/** The filed PDF: the note's items under the document title, source ids in the footer; rendered on a worker thread under a time budget. */
const notePdf =
  (cpu: CpuWork): RenderNotePdf =>
  (note, citizen, meeting) =>
    cpu.renderNotePdf({
      title: meeting.title,
      meetingDate: meeting.meetingDate,
      citizen: { name: citizen.fullName, cpr: citizen.cpr },
      items: note.items,
      locked: note.locked,
      state: note.state,
      sourceIds: [`Nexus notat ${note.id} v${note.version}`],
    });

/** After-meeting workflow: locked note → eDoc, GP letter, follow-up tasks; the watch, status and gauge. */
@Module({
  imports: [NexusModule, JournalDocumentModule, MedcomLettersModule, DirectoryModule],
  providers: [
    { provide: SETTINGS, inject: [CONFIG, DISTRICTS], useFactory: afterMeetingSettings },
    {
      provide: AfterMeetingStore,
      inject: [REDIS, CONFIG],
      useFactory: (r: Redis, c: AppConfig) => new AfterMeetingStore(r, c.QUEUE_PREFIX),
    },
    {
      provide: NotesWatch,
      inject: [NEXUS_PORT, QueueGateway, AfterMeetingStore, AuditService, DISTRICTS, SETTINGS, CLOCK, Ledger],
      useFactory: (
        nexus: NexusPort,
        gw: QueueGateway,
        store: AfterMeetingStore,
        audit: AuditService,
        districts: District[],
        s: AfterMeetingSettings,
        clock: Clock,
        ledger: Ledger,
      ) =>
        new NotesWatch(
          nexus,
          gw,
          store,
          audit,
          districts,
          s,
          rootLogger().child({ component: 'notes-watch' }),
          () => clock.now(),
          new LateNoteTask(
            nexusFor(nexus, 'tasks'),
            ledger,
            { taskType: s.taskType, taskDueDays: s.taskDueDays, coordinator: (id) => s.organisations(id).coordinator },
            () => clock.now(),
          ),
        ),
    },
    {
      provide: SweepPlanner,
      inject: [QueueGateway, CONFIG, CLOCK, NotesWatch],
      useFactory: (gw: QueueGateway, c: AppConfig, clock: Clock, watch: NotesWatch) =>
        new SweepPlanner(gw, c.WATCH_SWEEP_AT, () => clock.now(), watch),
    },
    {
      provide: JournalNoteStep,
      inject: [NEXUS_PORT, DocumentJournal, AfterMeetingStore, AuditService, SETTINGS, CpuWork],
      useFactory: (
        nexus: NexusPort,
        journal: DocumentJournal,
        store: AfterMeetingStore,
        audit: AuditService,
        s: AfterMeetingSettings,
        cpu: CpuWork,
      ) => new JournalNoteStep(nexusFor(nexus, 'steps'), journal, notePdf(cpu), store, audit, s.documentType),
    },
    {
      provide: SendNoteStep,
      inject: [NEXUS_PORT, GP_DIRECTORY, MEDCOM_PORT, AfterMeetingStore, AuditService, SETTINGS, QueueGateway],
      useFactory: (
        nexus: NexusPort,
        gp: GpDirectory,
        medcom: MedcomPort,
        store: AfterMeetingStore,
        audit: AuditService,
        s: AfterMeetingSettings,
        queues: QueueGateway,
      ) =>
        new SendNoteStep(
          nexusFor(nexus, 'steps'),
          gp,
          medcom,
          (note, citizen, date) => noteToGpLetterContent(note, citizen, date, { omitLabels: s.gpLetterExcludedItems }),
          store,
          audit,
          s.labels,
          reportUndeliverableVia(queues),
        ),
    },
    {
      provide: NoteTasksStep,
      inject: [NEXUS_PORT, Ledger, REDIS, AfterMeetingStore, AuditService, CONFIG, SETTINGS],
      useFactory: (
        nexus: NexusPort,
        ledger: Ledger,
        redis: Redis,
        store: AfterMeetingStore,
        audit: AuditService,
        c: AppConfig,
        s: AfterMeetingSettings,
      ) => new NoteTasksStep(nexusFor(nexus, 'tasks'), ledger, new KeyLock(redis, c.QUEUE_PREFIX), store, audit, s),
    },
    {
      provide: CompleteNoteStep,
      inject: [AfterMeetingStore, AuditService, CLOCK],
      useFactory: (store: AfterMeetingStore, audit: AuditService, clock: Clock) => new CompleteNoteStep(store, audit, () => clock.now()),
    },
    {
      provide: MeetingStatusService,
      inject: [AfterMeetingStore, MEDCOM_PORT, QueueGateway],
      useFactory: (store: AfterMeetingStore, medcom: MedcomPort, gw: QueueGateway) =>
        new MeetingStatusService(store, medcom, (q, id) => gw.jobState(q, id)),
    },
    {
      provide: CoordinatorTasks,
      inject: [NEXUS_PORT, Ledger, REDIS, AuditService, AfterMeetingStore, QueueGateway, DISTRICTS, CONFIG, SETTINGS, CLOCK],
      useFactory: (
        nexus: NexusPort,
        ledger: Ledger,
        redis: Redis,
        audit: AuditService,
        flows: AfterMeetingStore,
        queues: QueueGateway,
        districts: District[],
        c: AppConfig,
        s: AfterMeetingSettings,
        clock: Clock,
      ) =>
        new CoordinatorTasks({
          nexus: nexusFor(nexus, 'tasks'),
          ledger,
          lock: new KeyLock(redis, c.QUEUE_PREFIX),
          audit,
          agendas: new AgendaStore(redis, c.QUEUE_PREFIX),
          flows,
          queues,
          districts,
          calendar: new WorkingDayCalendar(),
          now: () => clock.now(),
          settings: { unlockedTask: s.unlockedTask, taskType: s.taskType, taskLockTtlMs: s.taskLockTtlMs },
        }),
    },
    WatchScheduler,
    MeetingNotesGaugeSource,
  ],
  exports: [MeetingStatusService, AfterMeetingStore, NotesWatch, CoordinatorTasks],
})
export class AfterMeetingModule {}

/** Admin REST for the after-meeting status (api role only). */
@Module({
  imports: [AdminModule, AfterMeetingModule],
  controllers: [MeetingStatusController],
})
export class AfterMeetingApiModule {}
