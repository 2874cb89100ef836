import { SetMetadata } from '@nestjs/common';
import type { JobName } from './job-types';

export const JOB_HANDLER_METADATA = 'tsm:job-handler';

/** Marks a provider method as the one handler of a job type; the registry finds it at boot. */
export const JobHandler = (name: JobName): MethodDecorator => SetMetadata(JOB_HANDLER_METADATA, name);
