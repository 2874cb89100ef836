import { Module } from '@nestjs/common';

/** After-meeting workflow: locked note → eDoc, GP letter, follow-up tasks. */
@Module({})
export class AfterMeetingModule {}
