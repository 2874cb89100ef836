import { Module } from '@nestjs/common';

/** Agenda workflow: collect, build and publish the meeting agenda. */
@Module({})
export class AgendaModule {}
