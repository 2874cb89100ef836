import { afterMeetingJobs } from './jobs/after-meeting.jobs';
import { agendaJobs } from './jobs/agenda.jobs';
import { childrenJobs } from './jobs/children.jobs';
import { edocJobs } from './jobs/edoc.jobs';
import { JobDef } from './jobs/job-def';
import { maintenanceJobs } from './jobs/maintenance.jobs';
import { medcomJobs } from './jobs/medcom.jobs';
import { nexusJobs } from './jobs/nexus.jobs';

/** The job registry's type table: job name → queue and payload type. */
export const JOB_TYPES = {
  ...agendaJobs,
  ...afterMeetingJobs,
  ...edocJobs,
  ...medcomJobs,
  ...nexusJobs,
  ...childrenJobs,
  ...maintenanceJobs,
} as const;

export type JobTypes = typeof JOB_TYPES;
export type JobName = keyof JobTypes;
export type JobPayload<N extends JobName> = JobTypes[N] extends JobDef<infer P> ? P : never;
export const JOB_NAMES = Object.keys(JOB_TYPES) as JobName[];

/** Whether a name is one of our job types; anything else on a queue may be foreign text (metrics, views). */
export function isJobName(name: string | undefined): name is JobName {
  return name !== undefined && (JOB_NAMES as readonly string[]).includes(name);
}
