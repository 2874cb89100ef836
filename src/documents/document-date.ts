import { PermanentError } from '../common/errors';

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})/;

/** A YYYY-MM-DD (or ISO timestamp) day as a UTC midnight Date; the PDFs' fixed metadata date. */
export function documentDay(value: string): Date {
  const m = ISO_DAY.exec(value ?? '');
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!d || d.getUTCDate() !== Number(m![3])) throw new PermanentError('document date must start with YYYY-MM-DD', 'PDF_BAD_INPUT');
  return d;
}

/** Danish short form, e.g. 03.12.2026. */
export function danishDate(day: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(day.getUTCDate())}.${p(day.getUTCMonth() + 1)}.${day.getUTCFullYear()}`;
}
