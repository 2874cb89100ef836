import fc from 'fast-check';
import iconv from 'iconv-lite';
import { parseXml } from 'libxmljs2';
import { buildXdis91 as build, shorten } from '../../../adapters/medcom/xdis91.builder';
import { schemaValidator } from '../../../adapters/medcom/xml/schema-validator';
import { shippedFile } from '../../../src/infra/project-root';
import { officialXdis91Xsd, outgoingLetter } from '../../support/medcom-fixtures';
import { officialXdis91Collector } from '../../support/xmllint';

const NS = { x: 'http://rep.oio.dk/sundcom.dk/medcom.dk/xml/schemas/2006/07/01/' };
const opts = { maxBlockChars: 200 };
const validator = schemaValidator(shippedFile('schemas', 'xdis91.xsd'));
// Every letter this file builds is also checked against MedCom's official schema (afterAll).
const official = officialXdis91Collector(officialXdis91Xsd());
const buildXdis91: typeof build = (letter, o) => {
  const built = build(letter, o);
  official.add(built.bytes);
  return built;
};

function parse(bytes: Buffer) {
  return parseXml(bytes as unknown as string);
}
/** Each Text01 back as plain text, with <Break/> as "\n". */
function texts(bytes: Buffer): string[] {
  return parse(bytes)
    .find('//x:Text01', NS)
    .map((t) =>
      (t as unknown as { childNodes(): Array<{ type(): string; name(): string; text(): string }> })
        .childNodes()
        .map((n) => (n.type() === 'element' && n.name() === 'Break' ? '\n' : n.text()))
        .join(''),
    );
}
function value(bytes: Buffer, xpath: string): string | undefined {
  return (parse(bytes).get(xpath, NS) as unknown as { text(): string } | null)?.text();
}

