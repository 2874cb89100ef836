/**
 * MedCom message throughput, with same-run baselines. Rerunnable: `npm run bench:medcom [letters]`.
 * - XDIS91: build only, build + validate with libxmljs2 (schema parsed once), build + validate with
 *   xmllint-wasm (the fallback engine; fewer letters, it is slow);
 * - FHIR CareCommunication: build + serialise + read back + rule check (XML and JSON);
 * - receipts parsed: XCTL03, XCTL02 (Latin-1 refusal text), FHIR Acknowledgement XML and JSON.
 * Prints a table, then one JSON line per measurement.
 */
import { performance } from 'node:perf_hooks';
import { buildCareCommunicationBundle, serializeFhir } from '../adapters/medcom/fhir-carecommunication.builder';
import { checkCareCommunication } from '../adapters/medcom/fhir/carecommunication.check';
import { fromFhirJson, fromFhirXml } from '../adapters/medcom/fhir/fhir-model';
import { envelopeIdFor, letterIdFor } from '../adapters/medcom/letter-identity';
import type { OutgoingLetter } from '../adapters/medcom/outgoing-letter';
import { parseInbound } from '../adapters/medcom/receipt.parser';
import { buildFhirAcknowledgement, buildOioReceipt } from '../adapters/medcom/sandbox/receipts.builder';
import { buildXdis91 } from '../adapters/medcom/xdis91.builder';
import { parseXmlBytes } from '../adapters/medcom/xml/safe-xml';
import { schemaValidator, SchemaValidator } from '../adapters/medcom/xml/schema-validator';
import { shippedFile } from '../src/infra/project-root';

interface Result {
  name: string;
  n: number;
  seconds: number;
  perSecond: number;
}

const XSD = shippedFile('schemas', 'xdis91.xsd');
const BLOCK_CHARS = 2000;
const BENCH_IDS = { senderEan: '5790000123456', secret: 'bench-only-id-secret-not-for-real-letters' };
const TEXT = Array.from(
  { length: 6 },
  (_, i) =>
    `Afsnit ${i + 1}:\nBorgeren har haft fald & svimmelhed; ønsker medicingennemgang hos egen læge. Aftaler: træning 2 × ugentligt, <opfølgning> om 14 dage.`,
).join('\n\n'); // ≈ 900 characters, a typical note

function letter(i: number, format: 'xdis91' | 'fhir-xml' | 'fhir-json'): OutgoingLetter {
  const letterId = letterIdFor(BENCH_IDS, `bench:${i}`, format);
  const now = new Date();
  return {
    letterId,
    envelopeId: envelopeIdFor(letterId, 0, format),
    attempt: 0,
    sentAt: now,
    authorisedAt: now,
    sender: { ean: '5790000123456', sor: '123456789012345', kommunenummer: '751', name: 'Solhøj Kommune Ældreområdet' },
    receiver: { ydernummer: '024015', name: 'Lægerne Solhøj Torv', ean: '5790001234015', sor: '481271000016009', formats: [format] },
    patient: { cpr: '0101401234', givenName: 'Anna', surname: 'Jensen' },
    author: { givenName: 'Karen', familyName: 'Koordinator', role: 'Koordinerende rolle', phone: '70101010' },
    subject: `Tværfagligt samarbejdsmøde – notat ${i}`,
    text: TEXT,
  };
}

async function measure(name: string, n: number, fn: (i: number) => unknown | Promise<unknown>): Promise<Result> {
  for (let i = 0; i < Math.min(20, n); i++) await fn(i); // warm-up
  const start = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  const seconds = (performance.now() - start) / 1000;
  return { name, n, seconds: round(seconds, 3), perSecond: round(n / seconds, 1) };
}

async function validated(v: SchemaValidator, bytes: Buffer): Promise<void> {
  const problems = await v.validate(bytes);
  if (problems.length) throw new Error(`benchmark letter invalid: ${problems[0]}`);
}

