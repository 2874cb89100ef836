import Redis from 'ioredis';
import { LetterStore } from '../../../src/workflows/medcom-letters/medcom-letters.store';
import { practice } from '../../support/medcom-fixtures';

/**
 * Found by the chaos run: the letter and its content were two writes, and a worker killed between
 * them left a letter that could never be sent (MEDCOM_CONTENT_GONE). Both are now one script.
 */
describe('LetterStore.create (real Redis)', () => {
  const redis = new Redis(process.env.TEST_REDIS_URL!);
  const prefix = `letters${process.pid}x${Date.now().toString(36)}`;
  const store = new LetterStore(redis, prefix);
  afterAll(() => redis.quit());

  const rec = (letterId: string) => ({
    letterId,
    ledgerKey: `medcom:note:1:v2:gp:${practice.ydernummer}`,
    noteId: 1,
    noteVersion: 2,
    kind: 'meeting-note' as const,
    format: 'xdis91' as const,
    receiverYdernummer: practice.ydernummer,
    receiverEan: practice.ean,
    converted: false,
    authorisedAt: '2026-12-03T09:00:00.000Z',
  });
  const body = { patient: { cpr: '0101401234', givenName: 'Test', surname: 'Person' }, receiver: practice, subject: 'Emne', text: 'Tekst' };

  it('writes the letter and its content in one step, with the content expiring', async () => {
    const keysBefore = await redis.keys(`${prefix}:*`);
    expect(keysBefore).toEqual([]);
    expect(await store.create(rec('LATOMIC0000001'), body)).toBe(true);
    expect((await store.get('LATOMIC0000001'))?.state).toBe('sent');
    expect(await store.body('LATOMIC0000001')).toEqual(body);
    const ttl = await redis.ttl(`${prefix}:medcom-store:letter:LATOMIC0000001:body`);
    expect(ttl).toBeGreaterThan(0);
  });

  it('a process dying after its first Redis command leaves the letter whole or absent, never without content', async () => {
    // The worker "dies" after one command: every later command of that process fails.
    let commands = 0;
    const dying = new Proxy(redis, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function' || !['medcomLetterCreate', 'set', 'hset', 'get', 'hgetall', 'del'].includes(String(prop)))
          return value;
        return (...args: unknown[]) => (commands++ >= 1 ? Promise.reject(new Error('process killed')) : value.apply(target, args));
      },
    });
    await new LetterStore(dying, prefix).create(rec('LATOMIC0000003'), body).catch(() => undefined);
    // The next process retries the send: the letter must be sendable.
    await store.create(rec('LATOMIC0000003'), body);
    expect((await store.get('LATOMIC0000003'))?.state).toBe('sent');
    expect(await store.body('LATOMIC0000003')).toEqual(body);
  });

  it('never replaces an existing letter, and never brings back content dropped at a final state', async () => {
    expect(await store.create(rec('LATOMIC0000002'), body)).toBe(true);
    expect(await store.transition('LATOMIC0000002', ['sent'], 'acknowledged')).toBe('moved');
    expect(await store.body('LATOMIC0000002')).toBeNull();
    expect(await store.create(rec('LATOMIC0000002'), { ...body, subject: 'Andet' })).toBe(false);
    expect(await store.body('LATOMIC0000002')).toBeNull();
    expect((await store.get('LATOMIC0000002'))?.state).toBe('acknowledged');
  });
});
