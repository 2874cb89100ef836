import { Module } from '@nestjs/common';
import path from 'node:path';
import type { AppConfig } from '../../src/config/config.schema';
import { CONFIG } from '../../src/config/tokens';
import { Ledger } from '../../src/ledger/ledger';
import { NOTIFY_PORT, NotifyPort } from './notify.port';
import { OutboxNotifier } from './outbox.notifier';
import { createSmtpTransport, SmtpNotifier } from './smtp.notifier';

/** The outbox folder: NOTIFY_OUTBOX_DIR, else DATA_DIR/outbox. */
export function outboxDir(config: Pick<AppConfig, 'NOTIFY_OUTBOX_DIR' | 'DATA_DIR'>): string {
  return config.NOTIFY_OUTBOX_DIR ?? path.join(config.DATA_DIR, 'outbox');
}

/**
 * SMTP when MAIL_SMTP_URL is set (the outbox only as MAIL_OUTBOX_FALLBACK's fallback); otherwise
 * the outbox folder, as in the sandbox and the demo.
 */
export function createNotifier(config: AppConfig, ledger: Ledger): NotifyPort {
  const outbox = new OutboxNotifier(outboxDir(config));
  if (!config.MAIL_SMTP_URL) return outbox;
  const transport = createSmtpTransport({
    url: config.MAIL_SMTP_URL,
    user: config.MAIL_SMTP_USER,
    password: config.MAIL_SMTP_PASSWORD,
    from: config.MAIL_FROM!,
    insecure: config.MAIL_SMTP_INSECURE,
    caFile: config.MAIL_SMTP_CA_FILE,
    timeoutMs: config.MAIL_SMTP_TIMEOUT_MS,
  });
  return new SmtpNotifier(transport, ledger, config.MAIL_FROM!, config.MAIL_OUTBOX_FALLBACK ? outbox : undefined);
}

/** Notify adapter: NOTIFY_PORT sends each message (Teams invitations, unit mailbox mail) by SMTP or to the outbox folder. */
@Module({
  providers: [{ provide: NOTIFY_PORT, inject: [CONFIG, Ledger], useFactory: createNotifier }],
  exports: [NOTIFY_PORT],
})
export class NotifyModule {}
