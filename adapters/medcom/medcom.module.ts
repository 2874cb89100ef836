import { Module } from '@nestjs/common';

/** Medcom adapter: port implementation, client and mapper. */
@Module({})
export class MedcomModule {}
