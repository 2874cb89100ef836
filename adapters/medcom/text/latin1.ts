/**
 * OIOXML letters travel as ISO-8859-1. Text typed in Nexus is Unicode, so before encoding we map
 * typographic characters to their Latin-1 look-alikes (– → -, “ → ", … → ...), drop characters XML
 * 1.0 forbids, and replace anything else outside Latin-1 with '?' – counted, so the caller can say
 * how many were replaced instead of losing them silently.
 */
const LOOKALIKES: Record<string, string> = {
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '-',
  '\u2013': '-',
  '\u2014': '-',
  '\u2015': '-',
  '\u2212': '-',
  '\u2018': "'",
  '\u2019': "'",
  '\u201a': "'",
  '\u201b': "'",
  '\u2032': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u201e': '"',
  '\u201f': '"',
  '\u2033': '"',
  '\u2026': '...',
  '\u2022': '*',
  '\u2023': '*',
  '\u25cf': '*',
  '\u2043': '-',
  '\u20ac': 'EUR',
  '\u2122': '(TM)',
  '\u2264': '<=',
  '\u2265': '>=',
  '\u2260': '!=',
  '\u2192': '->',
  '\u2190': '<-',
  '\u2002': ' ',
  '\u2003': ' ',
  '\u2009': ' ',
  '\u200a': ' ',
  '\u202f': ' ',
  '\u2007': ' ',
  '\u200b': '',
  '\u200c': '',
  '\u200d': '',
  '\u2060': '',
  '\ufeff': '',
};

/**
 * Letters of windows-1252 that ISO-8859-1 lacks, written the way Danish text transliterates them.
 * Unlike the look-alikes above they change a word, so the letter lists them at its end (XDIS91 builder).
 */
export const TRANSLITERATIONS: Record<string, string> = {
  '\u0152': 'OE',
  '\u0153': 'oe',
  '\u0160': 'S',
  '\u0161': 's',
  '\u017d': 'Z',
  '\u017e': 'z',
  '\u0178': 'Y',
};

export interface Latin1Text {
  text: string;
  /** Characters that had no Latin-1 form and became '?'. */
  replaced: number;
  /** Their code points, in order of appearance. */
  replacedCodePoints: number[];
  /** Letters written as their transliteration (Œ → OE), in order of appearance. */
  transliterated: number[];
}

export function toLatin1Text(input: string): Latin1Text {
  let replaced = 0;
  const replacedCodePoints: number[] = [];
  const transliterated: number[] = [];
  let out = '';
  for (const ch of input.normalize('NFC')) {
    const cp = ch.codePointAt(0)!;
    if (cp === 0x09) out += ' ';
    else if (cp === 0x0a || cp === 0x0d) out += ch;
    else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
      continue; // control characters: not text
    else if (cp <= 0xff) out += ch;
    else if (ch in LOOKALIKES) out += LOOKALIKES[ch];
    else if (ch in TRANSLITERATIONS) {
      out += TRANSLITERATIONS[ch];
      transliterated.push(cp);
    } else {
      out += '?';
      replaced++;
      replacedCodePoints.push(cp);
    }
  }
  return { text: out, replaced, replacedCodePoints, transliterated };
}

/**
 * Whether a person's name can be written in ISO-8859-1 as it is: Latin-1 characters and typographic
 * look-alikes (’ → ') only. A transliteration (Š → S) or a '?' would edit identity data, so such a
 * name is not representable in XDIS91 (NAME_NOT_REPRESENTABLE; FHIR carries it as written).
 */
export function nameIsLatin1(name: string): boolean {
  for (const ch of name.normalize('NFC')) {
    if (ch.codePointAt(0)! > 0xff && !(ch in LOOKALIKES)) return false;
  }
  return true;
}
