import { Module } from '@nestjs/common';

/** Nexus adapter: port implementation, client and mapper. */
@Module({})
export class NexusModule {}
