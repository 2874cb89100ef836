import type { GpPractice } from '../../adapters/directory/directory.port';
import type { GpLetter } from '../../adapters/medcom/medcom.port';
import { practice } from './medcom-fixtures';

let n = 0;

/** A letter as the after-meeting flow hands it to MEDCOM_PORT: unique note per call. */
export function gpLetter(over: Partial<GpLetter> & { format?: GpPractice['formats'][number] } = {}): GpLetter {
  const noteId = 9000 + ++n;
  const { format, ...rest } = over;
  return {
    idempotencyKey: `medcom:note:${noteId}:v1:gp:024015:${process.pid}:${Date.now()}`,
    noteId,
    noteVersion: 1,
    kind: 'meeting-note',
    patient: { cpr: '0101401234', givenName: 'Anna', surname: 'Jensen' },
    receiver: { ...practice, formats: [format ?? 'xdis91'] },
    subject: 'Tværfagligt samarbejdsmøde 03.12.2026',
    text: 'Samlet faglig vurdering fra tværfagligt samarbejdsmøde.\n\nVurdering:\nBorgeren falder oftere & ønsker <medicingennemgang>.',
    ...rest,
  };
}
