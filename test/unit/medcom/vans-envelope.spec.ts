import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkCareCommunication } from '../../../adapters/medcom/fhir/carecommunication.check';
import { fromFhirJson, fromFhirXml } from '../../../adapters/medcom/fhir/fhir-model';
import { buildVansEnvelope, unwrapVansEnvelope } from '../../../adapters/medcom/fhir/vans-envelope';
import { MessageComposer } from '../../../adapters/medcom/message.composer';
import { parseInbound, ParsedReceipt } from '../../../adapters/medcom/receipt.parser';
import { buildFhirAcknowledgement } from '../../../adapters/medcom/sandbox/receipts.builder';
import { VansSandbox } from '../../../adapters/medcom/sandbox/vans-sandbox';
import { parseXmlBytes } from '../../../adapters/medcom/xml/safe-xml';
import { schemaValidator } from '../../../adapters/medcom/xml/schema-validator';
import { shippedFile } from '../../../src/infra/project-root';
import { outgoingLetter, practice } from '../../support/medcom-fixtures';
import { eventually } from '../../support/test-service';

const validator = schemaValidator(shippedFile('schemas', 'xdis91.xsd'));
const LETTER_ID = '0ebb6284-eb20-45eb-8113-6620d2d08608';
const ENVELOPE_ID = '1ebb6284-eb20-45eb-8113-6620d2d08608';
const letter = (over: Parameters<typeof outgoingLetter>[0] = {}) =>
  outgoingLetter({ letterId: LETTER_ID, envelopeId: ENVELOPE_ID, ...over });
const text = (root: ReturnType<typeof parseXmlBytes>, ...names: string[]) =>
  names.reduce<ReturnType<typeof parseXmlBytes> | undefined>(
    (el, n) => el?.nodes.find((c): c is ReturnType<typeof parseXmlBytes> => typeof c !== 'string' && c.name === n),
    root,
  );

