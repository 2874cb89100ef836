import type { ChildrenDeps } from './children.deps';
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
/** The shared dependencies of the children's steps (ChildrenDeps), built once. */
const CHILDREN_DEPS = Symbol('ChildrenDeps');

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
      provide: CHILDREN_DEPS,
      inject: [ChildrenStore, ChildrenUnits, NOTIFY_PORT, Ledger, AuditService, CLOCK],
      useFactory: (
        store: ChildrenStore,
        units: ChildrenUnits,
        notify: NotifyPort,
        ledger: Ledger,
        audit: AuditService,
        clock: Clock,
      ): ChildrenDeps => ({
        store,
        units,
        notify,
        ledger,
        audit,
        now: () => clock.now(),
      }),
    },
    {
      provide: RouteRequestStep,
      inject: [CHILDREN_DEPS, DocumentJournal, CpuWork, CONFIG, AcceptLinks],
      useFactory: (deps: ChildrenDeps, journal: DocumentJournal, cpu: CpuWork, c: AppConfig, links: AcceptLinks) =>
        new RouteRequestStep(
          { ...deps, journal, renderPdf: (form) => cpu.renderFormPdf(form) },
          { documentType: c.EDOC_DOCUMENT_TYPE, acceptWorkingDays: c.CHILDREN_ACCEPT_WORKING_DAYS, links, organizer: organizerOf(c) },
        ),
    },
    {
      provide: ChildrenReminders,
      inject: [CHILDREN_DEPS, CONFIG, AcceptLinks],
      useFactory: (deps: ChildrenDeps, c: AppConfig, links: AcceptLinks) =>
        new ChildrenReminders(deps, { acceptWorkingDays: c.CHILDREN_ACCEPT_WORKING_DAYS, followUpDays: c.CHILDREN_FOLLOWUP_DAYS, links }),
    },
    {
      provide: ChildrenInvitations,
      inject: [CHILDREN_DEPS, CONFIG],
      useFactory: (deps: ChildrenDeps, c: AppConfig) => new ChildrenInvitations(deps, organizerOf(c)),
    },
    {
      provide: JournalAgreementStep,
      inject: [CHILDREN_DEPS, DocumentJournal, CpuWork, CONFIG],
      useFactory: (deps: ChildrenDeps, journal: DocumentJournal, cpu: CpuWork, c: AppConfig) =>
        new JournalAgreementStep(
          { ...deps, journal, renderPdf: (form) => cpu.renderFormPdf(form) },
          { documentType: c.EDOC_DOCUMENT_TYPE },
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
