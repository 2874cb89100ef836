import iconv from 'iconv-lite';
import { buildCareCommunicationBundle, serializeFhir } from '../../../adapters/medcom/fhir-carecommunication.builder';
import { parseInbound, ParsedReceipt } from '../../../adapters/medcom/receipt.parser';
import { buildFhirAcknowledgement, buildOioReceipt } from '../../../adapters/medcom/sandbox/receipts.builder';
import { fhirJsonToXml } from '../../../adapters/medcom/fhir/fhir-xml.writer';
import { buildXdis91 } from '../../../adapters/medcom/xdis91.builder';
import { MAX_INBOUND_BYTES } from '../../../adapters/medcom/xml/safe-xml';
import { schemaValidator } from '../../../adapters/medcom/xml/schema-validator';
import { PermanentError } from '../../../src/common/errors';
import { shippedFile } from '../../../src/infra/project-root';
import { outgoingLetter } from '../../support/medcom-fixtures';

const sentAt = new Date('2026-12-03T09:20:00Z');
const oio = (over: Partial<Parameters<typeof buildOioReceipt>[0]> = {}) =>
  buildOioReceipt({
    type: 'XCTL03',
    envelopeId: 'KRECEIPT000001',
    letterId: 'QRECEIPT000001',
    sentAt,
    senderEan: '5790001234567',
    receiverEan: '5790000123456',
    originalEnvelopeId: 'EABCDEFGHIJKLM',
    letters: [{ letterId: 'LABCDEFGHIJKLM', versionCode: 'XD9134L' }],
    ...over,
  });
const ack = (code: 'ok' | 'transient-error' | 'fatal-error', format: 'fhir-xml' | 'fhir-json', issueText?: string) =>
  buildFhirAcknowledgement({
    bundleId: '11111111-2222-4333-8444-555555555555',
    headerId: '21111111-2222-4333-8444-555555555555',
    sentAt,
    acknowledgedHeaderId: '0ebb6284-eb20-45eb-8113-6620d2d08608',
    code,
    format,
    issueText,
    from: { ean: '5790001234567', sor: '123451000016001', name: 'Lægerne' },
    to: { ean: '5790000123456', sor: '123456789012345', name: 'Solhøj' },
  });
function refusal(bytes: Buffer): PermanentError {
  try {
    parseInbound(bytes);
  } catch (err) {
    expect(err).toBeInstanceOf(PermanentError);
    return err as PermanentError;
  }
  throw new Error('expected a refusal');
}

describe('receipt parser: OIOXML receipts', () => {
  it('reads a positive XCTL03 receipt', () => {
    expect(parseInbound(oio())).toEqual({
      kind: 'receipt',
      receiptType: 'XCTL03',
      format: 'oioxml',
      outcome: 'positive',
      receiptId: 'KRECEIPT000001',
      originalEnvelopeId: 'EABCDEFGHIJKLM',
      senderEan: '5790001234567',
      originalReceiverEan: '5790001234567',
      letters: [{ letterId: 'LABCDEFGHIJKLM' }],
    });
  });

  it('refuses a PositiveReceipt in the 2006/07/01 (letter) namespace: receipts exist only in 2005/08/07', () => {
    const xml = oio().toString('latin1').replace('schemas/2005/08/07/', 'schemas/2006/07/01/');
    expect(refusal(Buffer.from(xml, 'latin1')).code).toBe('RECEIPT_NAMESPACE');
  });

  it('keeps a sender that is not an EAN/GLN as empty, so it can match no receiver', () => {
    const xml = oio()
      .toString('latin1')
      .replace('<EANIdentifier>5790001234567</EANIdentifier>', '<EANIdentifier>0101401234 Anna</EANIdentifier>');
    expect((parseInbound(Buffer.from(xml, 'latin1')) as ParsedReceipt).senderEan).toBe('');
  });

  it('reads a negative XCTL02 receipt with RefuseCode and RefuseText per letter, masking CPR numbers', () => {
    const r = parseInbound(
      oio({ type: 'XCTL02', refuseCode: 'syntaksfejl', refuseText: 'Fejl i brev om 0101401234: ø mangler' }),
    ) as ParsedReceipt;
    expect(r).toMatchObject({ receiptType: 'XCTL02', outcome: 'negative' });
    expect(r.letters).toEqual([
      { letterId: 'LABCDEFGHIJKLM', refuseCode: 'syntaksfejl', refuseText: 'Fejl i brev om xxxxxxxxxx: ø mangler' },
    ]);
  });

  it('reads an XCTL01 VANS receipt whose refusal names only the envelope', () => {
    const r = parseInbound(
      oio({ type: 'XCTL01', letters: [], refuseCode: 'ukendt_lokationsnummer', refuseText: 'ukendt' }),
    ) as ParsedReceipt;
    expect(r).toMatchObject({
      receiptType: 'XCTL01',
      outcome: 'negative',
      originalEnvelopeId: 'EABCDEFGHIJKLM',
      letters: [],
      refuseCode: 'ukendt_lokationsnummer',
    });
  });

  it('the receipts the sandbox writes validate against our receipt schema', async () => {
    const v = schemaValidator(shippedFile('schemas', 'medcom-receipt.xsd'));
    for (const type of ['XCTL03', 'XCTL02', 'XCTL01'] as const) {
      expect(await v.validate(oio({ type, refuseCode: type === 'XCTL03' ? undefined : 'syntaksfejl', refuseText: 'x < y & æ' }))).toEqual(
        [],
      );
    }
  });

  it('accepts prefixed namespaces and UTF-8 with a BOM', () => {
    const xml = `<m:Emessage xmlns:m="http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2005/08/07/"><m:Envelope><m:Identifier>K1</m:Identifier></m:Envelope>
      <m:PositiveReceipt><m:OriginalEmessage><m:OriginalEnvelopeIdentifier>E1</m:OriginalEnvelopeIdentifier>
      <m:OriginalLetter><m:OriginalLetterIdentifier>L1</m:OriginalLetterIdentifier></m:OriginalLetter></m:OriginalEmessage></m:PositiveReceipt></m:Emessage>`;
    const r = parseInbound(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml)])) as ParsedReceipt;
    expect(r).toMatchObject({ receiptType: 'XCTL03', originalEnvelopeId: 'E1', letters: [{ letterId: 'L1' }] });
  });

  it('classifies our own XDIS91 letter as a message, not a receipt', () => {
    const bytes = buildXdis91(outgoingLetter(), { maxBlockChars: 2000 }).bytes;
    expect(parseInbound(bytes)).toEqual({
      kind: 'message',
      format: 'oioxml',
      messageType: 'XDIS91',
      envelopeId: 'EABCDEFGHIJKLM',
      letterIds: ['LABCDEFGHIJKLM'],
    });
  });
});

