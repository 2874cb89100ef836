import { loadSeed } from '../../adapters/shared/sandbox-seed';
import { runDemo } from '../../src/demo/demo-cycle';
import { personalDataHits } from '../unit/agenda/personal-data';
import { TestSmtpServer } from '../support/smtp-test-server';

const mailEnv = (server: TestSmtpServer) => ({
  MAIL_SMTP_URL: server.url(),
  MAIL_FROM: 'Tværfagligt samarbejde <tsm@solhoej.example>',
  MAIL_SMTP_INSECURE: 'true',
});

/**
 * `MAIL_SMTP_URL=… npm run demo`: the meeting invitation goes to a real SMTP server (in this
 * process) through the production agenda jobs, instead of the outbox folder.
 */
describe('tsm-bridge demo with an SMTP relay', () => {
  let server: TestSmtpServer;

  beforeEach(async () => {
    server = await TestSmtpServer.start({ disabledCommands: ['AUTH', 'STARTTLS'] });
  });
  afterEach(async () => {
    await server.stop();
  });

  it('delivers the invitation by SMTP with a text/calendar REQUEST part and no personal data, after one deferral (451) retried by the queue', async () => {
    server.reply = (n) => (n === 0 ? { code: 451, text: '4.7.1 Greylisted, try again later' } : undefined);
    const summary = await runDemo({ redisUrl: process.env.TEST_REDIS_URL, logLevel: 'silent', timeoutMs: 60_000, env: mailEnv(server) });
    expect(summary).toMatchObject({ reconciled: true, deadLetters: 0 });

    expect(server.attempts).toBe(2); // the deferral, then the retry of the publish job
    expect(server.received).toHaveLength(1);
    const [mail] = server.received;
    expect(mail.to).toEqual(['tvaerfagligt-moede.solhoej@kommune.example']);
    expect(mail.parsed.messageId).toMatch(/^<teams-invite\.solhoej\.\d{4}-\d{2}-\d{2}@solhoej\.example>$/);
    expect(mail.raw).toMatch(/Content-Type: text\/calendar; charset=utf-8; method=REQUEST/i);
    const calendar = mail.parsed.attachments.find((a) => a.contentType === 'text/calendar')!.content.toString('utf8');
    expect(calendar).toContain('METHOD:REQUEST');

    const seed = loadSeed();
    const decoded = [mail.parsed.subject ?? '', mail.parsed.text ?? '', calendar].join('\n');
    expect(personalDataHits(decoded, seed)).toEqual([]);
    expect(personalDataHits(mail.raw, seed, { ids: false })).toEqual([]);
  }, 90_000);

  it('a relay that refuses the invitation (550) dead-letters the publish job with the SMTP reply code', async () => {
    server.reply = () => ({ code: 550, text: '5.7.1 <tvaerfagligt-moede.solhoej@kommune.example>: Relay access denied' });
    const failed = await runDemo({
      redisUrl: process.env.TEST_REDIS_URL,
      logLevel: 'silent',
      timeoutMs: 60_000,
      env: mailEnv(server),
    }).catch((e: Error) => e);
    expect(failed).toBeInstanceOf(Error);
    expect((failed as Error).message).toMatch(/failed: \[AGENDA_PUBLISH_INCOMPLETE\] .*teams:SMTP_550/);
    expect((failed as Error).message).not.toMatch(/@|Relay access/);
    expect(server.attempts).toBe(1); // permanent: not retried
    expect(server.received).toHaveLength(0);
  }, 90_000);
});
