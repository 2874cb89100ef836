import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { checkCareCommunication } from '../../../adapters/medcom/fhir/carecommunication.check';
import { fromFhirJson, fromFhirXml } from '../../../adapters/medcom/fhir/fhir-model';
import { parseInbound, ParsedMessage, ParsedReceipt } from '../../../adapters/medcom/receipt.parser';
import { buildOioReceipt } from '../../../adapters/medcom/sandbox/receipts.builder';
import { parseXmlBytes } from '../../../adapters/medcom/xml/safe-xml';
import { medcomReferenceDir } from '../../support/medcom-fixtures';
import { hasXmllint, xmllintSchema } from '../../support/xmllint';

/**
 * Conformance with MedCom's official material in ../shared/medcom: our parser reads every official
 * example (receipts, OIOXML letters, FHIR CareCommunication incl. duplicates), our CareCommunication
 * checker agrees with the examples, and the receipts our VANS sandbox writes validate against the
 * official 2005/08/07 schema.
 */
const ref = medcomReferenceDir();
if (!ref) console.log('conformance (official MedCom examples) skipped: ../shared/medcom not found');
const describeIf = ref ? describe : describe.skip;
const examples = (sub: string) =>
  ref
    ? readdirSync(path.join(ref, 'examples', sub))
        .sort()
        .map((f) => path.join(ref, 'examples', sub, f))
    : [];
const named = (files: string[]) => files.map((f) => [path.basename(f), f] as const);

describeIf('official OIOXML examples', () => {
  it('the official negative receipt is read as XCTL02 with its refusal', () => {
    const r = parseInbound(readFileSync(path.join(ref!, 'examples', 'oioxml', 'negative_receipt.xml'))) as ParsedReceipt;
    expect(r).toMatchObject({
      kind: 'receipt',
      receiptType: 'XCTL02',
      outcome: 'negative',
      receiptId: 'Kuv000021127',
      originalEnvelopeId: 'AVfpQqbopagpQB',
    });
    expect(r.letters).toHaveLength(1);
    expect(r.letters[0]).toMatchObject({ letterId: 'stURK3zq7UhOBB', refuseCode: 'syntaksfejl' });
    expect(r.letters[0].refuseText).toMatch(/No declaration found for element 'Break'/);
  });

  it.each(named(examples('oioxml').filter((f) => !f.endsWith('negative_receipt.xml'))))(
    'letter %s parses (ISO-8859-1) as an XDIS91 message',
    (_name, file) => {
      expect(parseInbound(readFileSync(file))).toEqual({
        kind: 'message',
        format: 'oioxml',
        messageType: 'XDIS91',
        envelopeId: 'KuvertNr012277',
        letterIds: ['BrevNr00777'],
      });
    },
  );
});

describeIf('official FHIR CareCommunication examples', () => {
  const all = [...examples('fhir-carecommunication/send'), ...examples('fhir-carecommunication/receive')];

  it.each(named(all))('%s parses as a care-communication message', (_name, file) => {
    const m = parseInbound(readFileSync(file)) as ParsedMessage;
    expect(m).toMatchObject({
      kind: 'message',
      messageType: 'care-communication-message',
      format: file.endsWith('.json') ? 'fhir-json' : 'fhir-xml',
    });
    expect(m.envelopeId).toBeTruthy();
    expect(m.letterIds).toHaveLength(1);
  });

  it('duplicates carry the same MessageHeader.id (letter id) in different Bundles, as our resends do', () => {
    const read = (pattern: RegExp) => parseInbound(readFileSync(all.find((f) => pattern.test(f))!)) as ParsedMessage;
    for (const [a, b] of [
      [/R-Tek-K-dublicate/, /R-Tek-L-dublicate/],
      [/R-Tek-M-dublicate/, /R-Tek-N-dublicate/],
    ]) {
      expect(read(a).letterIds).toEqual(read(b).letterIds);
      expect(read(a).envelopeId).not.toBe(read(b).envelopeId);
    }
  });

  it.each(named(all))('our CareCommunication checker agrees with %s', (_name, file) => {
    const bytes = readFileSync(file);
    const model = file.endsWith('.json') ? fromFhirJson(JSON.parse(bytes.toString('utf8'))) : fromFhirXml(parseXmlBytes(bytes));
    // The "-inv" examples are MedCom's deliberately invalid messages (category without a code).
    expect(checkCareCommunication(model)).toEqual(
      /-inv-/.test(file) ? ['Communication.category must be a MedCom CareCommunication category'] : [],
    );
  });
});

const xmllint = ref && hasXmllint();
if (ref && !xmllint) console.log('conformance (sandbox receipts vs official schema) skipped: xmllint not installed');
(xmllint ? describe : describe.skip)('receipts written by the VANS sandbox', () => {
  it.each(['XCTL03', 'XCTL02', 'XCTL01'] as const)('%s validates against the official 2005/08/07 schema', (type) => {
    const bytes = buildOioReceipt({
      type,
      envelopeId: 'KABCDEFGHIJKLM',
      letterId: 'QABCDEFGHIJKLM',
      sentAt: new Date('2026-12-03T09:20:00Z'),
      senderEan: '5790001234567',
      receiverEan: '5790000123456',
      originalEnvelopeId: 'EABCDEFGHIJKLM',
      letters: type === 'XCTL01' ? [] : [{ letterId: 'LABCDEFGHIJKLM', versionCode: 'XD9134L' }],
      ...(type === 'XCTL03' ? {} : { refuseCode: 'syntaksfejl', refuseText: 'Fejl: æøå < & >' }),
    });
    expect(xmllintSchema(path.join(ref!, 'xsd', '2005', '08', '07', 'EMessage.xsd'), bytes)).toBe('');
  });
});