describe('receipt parser: FHIR acknowledgements', () => {
  it.each(['fhir-xml', 'fhir-json'] as const)('%s: ok, transient-error and fatal-error', (format) => {
    expect(parseInbound(ack('ok', format))).toMatchObject({
      receiptType: 'fhir-ack',
      format,
      outcome: 'positive',
      ackCode: 'ok',
      letters: [{ letterId: '0ebb6284-eb20-45eb-8113-6620d2d08608' }],
    });
    expect(parseInbound(ack('transient-error', format))).toMatchObject({ outcome: 'transient', ackCode: 'transient-error' });
    expect(parseInbound(ack('fatal-error', format, 'Ukendt modtager'))).toMatchObject({
      outcome: 'negative',
      refuseCode: 'structure',
      refuseText: 'Ukendt modtager',
    });
  });

  it.each(['fhir-xml', 'fhir-json'] as const)(
    '%s: finds the MessageHeader and the sender GLN when the header is not the first entry',
    (format) => {
      const json = JSON.parse(ack('ok', 'fhir-json').toString('utf8'));
      json.entry.push(json.entry.shift());
      const bytes = format === 'fhir-json' ? Buffer.from(JSON.stringify(json)) : Buffer.from(fhirJsonToXml(json), 'utf8');
      expect(parseInbound(bytes)).toMatchObject({
        receiptType: 'fhir-ack',
        outcome: 'positive',
        senderEan: '5790001234567',
        letters: [{ letterId: '0ebb6284-eb20-45eb-8113-6620d2d08608' }],
      });
      json.entry.push({ resource: { ...json.entry.at(-1).resource, id: 'second-header' } });
      expect(refusal(Buffer.from(JSON.stringify(json))).code).toBe('RECEIPT_MALFORMED');
    },
  );

  it('classifies a CareCommunication as an incoming message', () => {
    const bytes = serializeFhir(
      buildCareCommunicationBundle(
        outgoingLetter({ letterId: '0ebb6284-eb20-45eb-8113-6620d2d08608', envelopeId: '1ebb6284-eb20-45eb-8113-6620d2d08608' }),
      ),
      'fhir-xml',
    );
    expect(parseInbound(bytes)).toEqual({
      kind: 'message',
      format: 'fhir-xml',
      messageType: 'care-communication-message',
      envelopeId: '1ebb6284-eb20-45eb-8113-6620d2d08608',
      letterIds: ['0ebb6284-eb20-45eb-8113-6620d2d08608'],
    });
  });

  it('refuses an acknowledgement without response or with an unknown code', () => {
    const json = JSON.parse(ack('ok', 'fhir-json').toString());
    json.entry[0].resource.response.code = 'maybe';
    expect(refusal(Buffer.from(JSON.stringify(json))).code).toBe('RECEIPT_MALFORMED');
    delete json.entry[0].resource.response;
    expect(refusal(Buffer.from(JSON.stringify(json))).message).toMatch(/response.identifier/);
  });
});

