import { DirectoryModule } from '../adapters/directory/directory.module';
import { EdocModule } from '../adapters/edoc/edoc.module';
import { MedcomModule } from '../adapters/medcom/medcom.module';
import { NexusModule } from '../adapters/nexus/nexus.module';
import { NotifyModule } from '../adapters/notify/notify.module';
import { AdminModule } from './admin/admin.module';
import { AfterMeetingApiModule, AfterMeetingModule } from './workflows/after-meeting/after-meeting.module';
import { AgendaModule } from './workflows/agenda/agenda.module';
import { ChildrenApiModule, ChildrenModule } from './workflows/children/children.module';
import { MedcomLettersModule } from './workflows/medcom-letters/medcom-letters.module';

/** Modules loaded in every role: adapters, workflows and their job processors. */
export const FEATURE_MODULES = [
  NexusModule,
  EdocModule,
  MedcomModule,
  DirectoryModule,
  NotifyModule,
  MedcomLettersModule,
  AgendaModule,
  AfterMeetingModule,
  ChildrenModule,
];

/** Modules with HTTP controllers: only in the api role. */
export const API_MODULES = [AdminModule, ChildrenApiModule, AfterMeetingApiModule];
