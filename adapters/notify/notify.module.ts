import { Module } from '@nestjs/common';

/** Notify adapter: port implementation, client and mapper. */
@Module({})
export class NotifyModule {}
