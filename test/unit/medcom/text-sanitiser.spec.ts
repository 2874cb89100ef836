import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { MessageComposer } from '../../../adapters/medcom/message.composer';
import { firstInvalidXmlChar, sanitiseText } from '../../../adapters/medcom/text/sanitise';
import { schemaValidator } from '../../../adapters/medcom/xml/schema-validator';
import { shippedFile } from '../../../src/infra/project-root';
import { outgoingLetter } from '../../support/medcom-fixtures';
import { hasXmllint } from '../../support/xmllint';

/** MedCom issue point 2: control characters, emoji, Greek and Œ in a note, in every format. */
const HOSTILE = 'Første linje\u000banden linje (Word-linjeskift)\u0007 klokke\u2028tredje linje 😀 Ζωή Œuvre';
const composer = new MessageComposer(schemaValidator(shippedFile('schemas', 'xdis91.xsd')), 2000);

/** xmllint's own verdict on well-formedness ('' when well-formed). */
function xmllintWellFormed(bytes: Buffer): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'wf-')), 'm.xml');
  writeFileSync(file, bytes);
  try {
    execFileSync('xmllint', ['--noout', '--nonet', file], { stdio: 'pipe' });
    return '';
  } catch (err) {
    return String((err as { stderr?: Buffer }).stderr ?? err);
  }
}

describe('one text sanitiser for every format', () => {
  it('turns U+000B, U+2028 (and the like) into line breaks and removes other controls, counting both', () => {
    expect(sanitiseText(HOSTILE)).toEqual({
      text: 'Første linje\nanden linje (Word-linjeskift) klokke\ntredje linje 😀 Ζωή Œuvre',
      lineBreaks: 2,
      removed: 1,
    });
    expect(sanitiseText('a\u0000b\u001fc\u0085d\ud800e')).toEqual({ text: 'abc\nde', lineBreaks: 1, removed: 3 });
  });

  it('FHIR XML of a note with control characters is well-formed (xmllint agrees), with the line breaks kept', async () => {
    const m = await composer.compose('fhir-xml', outgoingLetter({ text: HOSTILE, subject: `Emne\u000bmed skift` }));
    expect(m).toMatchObject({ lineBreaks: 3, removedControls: 1 });
    const xml = m.bytes.toString('utf8');
    expect(xml).toContain('Første linje&#xA;anden linje');
    expect(xml).toContain('😀 Ζωή Œuvre');
    if (hasXmllint()) expect(xmllintWellFormed(m.bytes)).toBe('');
  });

  it('FHIR JSON carries no control character into the payload or the narrative', async () => {
    const m = await composer.compose('fhir-json', outgoingLetter({ text: HOSTILE }));
    expect(m.bytes.toString('utf8')).not.toMatch(/\\u000[0-8bcef]|\\u001|\\u0007|\u2028/);
    expect(m.removedControls).toBe(1);
  });

  it('XDIS91 keeps the soft line break as a break, transliterates Œ and lists the characters it had to send as ? or transliterate', async () => {
    const m = await composer.compose('xdis91', outgoingLetter({ text: HOSTILE }));
    const xml = m.bytes.toString('latin1');
    expect(xml).toContain('Første linje<Break/>anden linje');
    expect(xml).toContain('??? OEuvre');
    expect(m.replacedList).toEqual(['U+1F600', 'U+0396', 'U+03C9', 'U+03AE']);
    expect(m.transliteratedList).toEqual(['U+0152→OE']);
    expect(xml).toContain('Tegn der ikke kunne sendes: U+1F600, U+0396, U+03C9, U+03AE (vist som ?), U+0152 (vist som OE)');
    expect(m.replacedChars).toBe(4);
  });

  it('XDIS91 transliterates Œ œ Š š Ž ž Ÿ and lists each once', async () => {
    const m = await composer.compose('xdis91', outgoingLetter({ text: 'Œ œ Š š Ž ž Ÿ Œ' }));
    const xml = m.bytes.toString('latin1');
    expect(xml).toContain('OE oe S s Z z Y OE');
    expect(xml).toContain(
      'Tegn der ikke kunne sendes: U+0152 (vist som OE), U+0153 (vist som oe), U+0160 (vist som S), U+0161 (vist som s), U+017D (vist som Z), U+017E (vist som z), U+0178 (vist som Y)',
    );
    expect(m.replacedChars).toBe(0);
  });

  it("the service's own character check finds exactly what xmllint refuses", () => {
    const samples = ['ok æøå 😀', 'bell\u0007', 'vt\u000b', 'nul\u0000', 'ffff\uffff', 'c1\u0085 is allowed by XML'];
    for (const s of samples) {
      const bytes = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><r>${s}</r>`, 'utf8');
      const ours = firstInvalidXmlChar(bytes.toString('utf8')) === null;
      if (hasXmllint()) expect(`${JSON.stringify(s)}: ${ours}`).toBe(`${JSON.stringify(s)}: ${xmllintWellFormed(bytes) === ''}`);
    }
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => firstInvalidXmlChar(sanitiseText(s).text) === null));
  });
});
