import type { GpPractice } from '../../adapters/directory/directory.port';
import type { GpLetter } from '../../adapters/medcom/medcom.port';
import type { MedcomTransport, OutboundMessage } from '../../adapters/medcom/transport/medcom.transport';
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

/** A VANS transport that keeps what it is handed (in `sent`) and never has anything incoming. */
export function recordingTransport(sent: OutboundMessage[]): MedcomTransport {
  return {
    send: async (m) => {
      sent.push(m);
      return { name: `${m.envelopeId}.${m.extension}` };
    },
    claimIncoming: async () => [],
    settle: async () => undefined,
  };
}