function readFhir(bytes: Buffer, format: 'fhir-xml' | 'fhir-json') {
  return format === 'fhir-json' ? fromFhirJson(JSON.parse(bytes.toString('utf8'))) : fromFhirXml(parseXmlBytes(bytes));
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 2000);
  const wasmN = Math.max(20, Math.round(n / 40));
  const libxml = schemaValidator(XSD, 'libxmljs2');
  const wasm = schemaValidator(XSD, 'xmllint-wasm');
  const sentAt = new Date();
  const receipts = {
    XCTL03: buildOioReceipt({
      type: 'XCTL03',
      envelopeId: 'KABCDEFGHIJKLM',
      letterId: 'QABCDEFGHIJKLM',
      sentAt,
      senderEan: '5790001234015',
      receiverEan: '5790000123456',
      originalEnvelopeId: 'EABCDEFGHIJKLM',
      letters: [{ letterId: 'LABCDEFGHIJKLM', versionCode: 'XD9134L' }],
    }),
    XCTL02: buildOioReceipt({
      type: 'XCTL02',
      envelopeId: 'KABCDEFGHIJKLM',
      letterId: 'QABCDEFGHIJKLM',
      sentAt,
      senderEan: '5790001234015',
      receiverEan: '5790000123456',
      originalEnvelopeId: 'EABCDEFGHIJKLM',
      letters: [{ letterId: 'LABCDEFGHIJKLM', versionCode: 'XD9134L' }],
      refuseCode: 'syntaksfejl',
      refuseText: 'Meddelelsen kunne ikke behandles: fejl i element Brødtekst',
    }),
  };
  const ack = (format: 'fhir-xml' | 'fhir-json') =>
    buildFhirAcknowledgement({
      bundleId: '5b1c3a0e-0000-4000-8000-000000000001',
      headerId: '5b1c3a0e-0000-4000-8000-000000000002',
      sentAt,
      acknowledgedHeaderId: '0ebb6284-eb20-45eb-8113-6620d2d08608',
      code: 'ok',
      format,
      from: { ean: '5790001234015', sor: '481271000016009', name: 'Lægerne' },
      to: { ean: '5790000123456', sor: '123456789012345', name: 'Solhøj' },
    });
  const acks = { 'fhir-xml': ack('fhir-xml'), 'fhir-json': ack('fhir-json') };

  const results: Result[] = [
    await measure('XDIS91 build only (baseline)', n, (i) => buildXdis91(letter(i, 'xdis91'), { maxBlockChars: BLOCK_CHARS })),
    await measure('XDIS91 build + validate (libxmljs2)', n, (i) =>
      validated(libxml, buildXdis91(letter(i, 'xdis91'), { maxBlockChars: BLOCK_CHARS }).bytes),
    ),
    await measure('XDIS91 build + validate (xmllint-wasm)', wasmN, (i) =>
      validated(wasm, buildXdis91(letter(i, 'xdis91'), { maxBlockChars: BLOCK_CHARS }).bytes),
    ),
  ];
  for (const format of ['fhir-xml', 'fhir-json'] as const) {
    results.push(
      await measure(`FHIR ${format} build + serialise (baseline)`, n, (i) =>
        serializeFhir(buildCareCommunicationBundle(letter(i, format)), format),
      ),
    );
    results.push(
      await measure(`FHIR ${format} build + serialise + read back + check`, n, (i) => {
        const problems = checkCareCommunication(readFhir(serializeFhir(buildCareCommunicationBundle(letter(i, format)), format), format));
        if (problems.length) throw new Error(problems[0]);
      }),
    );
  }
  for (const [type, bytes] of Object.entries(receipts))
    results.push(await measure(`receipt ${type} parsed`, n * 5, () => parseInbound(bytes)));
  for (const [format, bytes] of Object.entries(acks))
    results.push(await measure(`FHIR acknowledgement (${format}) parsed`, n * 5, () => parseInbound(bytes)));

  const width = Math.max(...results.map((r) => r.name.length));
  process.stdout.write(`MedCom benchmark – node ${process.version}, letter text ≈ ${TEXT.length} characters\n`);
  for (const r of results)
    process.stdout.write(`${r.name.padEnd(width)}  ${String(r.perSecond).padStart(9)} /s   (n=${r.n}, ${r.seconds} s)\n`);
  const base = results[0].perSecond;
  const lib = results[1].perSecond;
  process.stdout.write(
    `validation cost: libxmljs2 keeps ${round((lib / base) * 100, 1)} % of build-only throughput; libxmljs2 is ${round(lib / results[2].perSecond, 1)}× xmllint-wasm\n`,
  );
  for (const r of results) process.stdout.write(`${JSON.stringify({ bench: 'medcom', ...r })}\n`);
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
