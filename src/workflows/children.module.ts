import { Module } from '@nestjs/common';

/** Children's collaboration meetings: intake, routing, deadlines, follow-up. */
@Module({})
export class ChildrenModule {}

/** HTTP intake routes (api role only). */
@Module({})
export class ChildrenApiModule {}
