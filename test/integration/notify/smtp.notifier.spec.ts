import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { OutboxNotifier } from '../../../adapters/notify/outbox.notifier';
import { createSmtpTransport, SmtpNotifier, type SmtpSettings } from '../../../adapters/notify/smtp.notifier';
import type { NotifyMessage } from '../../../adapters/notify/notify.port';
import { buildMeetingInviteIcs } from '../../../src/domain/meeting-invite.ics';
import { Ledger } from '../../../src/ledger/ledger';
import { createLogger, setRootLogger } from '../../../src/logging/logger';
import { LogCapture } from '../../support/log-capture';
import { TestSmtpServer } from '../../support/smtp-test-server';

const FROM = 'Tværfagligt samarbejde <tsm@solhoej.example>';
const TO = ['tvaerfagligt-moede.solhoej@kommune.example'];

/** A Ledger that "dies" right after the side effect: the relay has the mail, the ledger never hears of it. */
class CrashBeforeLedgerWrite extends Ledger {
  override async complete(): Promise<void> {
    throw new Error('process killed between send and ledger write');
  }
}

function invitation(id: string): NotifyMessage {
  const ics = buildMeetingInviteIcs({
    districtId: 'solhoej',
    districtName: 'Solhøj',
    meetingDate: '2026-12-03',
    startTime: '09:00',
    durationMinutes: 120,
    teamsUrl: 'https://teams.microsoft.com/l/meetup-join/x',
    stamp: new Date('2026-11-20T08:00:00Z'),
    organizer: 'tsm@solhoej.example',
    attendees: TO,
  });
  return {
    id,
    to: TO,
    subject: 'Tværfagligt samarbejdsmøde 3. december',
    body: 'Invitation til mødet.',
    attachments: [
      { filename: 'moede.ics', contentType: 'text/calendar; charset=utf-8; method=REQUEST', content: Buffer.from(ics, 'utf8') },
    ],
  };
}

/**
 * SmtpNotifier against a real SMTP server (smtp-server, in this process) and the real ledger in
 * Redis: delivery with the calendar part, a deferral (4xx) then success, a refusal (5xx) with its
 * code, the crash window, STARTTLS required, and authentication.
 */
