import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { PermanentError, RetryableError } from '../../src/common/errors';
import { rootLogger } from '../../src/logging/logger';
import type { NotifyMessage, NotifyPort } from './notify.port';

/** What an outbox folder holds per message, next to its attachment files. */
export interface OutboxEnvelope {
  id: string;
  deliveryId: string;
  to: string[];
  cc?: string[];
  subject: string;
  body: string;
  attachments: Array<{ filename: string; file: string; contentType: string; bytes: number; sha256: string }>;
  writtenAt: string;
}

const SAFE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** A file-system-safe name for a message id; ids that need changing get a hash so two never collide. */
export function deliveryIdFor(id: string): string {
  if (SAFE.test(id)) return id;
  const cleaned = id
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^[._-]+/, '')
    .slice(0, 80);
  return `${cleaned || 'msg'}-${createHash('sha256').update(id).digest('hex').slice(0, 16)}`;
}

function attachmentName(index: number, filename: string): string {
  const base =
    path
      .basename(filename)
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .replace(/^\.+/, '') || 'attachment';
  return `${index + 1}-${base.slice(0, 100)}`;
}

/**
 * NOTIFY_PORT as an outbox folder: each message becomes one directory `<outbox>/<deliveryId>/` with
 * message.json and its attachments, which the municipality's mail gateway (or a person, in the
 * sandbox) picks up. The directory is assembled under `.tmp/` and renamed into place, so a reader
 * never sees half a message; the rename also decides races, so one id is delivered once.
 */
export class OutboxNotifier implements NotifyPort {
  private readonly log = rootLogger().child({ component: 'notify-outbox' });

  constructor(readonly dir: string) {}

  async send(msg: NotifyMessage): Promise<{ deliveryId: string; duplicate: boolean }> {
    if (!msg.id) throw new PermanentError('notify message without id', 'NOTIFY_NO_ID', 'notify');
    if (!msg.to?.length)
      throw new PermanentError(`notify message ${deliveryIdFor(msg.id)} has no recipient`, 'NOTIFY_NO_RECIPIENT', 'notify');
    const deliveryId = deliveryIdFor(msg.id);
    const final = path.join(this.dir, deliveryId);
    if (await exists(final)) return this.duplicate(deliveryId);

    const tmpRoot = path.join(this.dir, '.tmp');
    const tmp = path.join(tmpRoot, `${deliveryId}.${randomBytes(6).toString('hex')}`);
    try {
      await mkdir(tmp, { recursive: true });
      const attachments: OutboxEnvelope['attachments'] = [];
      for (const [i, a] of (msg.attachments ?? []).entries()) {
        const file = attachmentName(i, a.filename);
        await writeDurably(path.join(tmp, file), a.content);
        attachments.push({
          filename: a.filename,
          file,
          contentType: a.contentType,
          bytes: a.content.length,
          sha256: createHash('sha256').update(a.content).digest('hex'),
        });
      }
      const envelope: OutboxEnvelope = {
        id: msg.id,
        deliveryId,
        to: msg.to,
        ...(msg.cc?.length ? { cc: msg.cc } : {}),
        subject: msg.subject,
        body: msg.body,
        attachments,
        writtenAt: new Date().toISOString(),
      };
      await writeDurably(path.join(tmp, 'message.json'), Buffer.from(JSON.stringify(envelope, null, 2) + '\n'));
      await rename(tmp, final);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
      const code = (err as NodeJS.ErrnoException).code;
      // Someone else delivered the same id between our check and our rename.
      if ((code === 'ENOTEMPTY' || code === 'EEXIST') && (await exists(final))) return this.duplicate(deliveryId);
      throw new RetryableError(`outbox write failed for ${deliveryId}: ${code ?? 'error'}`, 'NOTIFY_OUTBOX_WRITE', 'notify');
    }
    this.log.info({ deliveryId, attachments: msg.attachments?.length ?? 0 }, 'message written to outbox');
    return { deliveryId, duplicate: false };
  }

  /** Reads a delivered message back (operators, tests). */
  async read(deliveryId: string): Promise<OutboxEnvelope | null> {
    try {
      return JSON.parse(await readFile(path.join(this.dir, deliveryIdFor(deliveryId), 'message.json'), 'utf8')) as OutboxEnvelope;
    } catch {
      return null;
    }
  }

  private duplicate(deliveryId: string) {
    this.log.info({ deliveryId }, 'message already in outbox');
    return { deliveryId, duplicate: true };
  }
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/** Written and flushed to disk before the directory is renamed into place. */
async function writeDurably(file: string, content: Buffer): Promise<void> {
  const fh = await open(file, 'wx');
  try {
    await fh.writeFile(content);
    await fh.sync();
  } finally {
    await fh.close();
  }
}
