import { parseInbound, ParsedInbound } from '../../../adapters/medcom/receipt.parser';
import { FormPdfInput, renderFormPdf } from '../../documents/form-pdf.renderer';
import { NotePdfInput, renderNotePdf } from '../../documents/note-pdf.renderer';

/**
 * The CPU-heavy work that runs on CpuPool's threads (see CpuWork for the callers' side). Inputs and
 * results cross the thread boundary by structured clone: a Buffer arrives as a plain Uint8Array.
 */
const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

export const CPU_TASKS = {
  renderFormPdf: (input: FormPdfInput): Promise<Uint8Array> => renderFormPdf(input),
  renderNotePdf: (input: NotePdfInput): Promise<Uint8Array> => renderNotePdf(input),
  parseInbound: (bytes: Uint8Array): ParsedInbound => parseInbound(asBuffer(bytes)),
};

/** Run once when a thread starts, before it takes tasks: first-use costs (font metrics, code warm-up) are not charged to a task's budget. */
export async function CPU_WARMUP(): Promise<void> {
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
