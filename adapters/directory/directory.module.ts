import { Module } from '@nestjs/common';

/** Directory adapter: port implementation, client and mapper. */
@Module({})
export class DirectoryModule {}
