import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IntegrationError } from '../../../src/common/errors';
import { deliveryIdFor, OutboxNotifier } from '../../../adapters/notify/outbox.notifier';

const tmpDir = () => mkdtempSync(path.join(os.tmpdir(), 'tsm-outbox-'));
const message = (id: string) => ({
  id,
  to: ['tvaerfagligt-moede.solhoej@kommune.example'],
  subject: 'Tværfagligt samarbejdsmøde',
  body: 'Se vedhæftede invitation.',
  attachments: [
    {
      filename: 'invitation.ics',
      contentType: 'text/calendar; charset=utf-8',
      content: Buffer.from('BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n'),
    },
  ],
});

describe('OutboxNotifier', () => {
  it('writes one folder per message with message.json and the attachment bytes', async () => {
    const dir = tmpDir();
    const n = new OutboxNotifier(dir);
    const r = await n.send(message('teams.solhoej.2026-12-03'));
    expect(r).toEqual({ deliveryId: 'teams.solhoej.2026-12-03', duplicate: false });
    const files = readdirSync(path.join(dir, r.deliveryId)).sort();
    expect(files).toEqual(['1-invitation.ics', 'message.json']);
    expect(readFileSync(path.join(dir, r.deliveryId, '1-invitation.ics'), 'utf8')).toBe('BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n');
    const env = await n.read(r.deliveryId);
    expect(env).toMatchObject({
      id: 'teams.solhoej.2026-12-03',
      to: ['tvaerfagligt-moede.solhoej@kommune.example'],
      subject: 'Tværfagligt samarbejdsmøde',
      attachments: [{ filename: 'invitation.ics', file: '1-invitation.ics', contentType: 'text/calendar; charset=utf-8', bytes: 32 }],
    });
  });

  it('delivers the same id once: the second send is a duplicate and leaves the first message untouched', async () => {
    const dir = tmpDir();
    const n = new OutboxNotifier(dir);
    await n.send(message('m-1'));
    const second = await n.send({ ...message('m-1'), subject: 'changed' });
    expect(second).toEqual({ deliveryId: 'm-1', duplicate: true });
    expect((await n.read('m-1'))?.subject).toBe('Tværfagligt samarbejdsmøde');
    expect(readdirSync(dir).filter((f) => !f.startsWith('.'))).toEqual(['m-1']);
  });

  it('lets exactly one of many concurrent sends of one id deliver it', async () => {
    const dir = tmpDir();
    const senders = Array.from({ length: 12 }, () => new OutboxNotifier(dir));
    const results = await Promise.all(senders.map((s) => s.send(message('race'))));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(readdirSync(dir).filter((f) => !f.startsWith('.'))).toEqual(['race']);
    expect(readdirSync(path.join(dir, '.tmp'))).toEqual([]);
  });

  it('maps unsafe ids to distinct safe folder names', () => {
    const a = deliveryIdFor('a/b');
    const b = deliveryIdFor('a_b');
    const c = deliveryIdFor('../../etc');
    expect(a).toMatch(/^a_b-[0-9a-f]{16}$/);
    expect(b).toBe('a_b');
    expect(c).not.toContain('/');
    expect(c.startsWith('.')).toBe(false);
    expect(new Set([a, b, c, deliveryIdFor('a:b')]).size).toBe(4);
  });

  it.each([
    ['no id', { ...message(''), id: '' }, 'NOTIFY_NO_ID'],
    ['no recipient', { ...message('x'), to: [] }, 'NOTIFY_NO_RECIPIENT'],
  ])('refuses a message with %s (permanent)', async (_l, msg, code) => {
    await expect(new OutboxNotifier(tmpDir()).send(msg)).rejects.toMatchObject({ code, errorClass: 'permanent' });
  });

  it('reports an unwritable outbox as retryable and leaves no partial message', async () => {
    const parent = tmpDir();
    const blocked = path.join(parent, 'outbox');
    writeFileSync(blocked, 'a file where the folder should be');
    const err = await new OutboxNotifier(blocked).send(message('m-2')).catch((e) => e);
    expect(err).toBeInstanceOf(IntegrationError);
    expect(err).toMatchObject({ code: 'NOTIFY_OUTBOX_WRITE', errorClass: 'retryable' });
    expect(readdirSync(parent)).toEqual(['outbox']);
  });
});
