import { buildXdis91 } from '../../../adapters/medcom/xdis91.builder';
import { redactValidationMessage, schemaValidator } from '../../../adapters/medcom/xml/schema-validator';
import { shippedFile } from '../../../src/infra/project-root';
import { outgoingLetter } from '../../support/medcom-fixtures';

const xsd = shippedFile('schemas', 'xdis91.xsd');

describe('schema validator', () => {
  it('is created once per schema and engine and reused', () => {
    expect(schemaValidator(xsd)).toBe(schemaValidator(xsd));
    expect(schemaValidator(xsd).engine).toBe('libxmljs2');
  });

  it.each(['libxmljs2', 'xmllint-wasm'] as const)('%s: accepts a built letter and reports problems without the values', async (engine) => {
    const v = schemaValidator(xsd, engine);
    const good = buildXdis91(outgoingLetter(), { maxBlockChars: 2000 }).bytes;
    expect(await v.validate(good)).toEqual([]);

    // Tamper after building: a CPR in the wrong field and an over-long subject carrying personal text.
    const bad = Buffer.from(
      good
        .toString('latin1')
        .replace('<Identifier>LABCDEFGHIJKLM</Identifier>', '<Identifier>0101401234-Anna-Jensen</Identifier>')
        .replace('<Subject>Faldtendens og medicin</Subject>', `<Subject>${'Anna Jensen har faldet '.repeat(4)}</Subject>`)
        .replace('<Date>2026-12-03</Date>', '<Date>Anna</Date>'),
      'latin1',
    );
    const errors = await v.validate(bad);
    expect(errors.length).toBeGreaterThanOrEqual(3);
    const joined = errors.join('\n');
    expect(joined).toMatch(/Identifier/);
    expect(joined).toMatch(/Subject/);
    expect(joined).not.toMatch(/0101401234|Anna|Jensen/);
  });

  it('reports a document that is not well-formed', async () => {
    const [err] = await schemaValidator(xsd).validate(Buffer.from('<Emessage><Envelope></Emessage>'));
    expect(err).toMatch(/not well-formed/);
  });

  it('redacts quoted values, also when the value itself contains quotes', () => {
    const msg =
      "Schemas validity error : Element '{urn:x}Subject': [facet 'maxLength'] The value 'Borger O'Brien, 0101401234' has a length of '80'; this exceeds the allowed maximum length of '70'.";
    expect(redactValidationMessage(msg)).toBe(
      "Schemas validity error : Element 'Subject': [facet 'maxLength'] The value [value] has a length of '80'; this exceeds the allowed maximum length of '70'.",
    );
    expect(redactValidationMessage("Element 'Date': 'Anna' is not a valid value of the atomic type 'LocalDateT'.")).toBe(
      "Element 'Date': [value] is not a valid value of the atomic type 'LocalDateT'.",
    );
  });
});

describe('redaction keeps schema facts', () => {
  it('keeps patterns with braces and strips only namespace URIs', () => {
    expect(
      redactValidationMessage(
        "Element '{http://x/}Identifier': [facet 'pattern'] The value 'Anna' is not accepted by the pattern '[0-9A-Za-z]{1,14}'.",
      ),
    ).toBe("Element 'Identifier': [facet 'pattern'] The value [value] is not accepted by the pattern '[0-9A-Za-z]{1,14}'.");
  });
});
