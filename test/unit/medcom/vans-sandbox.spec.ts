import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildCareCommunicationBundle, serializeFhir } from '../../../adapters/medcom/fhir-carecommunication.builder';
import { parseInbound, ParsedReceipt } from '../../../adapters/medcom/receipt.parser';
import { VansFaults, VansSandbox } from '../../../adapters/medcom/sandbox/vans-sandbox';
import { startVansSandboxHttp } from '../../../adapters/medcom/sandbox/vans-sandbox.http';
import { buildXdis91 } from '../../../adapters/medcom/xdis91.builder';
import { PermanentError } from '../../../src/common/errors';
import { outgoingLetter } from '../../support/medcom-fixtures';
import { eventually } from '../../support/test-service';

function folders() {
  const root = mkdtempSync(path.join(os.tmpdir(), 'vans-'));
  return { outDir: path.join(root, 'out'), inDir: path.join(root, 'in'), archiveDir: path.join(root, 'received') };
}
const files = (dir: string) => readdirSync(dir).filter((f) => !f.startsWith('.'));
const letterBytes = (i: number) =>
  buildXdis91(outgoingLetter({ letterId: `L${String(i).padStart(13, '0')}`, envelopeId: `E${String(i).padStart(13, '0')}` }), {
    maxBlockChars: 2000,
  }).bytes;

async function run(faults: Partial<VansFaults>, seed: number, messages: Buffer[]) {
  const dirs = folders();
  const sandbox = new VansSandbox({ ...dirs, faults, seed, pollMs: 20 });
  await sandbox.start();
  messages.forEach((m, i) => writeFileSync(path.join(dirs.outDir, `m${String(i).padStart(3, '0')}.xml`), m));
  await eventually(() => sandbox.stats().messagesReceived === messages.length && sandbox.stats().pending === 0);
  await sandbox.stop();
  return { sandbox, dirs, receipts: files(dirs.inDir).map((f) => readFileSync(path.join(dirs.inDir, f))) };
}

describe('VANS sandbox', () => {
  it('picks up a letter, archives it and answers with a positive XCTL03 receipt for its ids', async () => {
    const { dirs, receipts, sandbox } = await run({}, 1, [letterBytes(1)]);
    expect(files(dirs.outDir)).toEqual([]);
    expect(files(dirs.archiveDir)).toEqual(['m000.xml']);
    expect(receipts.map((r) => parseInbound(r))).toEqual([
      expect.objectContaining({ receiptType: 'XCTL03', originalEnvelopeId: 'E0000000000001', letters: [{ letterId: 'L0000000000001' }] }),
    ]);
    expect(sandbox.stats()).toMatchObject({
      messagesReceived: 1,
      distinctLetters: 1,
      envelopesPerLetter: { L0000000000001: 1 },
      receiptsSent: 1,
      positiveReceipts: 1,
    });
  });

  it('answers an invalid letter with XCTL02 syntaksfejl naming the problem but not the content', async () => {
    const bad = Buffer.from(
      letterBytes(2)
        .toString('latin1')
        .replace('<Subject>Faldtendens og medicin</Subject>', `<Subject>${'Anna Jensen '.repeat(8)}</Subject>`),
      'latin1',
    );
    const { receipts, sandbox } = await run({}, 1, [bad]);
    const r = parseInbound(receipts[0]) as ParsedReceipt;
    expect(r).toMatchObject({ receiptType: 'XCTL02', outcome: 'negative' });
    expect(r.letters[0]).toMatchObject({ refuseCode: 'syntaksfejl', refuseText: expect.stringContaining("Element 'Subject'") });
    expect(r.letters[0].refuseText).not.toContain('Anna');
    expect(sandbox.stats().invalidMessages).toBe(1);
  });

  it('answers FHIR with an Acknowledgement in the same serialisation', async () => {
    const letterId = '0ebb6284-eb20-45eb-8113-6620d2d08608';
    const msg = serializeFhir(
      buildCareCommunicationBundle(outgoingLetter({ letterId, envelopeId: '1ebb6284-eb20-45eb-8113-6620d2d08608' })),
      'fhir-json',
    );
    const dirs = folders();
    const sandbox = new VansSandbox({ ...dirs, seed: 1, pollMs: 20 });
    await sandbox.start();
    writeFileSync(path.join(dirs.outDir, 'm.json'), msg);
    await eventually(() => sandbox.stats().receiptsSent === 1);
    await sandbox.stop();
    const [name] = files(dirs.inDir);
    expect(name.endsWith('.json')).toBe(true);
    expect(parseInbound(readFileSync(path.join(dirs.inDir, name)))).toMatchObject({
      receiptType: 'fhir-ack',
      ackCode: 'ok',
      letters: [{ letterId }],
    });
  });

  it('the same seed replays the same faults; the knobs drop, refuse, duplicate and add garbage', async () => {
    const messages = Array.from({ length: 24 }, (_, i) => letterBytes(100 + i));
    const faults = { dropRate: 0.25, negativeRate: 0.25, duplicateRate: 0.3, garbageRate: 0.3 };
    const a = await run(faults, 7, messages);
    const b = await run(faults, 7, messages);
    const summary = (x: typeof a) =>
      x.receipts
        .map((r) => {
          try {
            const p = parseInbound(r) as ParsedReceipt;
            return `${p.receiptType}:${p.letters[0]?.letterId}`;
          } catch (e) {
            return `garbage:${(e as PermanentError).code}`;
          }
        })
        .sort();
    expect(summary(a)).toEqual(summary(b));
    const s = a.sandbox.stats();
    expect(s).toEqual(b.sandbox.stats());
    expect(s.receiptsDropped).toBeGreaterThan(0);
    expect(s.negativeReceipts).toBeGreaterThan(0);
    expect(s.receiptsDuplicated).toBeGreaterThan(0);
    expect(s.garbageFiles).toBeGreaterThan(0);
    expect(s.receiptsSent + s.receiptsDropped).toBe(24);
    expect(a.receipts).toHaveLength(s.receiptsSent + s.receiptsDuplicated + s.garbageFiles);
    // Every garbage file is refused by our parser with a classified error.
    expect(
      summary(a)
        .filter((x) => x.startsWith('garbage:'))
        .every((x) => /^garbage:RECEIPT_/.test(x)),
    ).toBe(true);
  });

  it('exposes stats and faults over loopback HTTP and refuses bad knobs', async () => {
    const dirs = folders();
    const sandbox = new VansSandbox({ ...dirs, seed: 1 });
    const http = await startVansSandboxHttp(sandbox, '127.0.0.1');
    try {
      const post = (body: unknown) => fetch(`${http.url}/_sandbox/faults`, { method: 'POST', body: JSON.stringify(body) });
      expect(await (await post({ dropRate: 0.5, delayMs: 5 })).json()).toMatchObject({ dropRate: 0.5, delayMs: 5, negativeRate: 0 });
      expect((await post({ dropRate: 2 })).status).toBe(400);
      expect((await post({ explode: 1 })).status).toBe(400);
      expect(await fetch(`${http.url}/_sandbox/faults`).then((r) => r.json())).toMatchObject({ dropRate: 0.5 });
      expect(await fetch(`${http.url}/_sandbox/stats`).then((r) => r.json())).toMatchObject({ messagesReceived: 0, receiptsSent: 0 });
      expect((await fetch(`${http.url}/_sandbox/nope`)).status).toBe(404);
    } finally {
      await http.close();
    }
  });
});
