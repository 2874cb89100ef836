import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface ReceivedMail {
  raw: string;
  parsed: ParsedMail;
  from: string;
  to: string[];
  /** Whether the session was encrypted (STARTTLS or smtps) when the message came in. */
  secure: boolean;
  user?: string;
}

/** What the server answers to the nth DATA (0-based): undefined accepts, a reply code refuses. */
export type DataReply = (n: number) => { code: number; text: string } | undefined;

/**
 * A real SMTP server in the test process (smtp-server), on a free loopback port: it records what
 * it accepts and can answer DATA with a chosen 4xx/5xx, like a relay that defers or refuses.
 */
export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];
  private dataCount = 0;
  reply: DataReply = () => undefined;

  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
  ) {}

  static async start(opts: Partial<SMTPServerOptions> & { users?: Record<string, string> } = {}): Promise<TestSmtpServer> {
    const { users, ...serverOpts } = opts;
    // Assigned once the server listens; the handlers below read it only after that.
    // eslint-disable-next-line prefer-const
    let self: TestSmtpServer | undefined;
    const server = new SMTPServer({
      logger: false,
      disabledCommands: users ? [] : ['AUTH'],
      authOptional: !users,
      ...serverOpts,
      onAuth(auth, _session, cb) {
        if (users && users[auth.username ?? ''] === auth.password) cb(null, { user: auth.username });
        else cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const s = self!;
          const refusal = s.reply(s.dataCount++);
          if (refusal) return cb(Object.assign(new Error(refusal.text), { responseCode: refusal.code }));
          const raw = Buffer.concat(chunks).toString('utf8');
          simpleParser(raw).then(
            (parsed) => {
              s.received.push({
                raw,
                parsed,
                secure: session.secure,
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                to: session.envelope.rcptTo.map((r) => r.address),
                user: typeof session.user === 'string' ? session.user : undefined,
              });
              cb(null, `Ok: queued as Q${s.received.length}`);
            },
            (err: Error) => cb(err),
          );
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    self = new TestSmtpServer(server, (server.server.address() as AddressInfo).port);
    return self;
  }

  url(scheme: 'smtp' | 'smtps' = 'smtp'): string {
    return `${scheme}://127.0.0.1:${this.port}`;
  }

  /** How many DATA commands the server answered, accepted or not. */
  get attempts(): number {
    return this.dataCount;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
