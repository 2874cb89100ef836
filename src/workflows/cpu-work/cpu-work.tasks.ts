import { ComposedMessage, ComposerOptions, messageComposer, xdis91Validator } from '../../../adapters/medcom/message.composer';
import type { OutgoingLetter } from '../../../adapters/medcom/outgoing-letter';
import { parseInbound, ParsedInbound } from '../../../adapters/medcom/receipt.parser';
import { FormPdfInput, renderFormPdf } from '../../documents/form-pdf.renderer';
import { NotePdfInput, renderNotePdf } from '../../documents/note-pdf.renderer';
import type { GpMessageFormat } from '../../domain/gp-message-formats';

/**
 * The CPU-heavy work that runs on CpuPool's threads (see CpuWork for the callers' side). Inputs and
 * results cross the thread boundary by structured clone: a Buffer arrives as a plain Uint8Array.
 */
const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

export interface ComposeLetterInput {
  format: GpMessageFormat;
  letter: OutgoingLetter;
  options: ComposerOptions;
}

export const CPU_TASKS = {
  // The composer is two settings around this thread's one XDIS91 validator (parsed at warm-up).
  composeLetter: (t: ComposeLetterInput): Promise<Omit<ComposedMessage, 'bytes'> & { bytes: Uint8Array }> =>
    messageComposer(t.options).compose(t.format, t.letter),
  renderFormPdf: (input: FormPdfInput): Promise<Uint8Array> => renderFormPdf(input),
  renderNotePdf: (input: NotePdfInput): Promise<Uint8Array> => renderNotePdf(input),
  parseInbound: (bytes: Uint8Array): ParsedInbound => parseInbound(asBuffer(bytes)),
};

/**
 * Run once when a thread starts, before it takes tasks: first-use costs (font metrics, the XDIS91
 * schema, code warm-up) are not charged to a task's budget.
 */
export async function CPU_WARMUP(): Promise<void> {
  xdis91Validator();
  await renderNotePdf({
    title: 'Opvarmning',
    meetingDate: '2026-01-01',
    citizen: { name: 'Test', cpr: '0101010000' },
    items: { Felt: 'Tekst' },
    locked: true,
    sourceIds: ['-'],
  });
  await renderFormPdf({ title: 'Opvarmning', date: '2026-01-01', sections: [{ fields: { Felt: 'Tekst' } }], sourceIds: ['-'] });
}

export type CpuTaskName = keyof typeof CPU_TASKS;