describe('SMTP notifier', () => {
  const redis = new Redis(process.env.TEST_REDIS_URL!);
  const prefix = `smtptest${process.pid}x${Date.now().toString(36)}`;
  const ledger = new Ledger(redis, prefix);
  let server: TestSmtpServer;
  let n = 0;
  const id = () => `teams-invite.solhoej.2026-12-03.${++n}`;
  const settings = (over: Partial<SmtpSettings> = {}): SmtpSettings => ({
    url: server.url(),
    from: FROM,
    insecure: true,
    timeoutMs: 5000,
    ...over,
  });
  const notifier = (over: Partial<SmtpSettings> = {}, l: Ledger = ledger) => new SmtpNotifier(createSmtpTransport(settings(over)), l, FROM);

  const logs = new LogCapture();

  beforeAll(async () => {
    // The notifier's log lines are kept to show they carry no address.
    setRootLogger(createLogger({ level: 'info', destination: logs }));
    server = await TestSmtpServer.start({ disabledCommands: ['AUTH', 'STARTTLS'] });
  });
  beforeEach(() => {
    server.reply = () => undefined;
  });
  afterAll(async () => {
    await server.stop();
    await redis.quit();
    setRootLogger(createLogger({ level: 'silent' }));
  });

  it('delivers once per message id, the invitation as a text/calendar; method=REQUEST part under a stable Message-ID', async () => {
    const msgId = id();
    const first = await notifier().send(invitation(msgId));
    expect(first).toEqual({ deliveryId: msgId, duplicate: false });
    expect(await notifier().send(invitation(msgId))).toEqual({ deliveryId: msgId, duplicate: true });
    const mails = server.received.filter((m) => m.parsed.messageId === `<${msgId}@solhoej.example>`);
    expect(mails).toHaveLength(1);
    const mail = mails[0];
    expect(mail.from).toBe('tsm@solhoej.example');
    expect(mail.to).toEqual(TO);
    expect(mail.parsed.subject).toBe('Tværfagligt samarbejdsmøde 3. december');
    expect(mail.raw).toMatch(/Content-Type: text\/calendar; charset=utf-8; method=REQUEST/i);
    const calendar = mail.parsed.attachments.find((a) => a.contentType === 'text/calendar');
    expect(calendar?.content.toString('utf8')).toContain('METHOD:REQUEST');
    expect(calendar?.content.toString('utf8')).toContain('ORGANIZER:mailto:tsm@solhoej.example');
    expect(await ledger.get(`notify:smtp:${msgId}`)).toMatchObject({
      state: 'done',
      kind: 'notify.smtp',
      externalId: expect.stringMatching(/^smtp:Q\d+$/),
    });
  });

  it('a deferral (451) is retryable with its code and no address; the retry delivers exactly one mail', async () => {
    const msgId = id();
    let deferred = 0;
    server.reply = () => (deferred++ === 0 ? { code: 451, text: `4.3.0 Mailbox ${TO[0]} busy, try later` } : undefined);
    const err = await notifier()
      .send(invitation(msgId))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ errorClass: 'retryable', code: 'SMTP_451', status: 451 });
    expect(String((err as Error).message)).not.toMatch(/@|busy/);
    expect(await ledger.get(`notify:smtp:${msgId}`)).toMatchObject({ state: 'pending', attempts: 1 });
    expect(await notifier().send(invitation(msgId))).toEqual({ deliveryId: msgId, duplicate: false });
    expect(server.received.filter((m) => m.parsed.messageId === `<${msgId}@solhoej.example>`)).toHaveLength(1);
    expect(logs.count()).toBeGreaterThan(0);
    expect(logs.text()).not.toContain(TO[0]);
    expect(logs.text()).not.toContain('tsm@solhoej.example');
  });

  it('a refusal (550) is permanent and carries the SMTP reply code, not the reply text', async () => {
    const msgId = id();
    server.reply = () => ({ code: 550, text: `5.1.1 <${TO[0]}>: Recipient address rejected` });
    const err = await notifier()
      .send(invitation(msgId))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ errorClass: 'permanent', code: 'SMTP_550', status: 550, system: 'notify' });
    expect((err as Error).message).toMatch(/reply 550/);
    expect((err as Error).message).not.toMatch(/@|rejected/);
  });

  it('a crash between send and ledger write sends again on restart (at least once) with the same Message-ID', async () => {
    const msgId = id();
    await expect(notifier({}, new CrashBeforeLedgerWrite(redis, prefix)).send(invitation(msgId))).rejects.toThrow(
      /between send and ledger write/,
    );
    expect(await ledger.get(`notify:smtp:${msgId}`)).toMatchObject({ state: 'pending' });
    // The restarted worker: the ledger cannot know the relay has it, so it sends again.
    expect(await notifier().send(invitation(msgId))).toEqual({ deliveryId: msgId, duplicate: false });
    expect(await notifier().send(invitation(msgId))).toEqual({ deliveryId: msgId, duplicate: true });
    const copies = server.received.filter((m) => m.parsed.messageId === `<${msgId}@solhoej.example>`);
    expect(copies).toHaveLength(2);
    expect(copies[0].parsed.headers.get('message-id')).toBe(copies[1].parsed.headers.get('message-id'));
  });

  it('requires STARTTLS on smtp:// unless MAIL_SMTP_INSECURE: nothing is sent in clear', async () => {
    const before = server.received.length;
    const err = await notifier({ insecure: false })
      .send(invitation(id()))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: expect.stringMatching(/^SMTP_/) });
    expect(server.received.length).toBe(before);
  });

  it('with MAIL_OUTBOX_FALLBACK, an unreachable relay writes the message to the outbox instead', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tsm-smtp-fallback-'));
    try {
      const gone = await TestSmtpServer.start({ disabledCommands: ['AUTH', 'STARTTLS'] });
      const url = gone.url();
      await gone.stop();
      const outbox = new OutboxNotifier(dir);
      const msgId = id();
      const fallback = new SmtpNotifier(createSmtpTransport(settings({ url })), ledger, FROM, outbox);
      expect(await fallback.send(invitation(msgId))).toEqual({ deliveryId: msgId, duplicate: false });
      expect(await outbox.read(msgId)).toMatchObject({ id: msgId, to: TO });
      expect(await ledger.get(`notify:smtp:${msgId}`)).toMatchObject({ state: 'done', externalId: `outbox:${msgId}` });
      // Without the fallback the same failure is a retryable error for the queue.
      const err = await new SmtpNotifier(createSmtpTransport(settings({ url })), ledger, FROM)
        .send(invitation(id()))
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ errorClass: 'retryable', code: expect.stringMatching(/^SMTP_E/) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('over STARTTLS with a private CA and authentication', () => {
    let dir: string;
    let tlsServer: TestSmtpServer | undefined;
    const haveOpenssl = (() => {
      try {
        execFileSync('openssl', ['version'], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    })();

    beforeAll(async () => {
      if (!haveOpenssl) return;
      dir = mkdtempSync(path.join(os.tmpdir(), 'tsm-smtp-tls-'));
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '2',
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
          '-keyout',
          path.join(dir, 'key.pem'),
          '-out',
          path.join(dir, 'cert.pem'),
        ],
        { stdio: 'ignore' },
      );
      tlsServer = await TestSmtpServer.start({
        key: readFileSync(path.join(dir, 'key.pem')),
        cert: readFileSync(path.join(dir, 'cert.pem')),
        users: { relayuser: 'relay-password-1' },
      });
    });
    afterAll(async () => {
      await tlsServer?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('upgrades with STARTTLS, trusts MAIL_SMTP_CA_FILE and signs in', async () => {
      if (!tlsServer) return console.warn('openssl not installed: STARTTLS case skipped');
      const msgId = id();
      const s = settings({
        url: tlsServer.url(),
        insecure: false,
        caFile: path.join(dir, 'cert.pem'),
        user: 'relayuser',
        password: 'relay-password-1',
      });
      await new SmtpNotifier(createSmtpTransport(s), ledger, FROM).send(invitation(msgId));
      expect(tlsServer.received).toHaveLength(1);
      expect(tlsServer.received[0]).toMatchObject({ secure: true, user: 'relayuser' });
      const bad = await new SmtpNotifier(createSmtpTransport({ ...s, password: 'wrong-password' }), ledger, FROM)
        .send(invitation(id()))
        .catch((e: unknown) => e);
      expect(bad).toMatchObject({ errorClass: 'permanent', code: 'SMTP_535' });
    });
  });
});
