import { buildOioReceipt } from '../../adapters/medcom/sandbox/receipts.builder';

/**
 * Well-formed but large OIOXML receipts, the kind issue 14 (M6) timed: a 5 MB receipt blocked the
 * event loop ≈ 3.8 s and one with 200,000 attributes ≈ 2.4 s while it was parsed. Built from a
 * genuine positive receipt, grown by attributes on its Envelope and/or a long text in
 * Local_Elements (which the parser skips), so everything but the size is an ordinary receipt.
 */
export function largeReceipt(opts: { attributes?: number; textBytes?: number; letterId?: string; envelopeId?: string }): Buffer {
  const xml = buildOioReceipt({
    type: 'XCTL03',
    envelopeId: 'KLARGE00000001',
    letterId: 'QLARGE00000001',
    sentAt: new Date('2026-12-03T09:20:00Z'),
    senderEan: '5790001234567',
    receiverEan: '5790000123456',
    originalEnvelopeId: opts.envelopeId ?? 'ELARGENOBODY01',
    letters: [{ letterId: opts.letterId ?? 'LLARGENOBODY01', versionCode: 'XD9134L' }],
  }).toString('latin1');
  const attrs = Array.from({ length: opts.attributes ?? 0 }, (_, i) => ` a${i}="${i % 10}"`).join('');
  const text = opts.textBytes ? `<Local_Elements><Note>${'x'.repeat(opts.textBytes)}</Note></Local_Elements>` : '';
  return Buffer.from(xml.replace('<Envelope>', `<Envelope${attrs}>`).replace('</Emessage>', `${text}</Emessage>`), 'latin1');
}
