import { Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { DirectoryModule } from '../../../adapters/directory/directory.module';
import { GP_DIRECTORY, GpDirectory } from '../../../adapters/directory/directory.port';
import { MEDCOM_PORT, MedcomPort } from '../../../adapters/medcom/medcom.port';
import { NexusModule } from '../../../adapters/nexus/nexus.module';
import { NEXUS_PORT, NexusPort, nexusFor } from '../../../adapters/nexus/nexus.port';
import { NotifyModule } from '../../../adapters/notify/notify.module';
import { NOTIFY_PORT, NotifyPort } from '../../../adapters/notify/notify.port';
import { mailAddress } from '../../../adapters/notify/smtp.notifier';
import { AgendaProcessor } from './agenda.processor';
import { QueueGateway } from '../../../queues/queue.gateway';
import { AuditService } from '../../audit/audit.service';
import type { AppConfig } from '../../config/config.schema';
import type { District } from '../../config/districts';
import { CONFIG, DISTRICTS, REDIS } from '../../config/tokens';
import { CLOCK, Clock } from '../../common/clock';
import { Ledger } from '../../ledger/ledger';
import { AgendaPlanner } from './agenda.planner';
import { AgendaScheduling } from './agenda.scheduling';
import { AgendaStore } from './agenda.store';
import { CollectAgenda, collectSettings } from './agenda.collect';
import { MedcomLettersModule } from '../medcom-letters/medcom-letters.module';
import { PublishAgenda } from './agenda.publish';
import { AfterMeetingStore } from '../after-meeting/after-meeting.store';
import { AgendaWatchList } from '../after-meeting/after-meeting.watch-list';
import { publicHolidayFilter, WorkingDayCalendar } from '../../domain/working-days';
import { unlockedNotesFollowUp } from './agenda.follow-up';

/** Agenda workflow: collect, build and publish the meeting agenda; its jobs and schedulers. */
@Module({
  imports: [NexusModule, NotifyModule, MedcomLettersModule, DirectoryModule],
  providers: [
    { provide: AgendaStore, inject: [REDIS, CONFIG], useFactory: (redis: Redis, c: AppConfig) => new AgendaStore(redis, c.QUEUE_PREFIX) },
    {
      provide: CollectAgenda,
      inject: [NEXUS_PORT, DISTRICTS, AgendaStore, AuditService, CONFIG],
      useFactory: (nexus: NexusPort, districts: District[], store: AgendaStore, audit: AuditService, c: AppConfig) =>
        new CollectAgenda(nexusFor(nexus, 'agenda'), districts, store, audit, collectSettings(c)),
    },
    {
      provide: PublishAgenda,
      inject: [NEXUS_PORT, NOTIFY_PORT, MEDCOM_PORT, GP_DIRECTORY, Ledger, AuditService, AgendaStore, CONFIG, CLOCK, QueueGateway],
      useFactory: (
        nexus: NexusPort,
        notify: NotifyPort,
        medcom: MedcomPort,
        gpDirectory: GpDirectory,
        ledger: Ledger,
        audit: AuditService,
        store: AgendaStore,
        c: AppConfig,
        clock: Clock,
        queues: QueueGateway,
      ) =>
        new PublishAgenda({
          nexus: nexusFor(nexus, 'agenda'),
          notify,
          medcom,
          gpDirectory,
          ledger,
          audit,
          store,
          now: () => clock.now(),
          scheduleFollowUp: unlockedNotesFollowUp(
            queues,
            new WorkingDayCalendar(),
            {
              afterWorkingDays: c.AFTER_MEETING_UNLOCKED_TASK_DAYS,
              maxTasks: c.AFTER_MEETING_UNLOCKED_TASK_MAX,
            },
            () => clock.now(),
          ),
          settings: {
            autoAttach: c.AGENDA_AUTO_ATTACH,
            taskType: c.NEXUS_TASK_TYPE,
            inviteOrganizer: c.MAIL_FROM ? mailAddress(c.MAIL_FROM) : undefined,
          },
        }),
    },
    {
      provide: AgendaPlanner,
      inject: [QueueGateway, AgendaStore, DISTRICTS, CONFIG, CLOCK],
      useFactory: (queues: QueueGateway, store: AgendaStore, districts: District[], c: AppConfig, clock: Clock) =>
        new AgendaPlanner(
          queues,
          store,
          districts,
          c.AGENDA_PLAN_CRON,
          () => clock.now(),
          publicHolidayFilter(c.AGENDA_SKIP_PUBLIC_HOLIDAYS),
        ),
    },
    {
      provide: AgendaWatchList,
      inject: [REDIS, CONFIG],
      useFactory: (redis: Redis, c: AppConfig) =>
        new AgendaWatchList(new AfterMeetingStore(redis, c.QUEUE_PREFIX), c.WATCH_FOLLOW_UP_DAYS * 86_400_000),
    },
    AgendaProcessor,
    AgendaScheduling,
  ],
  exports: [CollectAgenda, PublishAgenda, AgendaStore, AgendaPlanner],
})
export class AgendaModule {}
