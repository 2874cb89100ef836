import path from 'node:path';
import { buildXdis91 } from '../../../adapters/medcom/xdis91.builder';
import { medcomReferenceDir, outgoingLetter } from '../../support/medcom-fixtures';
import { hasXmllint, xmllintSchema } from '../../support/xmllint';

/**
 * Conformance: the letters we build validate against MedCom's OFFICIAL XDIS91 schema
 * (../shared/medcom/xsd/2006/07/01/EMessage.xsd), checked with xmllint as a receiver would.
 */
const ref = medcomReferenceDir();
const runnable = ref && hasXmllint();
if (!runnable) {
  console.log(
    `conformance (XDIS91 vs official schema) skipped: ${ref ? 'xmllint not installed (apt-get install libxml2-utils)' : '../shared/medcom not found'}`,
  );
}
const describeIf = runnable ? describe : describe.skip;

describeIf('XDIS91 conformance with the official MedCom schema', () => {
  const officialXsd = path.join(ref ?? '', 'xsd', '2006', '07', '01', 'EMessage.xsd');
  const paragraph = 'Borgeren har haft tre fald siden sidste møde & ønsker <medicingennemgang> hos egen læge.';
  const cases: Array<[string, Parameters<typeof outgoingLetter>[0], number]> = [
    ['a short letter', {}, 2000],
    ['Danish letters, markup characters and quotes', { subject: 'Æbler, øl & "åer"', text: 'a < b & c > d\n\'x\' "y" æøåÆØÅ é §' }, 2000],
    ['ten text blocks', { text: Array.from({ length: 10 }, () => paragraph).join('\n\n') }, 100],
    ['a shortened subject and empty lines', { subject: 'S'.repeat(20) + ' ' + 'T'.repeat(60), text: 'første\n\n\nanden' }, 2000],
    [
      'no given name, typographic characters',
      { patient: { cpr: '0101401234', givenName: '', surname: 'Jensen' }, text: '– “citat” … •' },
      2000,
    ],
    ['a summer timestamp', { sentAt: new Date('2026-07-01T22:30:00Z'), authorisedAt: new Date('2026-07-01T22:30:00Z') }, 2000],
  ];

  it.each(cases)('%s validates', (_name, over, maxBlockChars) => {
    const built = buildXdis91(outgoingLetter(over), { maxBlockChars });
    expect(xmllintSchema(officialXsd, built.bytes)).toBe('');
  });

  it('the official schema does reject a broken letter (the check can fail)', () => {
    const bytes = buildXdis91(outgoingLetter(), { maxBlockChars: 2000 }).bytes;
    const broken = Buffer.from(
      bytes.toString('latin1').replace('<StatusCode>nytbrev</StatusCode>', '<StatusCode>gammeltbrev</StatusCode>'),
      'latin1',
    );
    expect(xmllintSchema(officialXsd, broken)).toMatch(/StatusCode/);
  });
});
