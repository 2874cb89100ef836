import { Module } from '@nestjs/common';

/** Admin HTTP: dashboard, health, metrics, dead letters, audit (api role only). */
@Module({})
export class AdminModule {}
