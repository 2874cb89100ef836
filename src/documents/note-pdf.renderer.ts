import { PermanentError } from '../common/errors';
import { danishDate, documentDay } from './document-date';
import { PdfLayout } from './pdf-layout';

export interface NotePdfInput {
  /** e.g. "Samlet faglig vurdering – Tværfagligt samarbejdsmøde". */
  title: string;
  /** The meeting day, YYYY-MM-DD (an ISO timestamp is accepted; its day is used). */
  meetingDate: string;
  citizen: { name: string; cpr: string };
  /** The note's items in order: label → value. */
  items: Record<string, string> | Array<{ label: string; value: string }>;
  locked: boolean;
  /** The note's workflow state name as Nexus shows it, e.g. "Låst" or "Kladde". */
  state?: string;
  /** Our source ids, printed in the footer of every page (e.g. "Nexus note 5001 v3"). */
  sourceIds: string[];
}

function formatCpr(cpr: string): string {
  const digits = cpr.replace('-', '');
  if (!/^\d{10}$/.test(digits)) throw new PermanentError('citizen CPR must be 10 digits', 'PDF_BAD_INPUT');
  return `${digits.slice(0, 6)}-${digits.slice(6)}`;
}

/**
 * The meeting note as the PDF that is filed on the citizen's eDoc case: title, meeting date, citizen,
 * locked state, every item of the note, and the source ids in the footer. Same input, same bytes.
 */
export async function renderNotePdf(input: NotePdfInput): Promise<Buffer> {
  if (!input.title?.trim()) throw new PermanentError('note PDF needs a title', 'PDF_BAD_INPUT');
  const day = documentDay(input.meetingDate);
  const items = Array.isArray(input.items) ? input.items : Object.entries(input.items).map(([label, value]) => ({ label, value }));
  const pdf = await PdfLayout.create({ title: input.title, subject: 'Mødenotat', date: day });

  pdf.heading(input.title);
  pdf.paragraph(`Mødedato: ${danishDate(day)}`);
  pdf.paragraph(`Borger: ${input.citizen.name}, CPR-nr. ${formatCpr(input.citizen.cpr)}`);
  const state = input.state?.trim();
  pdf.paragraph(input.locked ? `Status: ${state || 'Låst'} (notatet er låst)` : `Status: ${state || 'Kladde'} (notatet er ikke låst)`, {
    bold: !input.locked,
  });
  pdf.rule();
  if (items.length === 0) pdf.paragraph('Notatet har ingen udfyldte felter.', { muted: true });
  for (const { label, value } of items) pdf.field(label, value);

  return pdf.finish(`Kilde: ${input.sourceIds.join(', ')} · Dannet af tsm-bridge`);
}
