/**
 * Masks personal identifiers in free text. A CPR number is ddmmyy-xxxx or ten digits whose first
 * six are a real calendar date; anything else with ten digits (ids, timestamps) is left alone.
 */
const CPR_LIKE = /(?<!\d)(\d{2})(\d{2})(\d{2})(-?)(\d{4})(?!\d)/g;

export function isCprDate(dd: string, mm: string, yy: string): boolean {
  const d = Number(dd);
  const m = Number(mm);
  if (m < 1 || m > 12 || d < 1) return false;
  const year = 2000 + Number(yy); // leap years repeat every 4 years in both centuries that matter
  const days = new Date(Date.UTC(year, m, 0)).getUTCDate();
  return d <= days;
}

export function maskCpr(text: string): string {
  return text.replace(CPR_LIKE, (match, dd: string, mm: string, yy: string, dash: string) =>
    isCprDate(dd, mm, yy) ? `xxxxxx${dash}xxxx` : match,
  );
}

/** Replaces every occurrence of the given secrets, longest first. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (s && out.includes(s)) out = out.split(s).join('[sensitive]');
  }
  return out;
}
