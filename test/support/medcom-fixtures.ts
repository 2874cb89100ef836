import type { GpPractice } from '../../adapters/directory/directory.port';
import type { OutgoingLetter } from '../../adapters/medcom/outgoing-letter';

export const practice: GpPractice = {
  ydernummer: '024015',
  name: 'Lægerne på Torvet, Solhøj',
  ean: '5790001234567',
  sor: '123451000016001',
  formats: ['xdis91'],
};

export function outgoingLetter(over: Partial<OutgoingLetter> = {}): OutgoingLetter {
  return {
    letterId: 'LABCDEFGHIJKLM',
    envelopeId: 'EABCDEFGHIJKLM',
    attempt: 0,
    sentAt: new Date('2026-12-03T09:15:00Z'),
    authorisedAt: new Date('2026-12-03T09:15:00Z'),
    sender: { ean: '5790000123456', sor: '123456789012345', kommunenummer: '751', name: 'Solhøj Kommune Ældreområdet' },
    receiver: practice,
    patient: { cpr: '0101401234', givenName: 'Anna Marie', surname: 'Jensen' },
    author: { givenName: 'Karen', familyName: 'Koordinator', role: 'Koordinerende rolle', phone: '70101010' },
    subject: 'Faldtendens og medicin',
    text: 'Borgeren falder oftere.\nØnsker medicingennemgang.',
    ...over,
  };
}

/** The shared MedCom reference folder (schemas + official examples), when this checkout has it. */
export function medcomReferenceDir(): string | null {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { existsSync } = require('node:fs') as typeof import('node:fs');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const path = require('node:path') as typeof import('node:path');
  const dir = path.resolve(__dirname, '..', '..', '..', 'shared', 'medcom');
  return existsSync(path.join(dir, 'xsd')) ? dir : null;
}
