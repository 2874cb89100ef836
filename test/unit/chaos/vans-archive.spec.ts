import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildCareCommunicationBundle, serializeFhir } from '../../../adapters/medcom/fhir-carecommunication.builder';
import { buildXdis91 } from '../../../adapters/medcom/xdis91.builder';
import { readVansArchive } from '../../chaos/vans-archive';
import { outgoingLetter } from '../../support/medcom-fixtures';

/** The chaos verdict ties letters to citizens from what VANS received: every format must read back. */
describe('readVansArchive', () => {
  it('reads envelope id, letter id and patient CPR from XDIS91, FHIR XML and FHIR JSON, and reports what it cannot read', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vans-archive-'));
    const letter = outgoingLetter();
    writeFileSync(path.join(dir, '1.xml'), buildXdis91(letter, { maxBlockChars: 2000 }).bytes);
    const fhir = outgoingLetter({
      letterId: '5f1f1b1e-0000-4000-8000-000000000001',
      envelopeId: '5f1f1b1e-0000-4000-8000-000000000002',
      patient: { cpr: '0202402345', givenName: 'B', surname: 'C' },
    });
    writeFileSync(path.join(dir, '2.xml'), serializeFhir(buildCareCommunicationBundle(fhir), 'fhir-xml'));
    writeFileSync(path.join(dir, '3.json'), serializeFhir(buildCareCommunicationBundle(fhir), 'fhir-json'));
    writeFileSync(path.join(dir, '4.xml'), '<Emessage><Envelope>');
    writeFileSync(path.join(dir, 'notes.txt'), 'not a message');

    const { messages, unreadable } = await readVansArchive(dir);
    // MessageHeader.id is the letter id.
    const headerId = fhir.letterId;
    expect(messages.map(({ file, letterId, cpr }) => ({ file, letterId, cpr: cpr.replace('-', '') }))).toEqual([
      { file: '1.xml', letterId: letter.letterId, cpr: '0101401234' },
      { file: '2.xml', letterId: headerId, cpr: '0202402345' },
      { file: '3.json', letterId: headerId, cpr: '0202402345' },
    ]);
    expect(messages[0].envelopeId).toBe(letter.envelopeId);
    expect(unreadable).toEqual(['4.xml']);
  });
});
