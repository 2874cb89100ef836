import { inboundReader } from '../src/workflows/medcom-letters/medcom-letters.inbound-reader';
import { parseInbound } from '../adapters/medcom/receipt.parser';
import { buildOioReceipt } from '../adapters/medcom/sandbox/receipts.builder';
import { renderFormPdf } from '../src/documents/form-pdf.renderer';
import { CpuWork } from '../src/workflows/cpu-work/cpu-work.service';
import { table } from './support/table';

/**
 * How long CPU-heavy input holds up the event loop (issue 14, C1 and M6): a children's request
 * whose description is one long word, rendered as its PDF, and large well-formed in-folder receipts.
 * Each case runs in place (on this thread, as everything did before) and the way the service does it
 * now (CpuWork: a worker thread; the inbox size limit). "Blocked" is the longest stretch the event
 * loop could run nothing else meanwhile – what /health/live would wait.
 *
 *   npm run bench:event-loop [-- 4000,20000]
 */
const TICK_MS = 5;

/**
 * Runs `work` while a 5 ms interval timer ticks on this thread: "blocked" is the longest gap between
 * two ticks beyond the 5 ms, i.e. the longest time the event loop could run nothing else (what
 * /health/live would wait). Each case runs `repeat` times; the median run is reported.
 */
async function blocked<T>(work: () => Promise<T>, repeat = 3): Promise<{ blockedMs: number; wallMs: number; result: T }> {
  const runs: Array<{ blockedMs: number; wallMs: number; result: T }> = [];
  for (let i = 0; i < repeat; i++) {
    let last = performance.now();
    let longest = 0;
    const tick = setInterval(() => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
    }, TICK_MS);
    const t0 = performance.now();
    const result = await work();
    const wallMs = performance.now() - t0;
    // One more tick, so a stall that ended with the work is counted too.
    await new Promise((r) => setTimeout(r, 2 * TICK_MS));
    clearInterval(tick);
    runs.push({ blockedMs: Math.max(0, longest - TICK_MS), wallMs, result });
  }
  runs.sort((a, b) => a.blockedMs - b.blockedMs);
  return runs[Math.floor(runs.length / 2)];
}

const form = (chars: number) => ({
  title: 'Anmodningsskema – Samarbejdsmøde',
  date: '2026-12-03',
  sourceIds: ['anmodning bench'],
  sections: [{ heading: 'Beskrivelse', fields: [{ label: 'Hvad skal mødet hjælpe med', value: 'x'.repeat(chars) }] }],
});

function largeReceipt(opts: { attributes?: number; textBytes?: number }): Buffer {
  const xml = buildOioReceipt({
    type: 'XCTL03',
    envelopeId: 'KLARGE00000001',
    letterId: 'QLARGE00000001',
    sentAt: new Date('2026-12-03T09:20:00Z'),
    senderEan: '5790001234567',
    receiverEan: '5790000123456',
    originalEnvelopeId: 'ELARGENOBODY01',
    letters: [{ letterId: 'LLARGENOBODY01', versionCode: 'XD9134L' }],
  }).toString('latin1');
  const attrs = Array.from({ length: opts.attributes ?? 0 }, (_, i) => ` a${i}="${i % 10}"`).join('');
  const text = opts.textBytes ? `<Local_Elements><Note>${'x'.repeat(opts.textBytes)}</Note></Local_Elements>` : '';
  return Buffer.from(xml.replace('<Envelope>', `<Envelope${attrs}>`).replace('</Emessage>', `${text}</Emessage>`), 'latin1');
}

async function main(): Promise<void> {
  const sizes = (process.argv[2] ?? '4000,20000').split(',').map(Number);
  const cpu = new CpuWork({ threads: 1, renderBudgetMs: 60_000, parseBudgetMs: 60_000 });
  const rows: Array<Array<string | number>> = [['case', 'where', 'blocked ms', 'took ms']];
  const row = (name: string, where: string, r: { blockedMs: number; wallMs: number }) => {
    rows.push([name, where, Math.round(r.blockedMs), Math.round(r.wallMs)]);
    process.stderr.write(`${name} (${where}): blocked ${Math.round(r.blockedMs)} ms\n`);
  };
  try {
    // Warm both ways up, so first-use costs (loading pdf-lib, starting the thread) are not counted.
    await renderFormPdf(form(10));
    await cpu.renderFormPdf(form(10));
    for (const n of sizes) {
      row(`form PDF, one ${n}-character word`, 'in place', await blocked(() => renderFormPdf(form(n))));
      row(`form PDF, one ${n}-character word`, 'worker thread', await blocked(() => cpu.renderFormPdf(form(n))));
    }
    const read = inboundReader(1024 * 1024, (b) => cpu.parseInbound(b));
    const refusedOr = (p: Promise<unknown>) => p.catch((e: { code?: string }) => e.code);
    for (const [name, bytes] of [
      ['receipt, well-formed, 5 MB', largeReceipt({ textBytes: 5 * 1024 * 1024 - 2000 })],
      ['receipt, 200,000 attributes', largeReceipt({ attributes: 200_000 })],
      ['receipt, 90,000 attributes (under 1 MiB)', largeReceipt({ attributes: 90_000 })],
    ] as const) {
      row(name, 'in place', await blocked(async () => refusedOr(Promise.resolve().then(() => parseInbound(bytes)))));
      const r = await blocked(() => refusedOr(read(bytes)));
      row(name, typeof r.result === 'string' ? `inbox: ${r.result}` : 'inbox: worker thread', r);
    }
  } finally {
    await cpu.onApplicationShutdown();
  }
  process.stdout.write(`${table(rows)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