describe('XDIS91 builder', () => {
  afterAll(() => expect(official.verify()).toBe(''));

  it('writes ISO-8859-1 bytes with the matching declaration; æøå are single bytes, not UTF-8', async () => {
    const built = buildXdis91(outgoingLetter({ subject: 'Møde om ÆØÅ æøå' }), opts);
    const head = built.bytes.subarray(0, 60).toString('latin1');
    expect(head.startsWith('<?xml version="1.0" encoding="ISO-8859-1"?>')).toBe(true);
    expect(built.bytes.includes(Buffer.from([0xe6, 0xf8, 0xe5]))).toBe(true); // "æøå" in Latin-1
    expect(built.bytes.includes(Buffer.from('æ', 'utf8'))).toBe(false);
    expect(value(built.bytes, '//x:Subject')).toBe('Møde om ÆØÅ æøå');
    expect(await validator.validate(built.bytes)).toEqual([]);
  });

  it('fills the envelope and letter as the standard prescribes', () => {
    const b = buildXdis91(outgoingLetter(), opts).bytes;
    expect(value(b, '/x:Emessage/x:Envelope/x:Identifier')).toBe('EABCDEFGHIJKLM');
    expect(value(b, '//x:Envelope/x:AcknowledgementCode')).toBe('pluspositivkvitt');
    expect(value(b, '//x:Envelope/x:Sent/x:Date')).toBe('2026-12-03');
    expect(value(b, '//x:Envelope/x:Sent/x:Time')).toBe('10:15'); // Copenhagen, winter: UTC+1
    expect(value(b, '//x:Letter/x:Identifier')).toBe('LABCDEFGHIJKLM');
    expect(value(b, '//x:Letter/x:VersionCode')).toBe('XD9134L');
    expect(value(b, '//x:Letter/x:StatisticalCode')).toBe('XDIS91');
    expect(value(b, '//x:Letter/x:TypeCode')).toBe('XDIS91');
    expect(value(b, '//x:Letter/x:StatusCode')).toBe('nytbrev');
    expect(value(b, '//x:Sender/x:IdentifierCode')).toBe('kommunenummer');
    expect(value(b, '//x:Receiver/x:Identifier')).toBe('024015');
    expect(value(b, '//x:Receiver/x:IdentifierCode')).toBe('ydernummer');
    expect(value(b, '//x:Patient/x:CivilRegistrationNumber')).toBe('0101401234');
    expect(value(b, '//x:Patient/x:EpisodeOfCareStatusCode')).toBe('inaktiv');
    expect(value(b, '//x:AdditionalInformation/x:Priority')).toBe('rutine');
  });

  it('escapes markup characters so they arrive as text', async () => {
    const text = 'Værdier: 5 < 7 & 8 > 3 "citat" \'enkelt\'\n<Break/> er ikke et tag';
    const built = buildXdis91(outgoingLetter({ text }), opts);
    const raw = built.bytes.toString('latin1');
    expect(raw).toContain('5 &lt; 7 &amp; 8 &gt; 3');
    expect(raw).toContain('&lt;Break/&gt; er ikke et tag');
    expect(texts(built.bytes)).toEqual([text]);
    expect(await validator.validate(built.bytes)).toEqual([]);
  });

  it('turns line breaks into <Break/>, an empty line into two', () => {
    const raw = buildXdis91(outgoingLetter({ text: 'a\r\nb\n\nc' }), opts).bytes.toString('latin1');
    expect(raw).toContain('<Text01>a<Break/>b<Break/><Break/>c</Text01>');
  });

  const paragraph = 'Borgeren har haft tre fald siden sidste møde og ønsker en medicingennemgang hos egen læge.';
  const twelveSections = Array.from({ length: 12 }, (_, i) => `Afsnit ${i + 1}:\n${paragraph}`).join('\n\n');

  it('splits a long text into Text01 blocks between paragraphs when that fits, losing nothing', async () => {
    const built = buildXdis91(outgoingLetter({ text: twelveSections }), { maxBlockChars: 300 });
    const blocks = texts(built.bytes);
    expect(built.blocks).toBe(blocks.length);
    expect(blocks.length).toBe(6); // two sections per block
    for (const b of blocks) expect(b.length).toBeLessThanOrEqual(300);
    expect(blocks.join('\n\n')).toBe(twelveSections);
    expect(await validator.validate(built.bytes)).toEqual([]);
  });

  it('packs tighter (between lines, then inside lines) when paragraph breaks would need more than 10 blocks', async () => {
    const built = buildXdis91(outgoingLetter({ text: twelveSections }), opts);
    const blocks = texts(built.bytes);
    expect(blocks.length).toBeLessThanOrEqual(10);
    for (const b of blocks) expect(b.length).toBeLessThanOrEqual(opts.maxBlockChars);
    expect(blocks.join(' ').split(/\s+/)).toEqual(twelveSections.split(/\s+/));
    const dense = 'ord '.repeat(480).trim(); // one 1919-character line: only word cuts fit it in 10 blocks
    const denseBlocks = texts(buildXdis91(outgoingLetter({ text: dense }), opts).bytes);
    expect(denseBlocks).toHaveLength(10);
    expect(denseBlocks.join(' ')).toBe(dense);
  });

  it('refuses a text that would need more than 10 blocks (TEXT_TOO_LONG), without quoting it', () => {
    const text = 'ord '.repeat(600); // 2400 characters, 200 per block → 12 blocks
    const err = (() => {
      try {
        buildXdis91(outgoingLetter({ text }), opts);
        return null;
      } catch (e) {
        return e as Error & { code: string };
      }
    })();
    expect(err?.code).toBe('TEXT_TOO_LONG');
    expect(err?.message).not.toContain('ord ord');
  });

  it('shortens a long subject to 70 characters at a word and repeats the full subject in the text', () => {
    const subject = 'Opfølgning efter tværfagligt samarbejdsmøde om fald, medicin, ernæring og hjælpemidler';
    const b = buildXdis91(outgoingLetter({ subject }), opts);
    const s = value(b.bytes, '//x:Subject')!;
    expect(b.subjectShortened).toBe(true);
    expect(s.length).toBeLessThanOrEqual(70);
    expect(s.endsWith('...')).toBe(true);
    expect(subject.startsWith(s.slice(0, -3))).toBe(true);
    expect(texts(b.bytes)[0].startsWith(`Emne: ${subject}\n\n`)).toBe(true);
  });

  it('shortens organisation names to 35 characters but refuses over-long patient names', () => {
    const receiver = { ...outgoingLetter().receiver, name: 'Lægehuset ved Den Gamle Kirke og Torvet i Solhøj' };
    const b = buildXdis91(outgoingLetter({ receiver }), opts);
    expect(value(b.bytes, '//x:Receiver/x:OrganisationName')!.length).toBeLessThanOrEqual(35);
    expect(() => buildXdis91(outgoingLetter({ patient: { cpr: '0101401234', givenName: 'A', surname: 'X'.repeat(71) } }), opts)).toThrow(
      expect.objectContaining({ code: 'NAME_TOO_LONG' }),
    );
    expect(() => buildXdis91(outgoingLetter({ patient: { cpr: '010140-123', givenName: 'A', surname: 'B' } }), opts)).toThrow(
      expect.objectContaining({ code: 'CPR_INVALID' }),
    );
  });

  it('maps typographic characters to Latin-1 look-alikes and counts the ones it cannot map', () => {
    const b = buildXdis91(outgoingLetter({ text: 'ÆS – “Tværfagligt” … 😀 ok' }), opts);
    expect(b.replacedChars).toBe(1);
    // The '?' is explained to the GP at the end of the letter.
    expect(texts(b.bytes)).toEqual(['ÆS - "Tværfagligt" ... ? ok\n\nTegn der ikke kunne sendes: U+1F600 (vist som ?)']);
    expect(b.replacedList).toEqual(['U+1F600']);
  });

  it('shorten() cuts at a word boundary and keeps short strings as they are', () => {
    expect(shorten('kort', 70)).toBe('kort');
    expect(shorten('aaaa bbbb cccc', 10)).toBe('aaaa...');
  });

  it('any text that fits is kept exactly and validates (property)', async () => {
    const latin1Char = fc.constantFrom(...'abcæøåÆØÅ <>&"\'\n.,;:-()§½é0123456789'.split(''));
    await fc.assert(
      fc.asyncProperty(
        fc.array(latin1Char, { minLength: 1, maxLength: 1500 }).map((cs) => cs.join('')),
        async (raw) => {
          const text = raw
            .split('\n')
            .map((l) => l.trimEnd())
            .join('\n')
            .replace(/^\n+|\n+$/g, '');
          fc.pre(text.trim().length > 0);
          const built = buildXdis91(outgoingLetter({ text }), opts);
          expect(await validator.validate(built.bytes)).toEqual([]);
          const back = texts(built.bytes);
          // Blocks break at line or word boundaries: the words and their order survive.
          expect(back.join(' ').split(/\s+/).filter(Boolean)).toEqual(text.split(/\s+/).filter(Boolean));
          expect(iconv.decode(built.bytes, 'latin1')).toContain('encoding="ISO-8859-1"');
        },
      ),
      { numRuns: 60 },
    );
  });
});
