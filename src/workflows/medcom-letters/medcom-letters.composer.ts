import type { ComposerOptions, LetterComposer } from '../../../adapters/medcom/message.composer';
import type { CpuWork } from '../cpu-work/cpu-work.service';

/**
 * How MedcomService builds and checks each letter (MessageComposer.compose). In the service on
 * CpuWork's threads under MEDCOM_COMPOSE_TIMEOUT_MS, so building, serialising, reading back and
 * schema-checking letters never hold the event loop; tests may compose in place (a MessageComposer).
 */
export const LETTER_COMPOSER = Symbol('LETTER_COMPOSER');

export function composerOnThreads(cpu: CpuWork, settings: ComposerOptions): LetterComposer {
  // Only the two settings cross to the thread: MedcomSettings also holds functions, which cannot be cloned.
  const options: ComposerOptions = { xdis91BlockChars: settings.xdis91BlockChars, fhirEnvelope: settings.fhirEnvelope };
  return { compose: (format, letter) => cpu.composeLetter(format, letter, options) };
}
