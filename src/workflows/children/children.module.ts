import { Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { NotifyModule } from '../../../adapters/notify/notify.module';
import { NOTIFY_PORT, NotifyPort } from '../../../adapters/notify/notify.port';
import { mailAddress } from '../../../adapters/notify/smtp.notifier';
import { AcceptLinks } from './children.accept-link';
import { ChildrenInvitations, SANDBOX_ORGANIZER } from './children.invitations';
import { ChildrenAcceptController } from './http/children-accept.controller';
import { ChildrenProcessor } from './children.processor';
import { QueueGateway } from '../../../queues/queue.gateway';
import { AdminModule } from '../../admin/admin.module';
import { AuditService } from '../../audit/audit.service';
import { ChildrenAdminController } from './http/children-admin.controller';
import { ChildrenController } from './http/children.controller';
import { IntakeApiKey } from './http/intake-api-key';
import { IntakeApiKeyGuard } from './http/intake-api-key.guard';
import type { AppConfig } from '../../config/config.schema';
import { CONFIG, REDIS } from '../../config/tokens';
import { CLOCK, Clock } from '../../common/clock';
import { WorkingDayCalendar } from '../../domain/working-days';
import { CpuWork } from '../cpu-work/cpu-work.service';
import { Ledger } from '../../ledger/ledger';
import { JournalAgreementStep } from './children.agreement';
import { ChildrenIntake, ChildrenSettings } from './children.intake';
import { QueuedChildrenJobs } from './children.jobs';
import { ChildrenReminders } from './children.reminders';
import { RouteRequestStep } from './children.routing';
import { ChildrenUnits } from './children.units';
import { ChildrenStore } from './children.store';
import { DocumentJournal } from '../journal-document/journal-document.service';
import { JournalDocumentModule } from '../journal-document/journal-document.module';

const DAY_S = 86_400;

/** ORGANIZER of the invitations: the sending mailbox (MAIL_FROM), else a sandbox placeholder. */
function organizerOf(c: AppConfig): string {
  return c.MAIL_FROM ? mailAddress(c.MAIL_FROM) : SANDBOX_ORGANIZER;
}

export function childrenSettings(c: AppConfig): ChildrenSettings {
  return {
    acceptWorkingDays: c.CHILDREN_ACCEPT_WORKING_DAYS,
    homeVisitWindowExempt: c.CHILDREN_HOME_VISIT_WINDOW_EXEMPT,
    followUpDays: c.CHILDREN_FOLLOWUP_DAYS,
    courseOpenMonths: c.CHILDREN_COURSE_OPEN_MONTHS,
    deadlineDelayMs: c.CHILDREN_DEADLINE_DELAY_MS,
    followUpDelayMs: c.CHILDREN_FOLLOWUP_DELAY_MS,
  };
}

/** Children's collaboration meetings: intake, routing, deadlines, follow-up. */
@Module({
  imports: [JournalDocumentModule, NotifyModule],
  providers: [
    {
      provide: ChildrenStore,
      inject: [REDIS, CONFIG],
      useFactory: (r: Redis, c: AppConfig) =>
        new ChildrenStore(r, c.QUEUE_PREFIX, {
          formSeconds: c.CHILDREN_FORM_RETENTION_DAYS * DAY_S,
          recordSeconds: c.CHILDREN_RECORD_RETENTION_DAYS * DAY_S,
        }),
    },
    { provide: ChildrenUnits, inject: [CONFIG], useFactory: (c: AppConfig) => ChildrenUnits.load(c.CHILDREN_UNITS_FILE) },
    { provide: AcceptLinks, inject: [CONFIG], useFactory: (c: AppConfig) => AcceptLinks.fromConfig(c) },
    { provide: WorkingDayCalendar, inject: [CONFIG], useFactory: (c: AppConfig) => new WorkingDayCalendar(c.CHILDREN_CLOSED_DAYS) },
    {
      provide: ChildrenIntake,
      inject: [ChildrenStore, QueueGateway, AuditService, WorkingDayCalendar, CONFIG, CLOCK],
      useFactory: (store: ChildrenStore, queues: QueueGateway, audit: AuditService, cal: WorkingDayCalendar, c: AppConfig, clock: Clock) =>
        new ChildrenIntake(store, new QueuedChildrenJobs(queues), audit, cal, childrenSettings(c), () => clock.now()),
    },
    {
      provide: RouteRequestStep,
      inject: [ChildrenStore, ChildrenUnits, NOTIFY_PORT, DocumentJournal, Ledger, AuditService, CONFIG, CLOCK, CpuWork, AcceptLinks],
      useFactory: (
        store: ChildrenStore,
        units: ChildrenUnits,
        notify: NotifyPort,
        journal: DocumentJournal,
        ledger: Ledger,
        audit: AuditService,
        c: AppConfig,
        clock: Clock,
        cpu: CpuWork,
        links: AcceptLinks,
      ) =>
        new RouteRequestStep(
          store,
          units,
          notify,
          journal,
          ledger,
          audit,
          {
            documentType: c.EDOC_DOCUMENT_TYPE,
            acceptWorkingDays: c.CHILDREN_ACCEPT_WORKING_DAYS,
            links,
            organizer: organizerOf(c),
          },
          () => clock.now(),
          (form) => cpu.renderFormPdf(form),
        ),
    },
    {
      provide: ChildrenReminders,
      inject: [ChildrenStore, ChildrenUnits, NOTIFY_PORT, Ledger, AuditService, CONFIG, CLOCK, AcceptLinks],
      useFactory: (
        store: ChildrenStore,
        units: ChildrenUnits,
        notify: NotifyPort,
        ledger: Ledger,
        audit: AuditService,
        c: AppConfig,
        clock: Clock,
        links: AcceptLinks,
      ) =>
        new ChildrenReminders(
          store,
          units,
          notify,
          ledger,
          audit,
          { acceptWorkingDays: c.CHILDREN_ACCEPT_WORKING_DAYS, followUpDays: c.CHILDREN_FOLLOWUP_DAYS, links },
          () => clock.now(),
        ),
    },
    {
      provide: ChildrenInvitations,
      inject: [ChildrenStore, ChildrenUnits, NOTIFY_PORT, Ledger, AuditService, CONFIG, CLOCK],
      useFactory: (
        store: ChildrenStore,
        units: ChildrenUnits,
        notify: NotifyPort,
        ledger: Ledger,
        audit: AuditService,
        c: AppConfig,
        clock: Clock,
      ) => new ChildrenInvitations(store, units, notify, ledger, audit, organizerOf(c), () => clock.now()),
    },
    {
      provide: JournalAgreementStep,
      inject: [ChildrenStore, ChildrenUnits, NOTIFY_PORT, DocumentJournal, Ledger, AuditService, CONFIG, CLOCK, CpuWork],
      useFactory: (
        store: ChildrenStore,
        units: ChildrenUnits,
        notify: NotifyPort,
        journal: DocumentJournal,
        ledger: Ledger,
        audit: AuditService,
        c: AppConfig,
        clock: Clock,
        cpu: CpuWork,
      ) =>
        new JournalAgreementStep(
          store,
          units,
          notify,
          journal,
          ledger,
          audit,
          { documentType: c.EDOC_DOCUMENT_TYPE },
          () => clock.now(),
          (form) => cpu.renderFormPdf(form),
        ),
    },
    ChildrenProcessor,
  ],
  exports: [ChildrenIntake, AcceptLinks, ChildrenUnits],
})
export class ChildrenModule {}

/** HTTP intake routes and the admin status view (api role only). */
@Module({
  imports: [ChildrenModule, AdminModule],
  controllers: [ChildrenController, ChildrenAcceptController, ChildrenAdminController],
  providers: [{ provide: IntakeApiKey, inject: [CONFIG], useFactory: (c: AppConfig) => IntakeApiKey.fromConfig(c) }, IntakeApiKeyGuard],
})
export class ChildrenApiModule {}
