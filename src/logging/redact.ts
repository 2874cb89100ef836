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

/** A word that may be a name: a capital letter, then lower-case letters (Danish included), hyphen-joined parts. */
const NAME_LIKE = /(?<![\p{L}\p{N}])\p{Lu}\p{Ll}+(?:-\p{Lu}?\p{Ll}+)*(?![\p{L}\p{N}])/gu;

/**
 * Text written by someone outside the service (a GP's refusal text, an in-folder file name) before it
 * goes into an audit record or a log line: CPR numbers masked and every capitalised word replaced by
 * "[navn]". Names cannot be told from other words, so this removes more than names, by design: the
 * original text stays where it came from (the receipt file), never in the audit or the logs.
 */
export function redactFreeText(text: string): string {
  return maskCpr(text).replace(NAME_LIKE, '[navn]');
}
