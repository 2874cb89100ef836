import { readFileSync } from 'node:fs';
import nodemailer, { type Transporter } from 'nodemailer';
import { PermanentError, RetryableError } from '../../src/common/errors';
import type { Ledger } from '../../src/ledger/ledger';
import { rootLogger } from '../../src/logging/logger';
import { notifySent } from '../../src/metrics/metrics';
import type { NotifyMessage, NotifyPort } from './notify.port';
import { deliveryIdFor, type OutboxNotifier } from './outbox.notifier';

export interface SmtpSettings {
  /** smtp://host[:port] (STARTTLS) or smtps://host[:port] (implicit TLS). */
  url: string;
  user?: string;
  password?: string;
  from: string;
  /** Plain smtp:// without STARTTLS; config refuses it in production. */
  insecure: boolean;
  /** PEM of the CA behind the relay's certificate, when it is not a public one. */
  caFile?: string;
  timeoutMs: number;
}

/** The transport as the settings describe it: STARTTLS required on smtp:// unless insecure. */
export function createSmtpTransport(s: SmtpSettings): Transporter {
  const u = new URL(s.url);
  const secure = u.protocol === 'smtps:';
  return nodemailer.createTransport({
    host: u.hostname,
    port: Number(u.port || (secure ? 465 : 587)),
    secure,
    requireTLS: !secure && !s.insecure,
    auth: s.user ? { user: s.user, pass: s.password ?? '' } : undefined,
    tls: { minVersion: 'TLSv1.2', ...(s.caFile ? { ca: readFileSync(s.caFile) } : {}) },
    connectionTimeout: s.timeoutMs,
    greetingTimeout: s.timeoutMs,
    socketTimeout: s.timeoutMs,
    // The queue retries with backoff; a second retry loop inside the transport would hide failures from it.
    pool: false,
  });
}

/** The bare address of MAIL_FROM ("Name <box@domain>" → box@domain). */
export function mailAddress(from: string): string {
  const m = /<([^<>\s]+@[^<>\s]+)>\s*$/.exec(from);
  return (m ? m[1] : from).trim();
}

/** The domain of MAIL_FROM: Message-IDs are minted under the sender's own domain. */
export function mailDomain(from: string): string {
  const m = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from);
  if (!m) throw new Error('MAIL_FROM has no domain');
  return m[1].toLowerCase();
}

/**
 * One Message-ID per message id, the same on every attempt: if a crash repeats a send (the
 * at-least-once window below), mail clients and most relays recognise the second copy.
 */
export function smtpMessageId(id: string, domain: string): string {
  return `<${deliveryIdFor(id)}@${domain}>`;
}

/** Connection-level failures: the relay was not reached or went away before answering. */
const UNREACHABLE = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH']);

interface SmtpFailure {
  code?: string;
  responseCode?: number;
  command?: string;
}

/**
 * Maps a nodemailer failure to the shared vocabulary. Only the reply code, the SMTP command and
 * the delivery id go into the message: the server's reply text often quotes an address.
 */
export function classifySmtpError(err: unknown, deliveryId: string): PermanentError | RetryableError {
  const e = (err ?? {}) as SmtpFailure;
  const at = e.command ? ` at ${String(e.command).split(' ')[0].slice(0, 16)}` : '';
  if (typeof e.responseCode === 'number' && e.responseCode >= 500) {
    return new PermanentError(
      `SMTP relay refused message ${deliveryId}${at}: reply ${e.responseCode}`,
      `SMTP_${e.responseCode}`,
      'notify',
      e.responseCode,
    );
  }
  if (typeof e.responseCode === 'number' && e.responseCode >= 400) {
    return new RetryableError(
      `SMTP relay deferred message ${deliveryId}${at}: reply ${e.responseCode}`,
      `SMTP_${e.responseCode}`,
      'notify',
      e.responseCode,
    );
  }
  const code =
    String(e.code ?? 'ERROR')
      .replace(/[^A-Z0-9_]/gi, '')
      .slice(0, 24) || 'ERROR';
  return new RetryableError(`SMTP delivery of ${deliveryId} failed${at}: ${code}`, `SMTP_${code}`, 'notify');
}