/** Issue 16 point 7: MedCom's VANSEnvelope around FHIR letters and acknowledgements. */
describe('VANSEnvelope for FHIR', () => {
  it.each(['fhir-xml', 'fhir-json'] as const)(
    'MEDCOM_FHIR_ENVELOPE: a %s letter goes out in a VANSEnvelope with the public fields',
    async (format) => {
      const m = await new MessageComposer(validator, 2000, { fhirEnvelope: true }).compose(format, letter());
      expect(m).toMatchObject({ enveloped: true, extension: 'xml' });
      const root = parseXmlBytes(m.bytes);
      expect(root.name).toBe('VANSEnvelope');
      const field = (...p: string[]) => (text(root, ...p)?.nodes[0] as string | undefined) ?? '';
      expect(field('EnvelopeIdentifier')).toBe(ENVELOPE_ID);
      expect(field('Message', 'MetaInformation', 'Identifier')).toBe(LETTER_ID);
      expect(field('Message', 'MetaInformation', 'Document', 'Format')).toBe('HL7');
      expect(field('Message', 'MetaInformation', 'Document', 'Name')).toBe('MCM:FDIS91#carecoordination');
      expect(field('Message', 'MetaInformation', 'Document', 'Version')).toBe('5.0');
      expect(field('Message', 'MetaInformation', 'Transport', 'Type')).toBe('reliable');
      const tag = text(root, 'Message', 'MetaInformation', 'Transport', 'ServiceTag')!;
      expect(tag.attrs.name).toBe('MCM:MIME');
      expect(tag.nodes[0]).toBe(format === 'fhir-json' ? 'application/fhir+json' : 'application/fhir+xml');

      const inner = unwrapVansEnvelope(root);
      const bare = await new MessageComposer(validator, 2000).compose(format, letter());
      expect(inner.data.equals(bare.bytes)).toBe(true);
      const bundle =
        format === 'fhir-json' ? fromFhirJson(JSON.parse(inner.data.toString('utf8'))) : fromFhirXml(parseXmlBytes(inner.data));
      expect(checkCareCommunication(bundle)).toEqual([]);
    },
  );

  it('per practice (GpPractice.fhirEnvelope); never for XDIS91 or without the setting', async () => {
    const composer = new MessageComposer(validator, 2000);
    expect((await composer.compose('fhir-json', letter({ receiver: { ...practice, fhirEnvelope: true } }))).enveloped).toBe(true);
    expect((await composer.compose('fhir-json', letter())).enveloped).toBe(false);
    const x = await new MessageComposer(validator, 2000, { fhirEnvelope: true }).compose(
      'xdis91',
      letter({ letterId: 'L0000000000001', envelopeId: 'E0000000000001' }),
    );
    expect(x.enveloped).toBe(false);
  });

  it('an acknowledgement in a VANSEnvelope (MCM:FCTL#<code>, 2.0.0) is read like a bare one; broken envelopes are refused', () => {
    const ack = (format: 'fhir-xml' | 'fhir-json') =>
      buildFhirAcknowledgement({
        bundleId: '2ebb6284-eb20-45eb-8113-6620d2d08608',
        headerId: '3ebb6284-eb20-45eb-8113-6620d2d08608',
        sentAt: new Date('2026-12-03T10:00:00+01:00'),
        acknowledgedHeaderId: LETTER_ID,
        code: 'ok',
        format,
        from: { ean: practice.ean, sor: practice.sor, name: 'GP' },
        to: { ean: '5790000123456', sor: '123456789012345', name: 'Kommune' },
      });
    for (const format of ['fhir-xml', 'fhir-json'] as const) {
      const wrapped = buildVansEnvelope({
        envelopeId: 'e',
        messageId: 'm',
        name: 'MCM:FCTL#ok',
        version: '2.0.0',
        format,
        data: ack(format),
      });
      expect(parseInbound(wrapped)).toEqual(parseInbound(ack(format)));
    }
    const good = buildVansEnvelope({
      envelopeId: 'e',
      messageId: 'm',
      name: 'MCM:FCTL#ok',
      version: '2.0.0',
      format: 'fhir-xml',
      data: ack('fhir-xml'),
    }).toString('utf8');
    const refused = (xml: string) => {
      try {
        parseInbound(Buffer.from(xml, 'utf8'));
        return 'accepted';
      } catch (err) {
        return (err as { code?: string }).code;
      }
    };
    expect(refused(good.replace(/<Data>[^<]*<\/Data>/, '<Data>not base64!</Data>'))).toBe('RECEIPT_MALFORMED');
    expect(refused(good.replace('application/fhir+xml', 'text/plain'))).toBe('RECEIPT_MALFORMED');
    const doctype = Buffer.from(
      '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "x">]><Bundle xmlns="http://hl7.org/fhir">&a;</Bundle>',
    ).toString('base64');
    expect(refused(good.replace(/<Data>[^<]*<\/Data>/, `<Data>${doctype}</Data>`))).toBe('RECEIPT_DTD');
    const nested = Buffer.from(good, 'utf8').toString('base64');
    expect(refused(good.replace(/<Data>[^<]*<\/Data>/, `<Data>${nested}</Data>`))).not.toBe('accepted');
  });

  it('the VANS sandbox set to require it refuses a bare FHIR letter, and unwraps an enveloped one and answers in an envelope', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'vans-envelope-'));
    const dirs = { outDir: path.join(root, 'out'), inDir: path.join(root, 'in'), archiveDir: path.join(root, 'received') };
    const sandbox = new VansSandbox({ ...dirs, seed: 1, pollMs: 20, requireFhirEnvelope: true });
    await sandbox.start();
    try {
      const composer = new MessageComposer(validator, 2000);
      writeFileSync(path.join(dirs.outDir, 'bare.json'), (await composer.compose('fhir-json', letter())).bytes);
      await eventually(() => sandbox.stats().receiptsSent === 1);
      const enveloped = await new MessageComposer(validator, 2000, { fhirEnvelope: true }).compose(
        'fhir-xml',
        letter({ letterId: '4ebb6284-eb20-45eb-8113-6620d2d08608', envelopeId: '5ebb6284-eb20-45eb-8113-6620d2d08608' }),
      );
      writeFileSync(path.join(dirs.outDir, 'enveloped.xml'), enveloped.bytes);
      await eventually(() => sandbox.stats().receiptsSent === 2);
    } finally {
      await sandbox.stop();
    }
    const answers = readdirSync(dirs.inDir)
      .filter((f) => !f.startsWith('.'))
      .map((f) => readFileSync(path.join(dirs.inDir, f)));
    const parsed = answers.map((b) => ({ enveloped: b.toString('utf8').includes('<VANSEnvelope>'), r: parseInbound(b) as ParsedReceipt }));
    const bare = parsed.find((p) => p.r.letters[0]?.letterId === LETTER_ID)!;
    expect(bare).toMatchObject({
      enveloped: false,
      r: { ackCode: 'fatal-error', refuseText: expect.stringContaining('not in a VANSEnvelope') },
    });
    const ok = parsed.find((p) => p.r.letters[0]?.letterId === '4ebb6284-eb20-45eb-8113-6620d2d08608')!;
    expect(ok).toMatchObject({ enveloped: true, r: { ackCode: 'ok', outcome: 'positive' } });
    const wrapper = unwrapVansEnvelope(parseXmlBytes(answers.find((b) => b.toString('utf8').includes('<VANSEnvelope>'))!));
    expect(wrapper).toMatchObject({ name: 'MCM:FCTL#ok', version: '2.0.0', format: 'fhir-xml' });
    rmSync(root, { recursive: true, force: true });
  });
});