describe('receipt parser: hostile and broken input is refused with a clear code, never a crash', () => {
  const good = oio().toString('latin1');
  const cases: Array<[string, string, Buffer]> = [
    ['truncated file', 'RECEIPT_MALFORMED', Buffer.from(good.slice(0, good.length / 2), 'latin1')],
    ['empty file', 'RECEIPT_MALFORMED', Buffer.alloc(0)],
    ['binary data', 'RECEIPT_ENCODING', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])],
    [
      'billion laughs',
      'RECEIPT_DTD',
      Buffer.from('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>'),
    ],
    [
      'external entity',
      'RECEIPT_DTD',
      Buffer.from('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'),
    ],
    ['undeclared entity', 'RECEIPT_MALFORMED', Buffer.from(good.replace('KRECEIPT000001', '&xxe;'), 'latin1')],
    ['wrong namespace', 'RECEIPT_NAMESPACE', Buffer.from(good.replace(/xmlns="[^"]*"/, 'xmlns="urn:example:not-medcom"'), 'latin1')],
    ['no namespace', 'RECEIPT_NAMESPACE', Buffer.from(good.replace(/ xmlns="[^"]*"/, ''), 'latin1')],
    [
      'declared UTF-8 but Latin-1 bytes',
      'RECEIPT_ENCODING',
      Buffer.from(good.replace('ISO-8859-1', 'UTF-8').replace('KRECEIPT000001', 'KRÆCEIPT00001'), 'latin1'),
    ],
    ['unsupported encoding', 'RECEIPT_ENCODING', Buffer.from(good.replace('ISO-8859-1', 'EBCDIC-CP-US'), 'latin1')],
    ['two roots', 'RECEIPT_MALFORMED', Buffer.from(`${good}<Emessage/>`, 'latin1')],
    [
      'receipt without original envelope',
      'RECEIPT_MALFORMED',
      Buffer.from(good.replace(/<OriginalEnvelopeIdentifier>[^<]*<\/OriginalEnvelopeIdentifier>/, ''), 'latin1'),
    ],
    ['not XML, not JSON', 'RECEIPT_MALFORMED', Buffer.from('hello')],
    ['truncated JSON', 'RECEIPT_MALFORMED', Buffer.from('{"resourceType":"Bundle","type":"mess')],
    ['JSON that is not a Bundle', 'RECEIPT_UNKNOWN', Buffer.from('{"resourceType":"Patient"}')],
    [
      'JSON prototype pollution',
      'RECEIPT_MALFORMED',
      Buffer.from('{"__proto__":{"polluted":true},"resourceType":"Bundle","type":"message","id":"x","entry":[]}'),
    ],
    [
      'deep nesting',
      'RECEIPT_MALFORMED',
      Buffer.from(
        `<Emessage xmlns="http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2005/08/07/">${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}</Emessage>`,
      ),
    ],
    ['too large', 'RECEIPT_TOO_LARGE', Buffer.alloc(MAX_INBOUND_BYTES + 1, 0x20)],
  ];

  it.each(cases)('%s → %s', (_name, code, bytes) => {
    expect(refusal(bytes).code).toBe(code);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('never lets anything but a classified PermanentError out, whatever the bytes (property)', async () => {
    const fc = (await import('fast-check')).default;
    const seedDoc = oio({ type: 'XCTL02', refuseCode: 'syntaksfejl', refuseText: 'x' });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: seedDoc.length }),
        fc.uint8Array({ maxLength: 8 }),
        fc.integer({ min: 0, max: seedDoc.length }),
        (cut, noise, at) => {
          const mutated = Buffer.concat([seedDoc.subarray(0, at), Buffer.from(noise), seedDoc.subarray(at, cut)]);
          try {
            parseInbound(mutated);
          } catch (err) {
            expect(err).toBeInstanceOf(PermanentError);
            expect((err as PermanentError).code).toMatch(/^RECEIPT_/);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads Latin-1 refusal texts correctly', () => {
    const r = parseInbound(
      iconv.encode(oio({ type: 'XCTL02', refuseCode: 'syntaksfejl', refuseText: 'Æbleøl' }).toString('latin1'), 'latin1'),
    ) as ParsedReceipt;
    expect(r.letters[0].refuseText).toBe('Æbleøl');
  });
});

describe('receipt parser: identifiers', () => {
  it('keeps only id characters from outside, and never masks an id that happens to look like a CPR number', () => {
    const json = JSON.parse(ack('ok', 'fhir-json').toString());
    json.entry[0].resource.response.identifier = '0ebb6284-eb20-45eb-8113-010140123412';
    expect((parseInbound(Buffer.from(JSON.stringify(json))) as ParsedReceipt).letters[0].letterId).toBe(
      '0ebb6284-eb20-45eb-8113-010140123412',
    );
    const r = parseInbound(oio({ letters: [{ letterId: 'L<b>ad id', versionCode: 'XD9134L' }] })) as ParsedReceipt;
    expect(r.letters[0].letterId).toBe('Lbadid');
  });
});