function isUnreachable(err: unknown): boolean {
  const e = (err ?? {}) as SmtpFailure;
  return e.responseCode === undefined && UNREACHABLE.has(String(e.code));
}

/** "text/calendar; charset=utf-8; method=REQUEST" → REQUEST. */
function calendarMethod(contentType: string): string {
  return /method=([A-Za-z-]+)/i.exec(contentType)?.[1]?.toUpperCase() ?? 'REQUEST';
}

/**
 * NOTIFY_PORT over SMTP. The port promises one delivery per message id; the ledger keeps that
 * promise across retries and restarts (`notify:smtp:<deliveryId>`, done with the relay's queue id).
 *
 * The one window left is a crash after the relay accepted the message (250) and before the ledger
 * records it: SMTP has no way to ask a relay whether it holds a message, so the next attempt sends
 * again — at least once, never lost — with the same Message-ID, which clients use to show one mail.
 */
export class SmtpNotifier implements NotifyPort {
  private readonly log = rootLogger().child({ component: 'notify-smtp' });
  private readonly domain: string;

  constructor(
    private readonly transport: Transporter,
    private readonly ledger: Ledger,
    private readonly from: string,
    /** Set only when MAIL_OUTBOX_FALLBACK is: an unreachable relay writes to the outbox instead. */
    private readonly fallback?: OutboxNotifier,
  ) {
    this.domain = mailDomain(from);
  }

  async send(msg: NotifyMessage): Promise<{ deliveryId: string; duplicate: boolean }> {
    if (!msg.id) throw new PermanentError('notify message without id', 'NOTIFY_NO_ID', 'notify');
    const deliveryId = deliveryIdFor(msg.id);
    if (!msg.to?.length) throw new PermanentError(`notify message ${deliveryId} has no recipient`, 'NOTIFY_NO_RECIPIENT', 'notify');
    const r = await this.ledger.runOnce(`notify:smtp:${deliveryId}`, 'notify.smtp', { perform: () => this.deliver(msg, deliveryId) });
    if (r.outcome === 'recorded') this.log.info({ deliveryId }, 'message already delivered');
    return { deliveryId, duplicate: r.outcome === 'recorded' };
  }

  private async deliver(msg: NotifyMessage, deliveryId: string): Promise<string> {
    const attachments = msg.attachments ?? [];
    const ics = attachments.find((a) => a.contentType.toLowerCase().startsWith('text/calendar'));
    const messageId = smtpMessageId(msg.id, this.domain);
    try {
      const info = await this.transport.sendMail({
        from: this.from,
        to: msg.to,
        ...(msg.cc?.length ? { cc: msg.cc } : {}),
        subject: msg.subject,
        text: msg.body,
        messageId,
        // The invitation as the alternative part calendar clients act on (text/calendar; method=REQUEST).
        ...(ics
          ? { icalEvent: { method: calendarMethod(ics.contentType), filename: ics.filename, content: ics.content.toString('utf8') } }
          : {}),
        attachments: attachments
          .filter((a) => a !== ics)
          .map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
        disableFileAccess: true,
        disableUrlAccess: true,
      });
      notifySent.inc({ transport: 'smtp', outcome: 'sent' });
      this.log.info({ deliveryId, attachments: attachments.length }, 'message accepted by the SMTP relay');
      // The relay's answer ("250 2.0.0 Ok: queued as X") names its queue id: the external id to find it by there.
      const queued = /queued as\s+(\S+)/i.exec(String(info.response ?? ''))?.[1];
      return queued ? `smtp:${queued.slice(0, 64)}` : `smtp:${messageId}`;
    } catch (err) {
      const mapped = classifySmtpError(err, deliveryId);
      if (this.fallback && isUnreachable(err)) {
        notifySent.inc({ transport: 'outbox', outcome: 'fallback' });
        this.log.warn({ deliveryId, code: mapped.code }, 'SMTP relay unreachable: message written to the outbox folder instead');
        return `outbox:${(await this.fallback.send(msg)).deliveryId}`;
      }
      notifySent.inc({ transport: 'smtp', outcome: mapped.errorClass === 'permanent' ? 'refused' : 'deferred' });
      this.log.warn({ deliveryId, code: mapped.code, status: mapped.status }, 'SMTP delivery failed');
      throw mapped;
    }
  }
}
