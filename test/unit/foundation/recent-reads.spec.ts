import { RecentReads } from '../../../src/common/recent-reads';

describe('RecentReads', () => {
  let clock: number;
  let reads: string[];
  const make = (max = 10) => new RecentReads<string>({ windowMs: 1000, max, now: () => clock });
  const read = (key: string) => async () => (reads.push(key), `${key}@${clock}`);

  beforeEach(() => {
    clock = 0;
    reads = [];
  });

  it('serves a read to every caller within the window, then reads again', async () => {
    const r = make();
    const [a, b] = await Promise.all([r.get('k', read('k')), r.get('k', read('k'))]);
    clock = 999;
    expect(await r.get('k', read('k'))).toBe('k@0');
    expect([a, b]).toEqual(['k@0', 'k@0']);
    clock = 1000;
    expect(await r.get('k', read('k'))).toBe('k@1000');
    expect(reads).toEqual(['k', 'k']);
  });

  it('drops a failed read at once: the next caller reads again', async () => {
    const r = make();
    await expect(r.get('k', async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await r.get('k', read('k'))).toBe('k@0');
    expect(reads).toEqual(['k']);
  });

  it('forgets a read whose source changed: the next caller reads again', async () => {
    const r = make();
    await r.get('k', read('k'));
    r.forget('k');
    clock = 1;
    expect(await r.get('k', read('k'))).toBe('k@1');
    expect(reads).toEqual(['k', 'k']);
  });

  it('keeps a read made elsewhere, and stays bounded by count and by age', async () => {
    const r = make(2);
    r.keep('a', Promise.resolve('given'));
    expect(await r.get('a', read('a'))).toBe('given');
    await r.get('b', read('b'));
    await r.get('c', read('c')); // over the bound of 2: the oldest ('a') goes
    expect(await r.get('a', read('a'))).toBe('a@0');
    clock = 5000;
    r.keep('d', Promise.resolve('d')); // everything older than the window goes with it
    clock = 0; // were they still kept, they would be fresh again now
    expect(await r.get('c', read('c'))).toBe('c@0');
    expect(reads).toEqual(['b', 'c', 'a', 'c']);
  });
});
