import { MEDCOM_FORMATS } from '../../../adapters/medcom/formats/medcom-formats.registry';
import { envelopeIdFor, letterIdFor } from '../../../adapters/medcom/letter-identity';
import { gpPracticeSchema } from '../../../schemas/gp-directory.schema';
import { GP_MESSAGE_FORMATS } from '../../../src/domain/gp-message-formats';

const identity = { senderEan: '5798000012345', secret: 'x'.repeat(32) };
const practice = { ydernummer: '123456', name: 'Lægerne', ean: '5790000000005', sor: '1234' };

describe('MedCom format registry', () => {
  it.each(GP_MESSAGE_FORMATS)('%s: one entry, named as the list names it, accepted by the directory schema', (name) => {
    expect(MEDCOM_FORMATS[name].name).toBe(name);
    expect(gpPracticeSchema.parse({ ...practice, formats: [name] }).formats).toEqual([name]);
  });

  it('the list and the registry hold the same formats, and the schema refuses any other', () => {
    expect(Object.keys(MEDCOM_FORMATS).sort()).toEqual([...GP_MESSAGE_FORMATS].sort());
    expect(gpPracticeSchema.safeParse({ ...practice, formats: ['hl7v2'] }).success).toBe(false);
  });

  it.each(GP_MESSAGE_FORMATS)("%s: ids follow the entry's id style", (name) => {
    const letterId = letterIdFor(identity, 'note:1:v1:gp:123456', name);
    const envelopeId = envelopeIdFor(letterId, 0, name);
    const pattern =
      MEDCOM_FORMATS[name].idStyle === 'short' ? /^[A-Z][A-Z2-7]{13}$/ : /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    expect(letterId).toMatch(pattern);
    expect(envelopeId).toMatch(pattern);
  });

  it('only formats that can carry any name are used for names outside ISO-8859-1; only FHIR may be enveloped', () => {
    expect(GP_MESSAGE_FORMATS.filter((f) => MEDCOM_FORMATS[f].latin1Only)).toEqual(['xdis91']);
    expect(GP_MESSAGE_FORMATS.filter((f) => MEDCOM_FORMATS[f].envelopable)).toEqual(['fhir-xml', 'fhir-json']);
  });
});
