import { PermanentError } from '../../src/common/errors';
import type { GpMessageFormat } from '../../src/domain/gp-message-formats';
import { medcomFormat } from './formats/medcom-formats.registry';
import { sanitiseText } from './text/sanitise';
import { nameIsLatin1 } from './text/latin1';
import { nameNotRepresentable } from './xdis91.builder';

/**
 * The format a letter goes in: the receiver's preferred one (the directory lists them preferred
 * first) – except that a patient name ISO-8859-1 cannot carry never goes as XDIS91, where it would
 * read "???": then the first FHIR format the receiver accepts, or NAME_NOT_REPRESENTABLE when it
 * takes XDIS91 only (the letter is not sent; a person sends it another way).
 */
export function chooseFormat(
  receiver: { formats: readonly GpMessageFormat[]; ydernummer: string },
  patient?: { givenName: string; surname: string },
): GpMessageFormat {
  const preferred = receiver.formats[0];
  if (!preferred) throw new PermanentError('the GP practice accepts no MedCom format we can send', 'GP_NO_FORMAT', 'medcom');
  if (!medcomFormat(preferred).latin1Only || !patient || patientNameIsLatin1(patient)) return preferred;
  const unicode = receiver.formats.find((f) => !medcomFormat(f).latin1Only);
  if (unicode) return unicode;
  throw nameNotRepresentable(receiver.ydernummer);
}

/** The name as the builders see it (after the one sanitiser) fits ISO-8859-1 without '?' or transliteration. */
export function patientNameIsLatin1(patient: { givenName: string; surname: string }): boolean {
  return nameIsLatin1(sanitiseText(patient.givenName).text) && nameIsLatin1(sanitiseText(patient.surname).text);
}
