import { PermanentError } from '../common/errors';
import { danishDate, documentDay } from './document-date';
import { PdfLayout } from './pdf-layout';

export type FormFields = Record<string, string> | Array<{ label: string; value: string }>;

export interface FormPdfInput {
  /** e.g. "Anmodningsskema – Samarbejdsmøde". */
  title: string;
  /** The form's date, YYYY-MM-DD; printed and used as the PDF's fixed metadata date. */
  date: string;
  /** Lines under the title (e.g. child, school, unit). */
  intro?: string[];
  sections: Array<{ heading?: string; fields: FormFields }>;
  /** Printed in the footer of every page. */
  sourceIds: string[];
}

/** Where a form PDF is rendered: renderFormPdf itself, or CpuWork's thread in the service. */
export type RenderFormPdf = (input: FormPdfInput) => Promise<Buffer>;

/**
 * A generic form (the children's request and agreement forms): a title, intro lines and sections of
 * label/value fields. Same layout rules and determinism as the note PDF.
 */
export async function renderFormPdf(input: FormPdfInput): Promise<Buffer> {
  if (!input.title?.trim()) throw new PermanentError('form PDF needs a title', 'PDF_BAD_INPUT');
  const day = documentDay(input.date);
  const pdf = await PdfLayout.create({ title: input.title, subject: 'Skema', date: day });
  pdf.heading(input.title);
  pdf.paragraph(`Dato: ${danishDate(day)}`);
  for (const line of input.intro ?? []) pdf.paragraph(line);
  pdf.rule();
  for (const section of input.sections) {
    if (section.heading) pdf.subheading(section.heading);
    const fields = Array.isArray(section.fields)
      ? section.fields
      : Object.entries(section.fields).map(([label, value]) => ({ label, value }));
    for (const { label, value } of fields) pdf.field(label, value);
  }
  return pdf.finish(`Kilde: ${input.sourceIds.join(', ')} · Dannet af tsm-bridge`);
}
