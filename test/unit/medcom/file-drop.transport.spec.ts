import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileDropTransport } from '../../../adapters/medcom/transport/file-drop.transport';
import { MAX_INBOUND_BYTES } from '../../../adapters/medcom/xml/safe-xml';

function dirs() {
  const root = mkdtempSync(path.join(os.tmpdir(), 'filedrop-'));
  const d = { outDir: path.join(root, 'out'), inDir: path.join(root, 'in') };
  mkdirSync(d.inDir, { recursive: true });
  return d;
}

describe('file-drop transport', () => {
  it('writes <uuid>_<timestamp>.<ext> with nothing half-written left behind; the same attempt gets the same name', async () => {
    const d = dirs();
    const t = new FileDropTransport(d.outDir, d.inDir);
    const msg = {
      envelopeId: 'EABCDEFGHIJKLM',
      bytes: Buffer.from('<x/>'),
      extension: 'xml' as const,
      sentAt: new Date('2026-12-03T09:15:00.123Z'),
    };
    const { name } = await t.send(msg);
    expect(name).toMatch(/^[0-9a-f-]{36}_20261203101500123\.xml$/);
    expect((await t.send(msg)).name).toBe(name);
    expect(readdirSync(d.outDir)).toEqual([name]); // no temporary files, no second copy
    expect(readFileSync(path.join(d.outDir, name), 'utf8')).toBe('<x/>');
  });

  it('gives each incoming file to exactly one of several concurrent claimers', async () => {
    const d = dirs();
    for (let i = 0; i < 40; i++) writeFileSync(path.join(d.inDir, `r${i}.xml`), `<r${i}/>`);
    writeFileSync(path.join(d.inDir, '.partial-upload'), 'ignored');
    const workers = Array.from({ length: 4 }, () => new FileDropTransport(d.outDir, d.inDir));
    const claims = (await Promise.all(workers.map((w) => w.claimIncoming(100)))).flat();
    expect(claims.map((c) => c.id).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `r${i}.xml`).sort());
  });

  it('settles into processed/, failed/ (with the reason) and unmatched/, and never deletes', async () => {
    const d = dirs();
    const t = new FileDropTransport(d.outDir, d.inDir);
    for (const n of ['a.xml', 'b.xml', 'c.xml']) writeFileSync(path.join(d.inDir, n), n);
    const [a, b, c] = await t.claimIncoming(10);
    await t.settle(a, 'processed');
    await t.settle(b, 'failed', '[RECEIPT_MALFORMED] not well-formed XML');
    await t.settle(c, 'unmatched', 'answers no letter known here');
    expect(readdirSync(path.join(d.inDir, 'processed'))).toEqual(['a.xml']);
    expect(readFileSync(path.join(d.inDir, 'failed', 'b.xml.reason.txt'), 'utf8')).toBe('[RECEIPT_MALFORMED] not well-formed XML\n');
    expect(readdirSync(path.join(d.inDir, 'unmatched')).sort()).toEqual(['c.xml', 'c.xml.reason.txt']);
    // The same name arriving again is kept beside the first.
    writeFileSync(path.join(d.inDir, 'a.xml'), 'again');
    await t.settle((await t.claimIncoming(10))[0], 'processed');
    expect(readdirSync(path.join(d.inDir, 'processed')).sort()).toEqual(['a.xml', 'a.xml.1']);
  });

  it('takes over a claim a crashed worker left behind, after the reclaim period', async () => {
    const d = dirs();
    const t = new FileDropTransport(d.outDir, d.inDir, 60_000);
    writeFileSync(path.join(d.inDir, 'orphan.xml'), '<r/>');
    expect((await t.claimIncoming(10)).map((c) => c.id)).toEqual(['orphan.xml']); // ...and the worker "crashes"
    expect(await t.claimIncoming(10)).toEqual([]);
    const old = new Date(Date.now() - 120_000);
    utimesSync(path.join(d.inDir, '.processing', 'orphan.xml'), old, old);
    expect((await t.claimIncoming(10)).map((c) => c.id)).toEqual(['orphan.xml']);
  });

  it('reads at most one byte beyond the size limit of an oversized file', async () => {
    const d = dirs();
    writeFileSync(path.join(d.inDir, 'huge.xml'), Buffer.alloc(MAX_INBOUND_BYTES + 1000, 0x20));
    const [item] = await new FileDropTransport(d.outDir, d.inDir).claimIncoming(1);
    expect(item.bytes.length).toBe(MAX_INBOUND_BYTES + 1);
    expect(existsSync(path.join(d.inDir, 'huge.xml'))).toBe(false);
  });
});

describe('file-drop transport: names near the file system limit', () => {
  const longName = (tag: string) => `${tag}-${'æ'.repeat(120)}.xml`; // 246 bytes

  it('claims an over-long name under a short generated one that the inbox refuses, and settles it with a reason', async () => {
    const d = dirs();
    const t = new FileDropTransport(d.outDir, d.inDir);
    writeFileSync(path.join(d.inDir, longName('a')), '<a/>');
    const [item] = await t.claimIncoming(10);
    expect(item.id).toMatch(/^name-too-long-[0-9a-f]{16}\.xml$/);
    expect(item.refused).toEqual({ code: 'RECEIPT_FILE_NAME', message: expect.stringContaining('246 bytes') });
    await t.settle(item, 'failed', `[${item.refused!.code}] ${item.refused!.message}`);
    expect(readdirSync(path.join(d.inDir, 'failed')).sort()).toEqual([item.id, `${item.id}.reason.txt`]);
  });

  it('gives a long-named claim left behind by a crashed worker its safe name when taking it over', async () => {
    const d = dirs();
    mkdirSync(path.join(d.inDir, '.processing'));
    const stale = path.join(d.inDir, '.processing', longName('b'));
    writeFileSync(stale, '<b/>');
    utimesSync(stale, new Date(Date.now() - 600_000), new Date(Date.now() - 600_000));
    const [item] = await new FileDropTransport(d.outDir, d.inDir, 1000).claimIncoming(10);
    expect(item).toMatchObject({ id: expect.stringMatching(/^name-too-long-/), refused: { code: 'RECEIPT_FILE_NAME' } });
    expect(readdirSync(path.join(d.inDir, '.processing'))).toEqual([item.id]);
  });
});
