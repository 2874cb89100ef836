import { Module } from '@nestjs/common';
import path from 'node:path';
import type { AppConfig } from '../../src/config/config.schema';
import { CONFIG } from '../../src/config/tokens';
import { NOTIFY_PORT } from './notify.port';
import { OutboxNotifier } from './outbox.notifier';

/** The outbox folder: NOTIFY_OUTBOX_DIR, else DATA_DIR/outbox. */
export function outboxDir(config: Pick<AppConfig, 'NOTIFY_OUTBOX_DIR' | 'DATA_DIR'>): string {
  return config.NOTIFY_OUTBOX_DIR ?? path.join(config.DATA_DIR, 'outbox');
}

/** Notify adapter: NOTIFY_PORT writes each message (Teams invitations, unit mailbox mail) to the outbox folder. */
@Module({
  providers: [{ provide: NOTIFY_PORT, inject: [CONFIG], useFactory: (config: AppConfig) => new OutboxNotifier(outboxDir(config)) }],
  exports: [NOTIFY_PORT],
})
export class NotifyModule {}
