import { existsSync } from 'node:fs';
import path from 'node:path';
import type { GpPractice } from '../../adapters/directory/directory.port';
import type { OutgoingLetter } from '../../adapters/medcom/outgoing-letter';
import { projectRoot } from '../../src/infra/project-root';

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
  const dir = path.resolve(projectRoot(), '..', 'shared', 'medcom');
  return existsSync(path.join(dir, 'xsd')) ? dir : null;
}

/** MedCom's official XDIS91 schema in ../shared/medcom, or null when this checkout lacks it. */
export function officialXdis91Xsd(): string | null {
  const dir = medcomReferenceDir();
  return dir ? path.join(dir, 'xsd', '2006', '07', '01', 'EMessage.xsd') : null;
}
