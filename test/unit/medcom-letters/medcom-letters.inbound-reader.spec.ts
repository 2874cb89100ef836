import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { inboundReader } from '../../../src/workflows/medcom-letters/medcom-letters.inbound-reader';
import { parseInbound } from '../../../adapters/medcom/receipt.parser';
import { PermanentError } from '../../../src/common/errors';
import { CpuWork } from '../../../src/workflows/cpu-work/cpu-work.service';
import { largeReceipt } from '../../support/large-receipts';

/**
 * Issue 14, M6: in-folder files were parsed on the event loop (a well-formed 5 MB receipt blocked it
 * ≈ 3.8 s, 200,000 attributes ≈ 2.4 s). Now files over MEDCOM_INBOX_MAX_BYTES are refused unread,
 * and the rest are parsed on a worker thread under a time budget, with the same answers and the same
 * classified refusals as parsing in place.
 */
const CORPUS = path.join(__dirname, '..', '..', 'corpus', 'receipts');

describe('inboundReader: the size limit', () => {
  it('refuses a file over the limit with RECEIPT_TOO_LARGE without parsing it', async () => {
    const parse = jest.fn(async (b: Buffer) => parseInbound(b));
    const read = inboundReader(1024 * 1024, parse);
    const err = await read(largeReceipt({ attributes: 200_000 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err).toMatchObject({
      code: 'RECEIPT_TOO_LARGE',
      message: 'file is over 1048576 bytes (MEDCOM_INBOX_MAX_BYTES) and is not parsed',
    });
    await expect(read(largeReceipt({ textBytes: 5 * 1024 * 1024 - 2000 }))).rejects.toMatchObject({ code: 'RECEIPT_TOO_LARGE' });
    expect(parse).not.toHaveBeenCalled();
  });

  it('parses a file up to the limit', async () => {
    const parse = jest.fn(async (b: Buffer) => parseInbound(b));
    const small = largeReceipt({ textBytes: 10 });
    await expect(inboundReader(small.length, parse)(small)).resolves.toMatchObject({
      kind: 'receipt',
      receiptType: 'XCTL03',
      receiptId: 'KLARGE00000001',
    });
    expect(parse).toHaveBeenCalledTimes(1);
  });

  it('has a 1 MiB limit by default', async () => {
    await expect(inboundReader()(Buffer.alloc(1024 * 1024 + 1, 0x20))).rejects.toMatchObject({ code: 'RECEIPT_TOO_LARGE' });
  });
});

describe('CpuWork.parseInbound: parsing on a worker thread', () => {
  let cpu: CpuWork;
  beforeAll(() => {
    cpu = new CpuWork({ threads: 1, renderBudgetMs: 30_000, parseBudgetMs: 30_000 });
  });
  afterAll(() => cpu.onApplicationShutdown());

  it('gives the answers parsing in place gives, for receipts and for every refusal in the corpus', async () => {
    const receipt = largeReceipt({ attributes: 2_000 });
    expect(await cpu.parseInbound(receipt)).toEqual(parseInbound(receipt));
    for (const name of readdirSync(CORPUS).filter((n) => /^RECEIPT_[A-Z]+\./.test(n))) {
      const bytes = readFileSync(path.join(CORPUS, name));
      const err = await cpu.parseInbound(bytes).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PermanentError);
      expect(`${name} ${(err as PermanentError).code}`).toBe(`${name} ${name.split('.')[0]}`);
      let inPlace: unknown;
      try {
        parseInbound(bytes);
      } catch (e) {
        inPlace = e;
      }
      expect(err).toMatchObject({ message: (inPlace as Error).message, system: 'medcom', errorClass: 'permanent' });
    }
  });

  it('stops a parse over its budget: RECEIPT_TIMEOUT, permanent', async () => {
    const strict = new CpuWork({ threads: 1, renderBudgetMs: 30_000, parseBudgetMs: 1 });
    try {
      // ~1 MB of attributes takes seconds to parse; 1 ms is never enough.
      const err = await strict.parseInbound(largeReceipt({ attributes: 90_000 })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PermanentError);
      expect(err).toMatchObject({
        code: 'RECEIPT_TIMEOUT',
        system: 'medcom',
        message: expect.stringContaining('MEDCOM_INBOX_PARSE_TIMEOUT_MS'),
      });
    } finally {
      await strict.onApplicationShutdown();
    }
  });
});
