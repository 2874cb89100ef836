import { Module } from '@nestjs/common';

/** Edoc adapter: port implementation, client and mapper. */
@Module({})
export class EdocModule {}
