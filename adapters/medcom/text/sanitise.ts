/**
 * The one clean-up every letter text goes through before any builder sees it, whatever the format.
 * Control characters are not text, and XML 1.0 forbids most of them (xmllint: "PCDATA invalid Char
 * value 11"), so one left in makes a FHIR XML letter unreadable and a FHIR JSON narrative invalid.
 * Those that mean a line break – U+000B (Word's soft line break), U+000C, U+0085, U+2028, U+2029 –
 * become one (dropping them joined two lines into one word); every other C0/C1 control, a lone
 * surrogate and U+FFFE/U+FFFF is removed. Both are counted, so the audit can say what happened.
 */
export interface SanitisedText {
  text: string;
  /** Characters that became a line break. */
  lineBreaks: number;
  /** Characters removed. */
  removed: number;
}

const LINE_BREAKS = new Set([0x0b, 0x0c, 0x85, 0x2028, 0x2029]);

export function sanitiseText(input: string): SanitisedText {
  let lineBreaks = 0;
  let removed = 0;
  let out = '';
  for (const ch of input) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0x09 || cp === 0x0a || cp === 0x0d) out += ch;
    else if (LINE_BREAKS.has(cp)) {
      out += '\n';
      lineBreaks++;
    } else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0xd800 && cp <= 0xdfff) || cp === 0xfffe || cp === 0xffff) removed++;
    else out += ch;
  }
  return { text: out, lineBreaks, removed };
}

/** The first character XML 1.0 does not allow (its code point), or null: what xmllint calls "invalid Char value". */
export function firstInvalidXmlChar(text: string): number | null {
  const m = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.exec(text);
  return m ? m[0].codePointAt(0)! : null;
}

/** U+XXXX, as characters are named in the replacement list and the audit (never the text around them). */
export function codePointName(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}
