import Redis from 'ioredis';
import { Ledger } from '../../../src/ledger/ledger';

/** The idempotent-consumer ledger against a real Redis: each outcome, and what a crash leaves behind. */
describe('Ledger.runOnce', () => {
  const redis = new Redis(process.env.TEST_REDIS_URL!);
  const ledger = new Ledger(redis, `ledgertest${process.pid}x${Date.now().toString(36)}`);
  let n = 0;
  const key = () => `effect:${++n}`;
  afterAll(() => redis.quit());

  it('performs once, then answers from the ledger without calling anything', async () => {
    const k = key();
    const perform = jest.fn(async () => 'ext-1');
    const reconcile = jest.fn(async () => null);
    expect(await ledger.runOnce(k, 'test.effect', { perform, reconcile }, { letterId: 'L1' })).toMatchObject({
      externalId: 'ext-1',
      outcome: 'performed',
      entry: { state: 'done', attempts: 1, meta: { letterId: 'L1' }, kind: 'test.effect' },
    });
    expect(await ledger.runOnce(k, 'test.effect', { perform, reconcile }, { letterId: 'OTHER' })).toMatchObject({
      externalId: 'ext-1',
      outcome: 'recorded',
    });
    expect(perform).toHaveBeenCalledTimes(1);
    expect(reconcile).not.toHaveBeenCalled();
    expect(await ledger.get(k)).toMatchObject({ state: 'done', externalId: 'ext-1', attempts: 1, meta: { letterId: 'L1' } });
  });

  it("after an attempt of unknown outcome, reconciles before performing, with the first attempt's meta", async () => {
    const k = key();
    await expect(
      ledger.runOnce(
        k,
        'test.effect',
        {
          perform: async () => {
            throw new Error('timeout');
          },
        },
        { letterId: 'FIRST' },
      ),
    ).rejects.toThrow('timeout');
    expect(await ledger.get(k)).toMatchObject({ state: 'pending', attempts: 1, meta: { letterId: 'FIRST' } });

    const seen: string[] = [];
    const r = await ledger.runOnce(
      k,
      'test.effect',
      {
        perform: async () => 'never',
        reconcile: async (entry) => (seen.push(entry.meta.letterId), 'found-1'),
      },
      { letterId: 'SECOND' },
    );
    expect(r).toMatchObject({ externalId: 'found-1', outcome: 'reconciled', entry: { state: 'done', attempts: 2 } });
    expect(seen).toEqual(['FIRST']); // the id persisted by the first attempt, not a new one
  });

  it('performs again when reconcile finds nothing, and never reconciles a fresh key', async () => {
    const k = key();
    const reconcile = jest.fn(async () => null);
    await expect(
      ledger.runOnce(k, 'test.effect', {
        perform: async () => {
          throw new Error('crash');
        },
        reconcile,
      }),
    ).rejects.toThrow('crash');
    expect(reconcile).not.toHaveBeenCalled();
    expect(await ledger.runOnce(k, 'test.effect', { perform: async () => 'ext-2', reconcile })).toMatchObject({
      outcome: 'performed',
      entry: { attempts: 2 },
    });
    expect(reconcile).toHaveBeenCalledTimes(1);
  });

  it('a second Ledger on the same client shares the script, and begin keeps the first values', async () => {
    const k = key();
    const other = new Ledger(redis, (ledger as unknown as { prefix: string }).prefix);
    await other.begin(k, 'kind.a', { a: '1' });
    expect(await ledger.begin(k, 'kind.b', { b: '2' })).toMatchObject({ kind: 'kind.a', state: 'pending', attempts: 2, meta: { a: '1' } });
  });

  it('keeps the ids a step returns with its completion, and returns the entry as stored', async () => {
    const k = key();
    const r = await ledger.runOnce(
      k,
      'test.effect',
      { perform: async () => ({ externalId: 'D1', meta: { openLink: 'https://x/1' } }) },
      {
        sha: 'abc',
      },
    );
    expect(r).toMatchObject({
      externalId: 'D1',
      outcome: 'performed',
      entry: { state: 'done', meta: { sha: 'abc', openLink: 'https://x/1' } },
    });
    expect(await ledger.get(k)).toMatchObject({ state: 'done', externalId: 'D1', meta: { sha: 'abc', openLink: 'https://x/1' } });
    // Recorded: the entry as stored, meta included, so a caller need not read it again.
    expect((await ledger.runOnce(k, 'test.effect', { perform: async () => 'never' })).entry.meta).toEqual({
      sha: 'abc',
      openLink: 'https://x/1',
    });

    const found = key();
    await expect(ledger.runOnce(found, 'test.effect', { perform: async () => Promise.reject(new Error('timeout')) })).rejects.toThrow();
    const rec = await ledger.runOnce(found, 'test.effect', {
      perform: async () => 'never',
      reconcile: async () => ({ externalId: 'D2', meta: { openLink: 'https://x/2' } }),
    });
    expect(rec).toMatchObject({ outcome: 'reconciled', entry: { state: 'done', externalId: 'D2', meta: { openLink: 'https://x/2' } } });
    expect(await ledger.get(found)).toMatchObject({ state: 'done', externalId: 'D2', meta: { openLink: 'https://x/2' } });
  });

  it('merges meta in one step, keeps what was there, and refuses an entry that does not exist', async () => {
    const k = key();
    await ledger.begin(k, 'test.effect', { caseRef: 'C/1' });
    const link = 'https://edoc.example/locator.aspx?name=DMS.Document.Details&id=7';
    expect(await ledger.updateMeta(k, { openLink: link, note: 'æøå "x"' })).toMatchObject({
      state: 'pending',
      attempts: 1,
      meta: { caseRef: 'C/1', openLink: link, note: 'æøå "x"' },
    });
    expect((await ledger.updateMeta(k, { caseRef: 'C/2' })).meta).toEqual({ caseRef: 'C/2', openLink: link, note: 'æøå "x"' });
    expect((await ledger.get(k))!.meta).toEqual({ caseRef: 'C/2', openLink: link, note: 'æøå "x"' });
    const empty = key();
    await ledger.begin(empty, 'test.effect');
    expect((await ledger.updateMeta(empty, {})).meta).toEqual({});
    await expect(ledger.updateMeta(key(), { a: 'b' })).rejects.toThrow(/does not exist/);
  });
});
