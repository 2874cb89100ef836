/**
 * How a tag (and a "Forløbstype") typed by a person is compared (issue 17): the seed itself spells the
 * agenda tag both "ÆS – Tværfagligt samarbejdsmøde" and "ÆS- Tværfagligt samarbejdsmøde", so case,
 * the kind of dash and any whitespace must not decide whether a citizen reaches the agenda.
 */

/** ‐ ‑ ‒ – — and the ASCII hyphen-minus: people (and word processors) type any of them. */
const DASHES = /[\u2010\u2011\u2012\u2013\u2014\u002D]/gu;

export function tagKey(text: string): string {
  return text.normalize('NFC').toLocaleLowerCase('da').replace(DASHES, '-').replace(/\s+/gu, '');
}

/** How a note's tags meet the configured tag: 'exact' as configured, 'variant' only after normalisation. */
export function tagMatch(tags: readonly string[], wanted: string): 'exact' | 'variant' | null {
  if (tags.includes(wanted)) return 'exact';
  const key = tagKey(wanted);
  return tags.some((t) => tagKey(t) === key) ? 'variant' : null;
}
