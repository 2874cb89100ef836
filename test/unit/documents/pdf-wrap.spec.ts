import fc from 'fast-check';
import { PDFDocument, PDFFont, StandardFonts } from 'pdf-lib';
import { renderFormPdf } from '../../../src/documents/form-pdf.renderer';
import { renderNotePdf } from '../../../src/documents/note-pdf.renderer';
import { TextMeasure, wrapText } from '../../../src/documents/pdf-layout';
import { drawnText } from '../../support/pdf-text';

/**
 * The PDF word wrap (issue 14, C1): a word longer than a line used to be shrunk one character at a
 * time and measured again, so a 4,000-character word blocked the event loop for seconds and an
 * 18,000-character one for many minutes. Now every width is a sum of per-character widths and
 * per-pair kerning measured once, so the work is linear and the number of measurements does not
 * grow with the text. No timing is asserted: the measurements are counted.
 */
const BODY_WIDTH = 595.28 - 56 - 56 - 8; // a field value's line in PdfLayout (A4, margins, indent)

let regular: PDFFont;
let bold: PDFFont;
beforeAll(async () => {
  const doc = await PDFDocument.create();
  regular = await doc.embedFont(StandardFonts.Helvetica);
  bold = await doc.embedFont(StandardFonts.HelveticaBold);
});

/** A font that counts how often it is measured and how many characters it measures in all. */
function counted(font: PDFFont) {
  const count = { calls: 0, chars: 0 };
  const measure = new TextMeasure({
    widthOfTextAtSize: (s: string, size: number) => {
      count.calls++;
      count.chars += s.length;
      return font.widthOfTextAtSize(s, size);
    },
  });
  return { measure, count };
}

/** The wrap as it was before issue 14 (cubic for long words): the reference the new one must match line for line. */
function previousWrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const fits = (s: string) => font.widthOfTextAtSize(s, size) <= width;
  const lines: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/ +/)) {
      const candidate = line ? `${line} ${word}` : word;
      if (fits(candidate)) {
        line = candidate;
        continue;
      }
      if (line) lines.push(line);
      let rest = word;
      while (!fits(rest)) {
        let n = rest.length - 1;
        while (n > 1 && !fits(rest.slice(0, n))) n--;
        lines.push(rest.slice(0, n));
        rest = rest.slice(n);
      }
      line = rest;
    }
    lines.push(line);
  }
  return lines;
}

describe('wrapText', () => {
  it('breaks a 20,000-character word at the width with a handful of measurements', () => {
    const word = 'x'.repeat(20_000);
    const { measure, count } = counted(regular);
    const lines = wrapText(word, measure, 10.5, BODY_WIDTH);

    expect(lines.join('')).toBe(word);
    const full = lines.slice(0, -1);
    expect(new Set(full.map((l) => l.length)).size).toBe(1);
    // Each full line is as long as fits, and one character more would not fit.
    expect(regular.widthOfTextAtSize(full[0], 10.5)).toBeLessThanOrEqual(BODY_WIDTH);
    expect(regular.widthOfTextAtSize(`${full[0]}x`, 10.5)).toBeGreaterThan(BODY_WIDTH);
    expect(lines.at(-1)!.length).toBeGreaterThan(0);
    expect(lines.at(-1)!.length).toBeLessThanOrEqual(full[0].length);
    expect(lines).toHaveLength(Math.ceil(20_000 / full[0].length));
    // 'x' alone, ' ' alone and the pair "xx": each measured once, whatever the length.
    expect(count.calls).toBeLessThanOrEqual(3);
    expect(count.chars).toBeLessThanOrEqual(4);
  });

  it('measures each character and each neighbouring pair once, however long a mixed word is', () => {
    const alphabet = 'abcdefghijklmnopqrstuvwxyzæøåÆØÅ0123456789';
    const word = Array.from({ length: 20_000 }, (_, i) => alphabet[(i * 7919) % alphabet.length]).join('');
    const { measure, count } = counted(regular);
    const lines = wrapText(`Indledning ${word} afslutning`, measure, 10.5, BODY_WIDTH);

    expect(lines.join('').replace(/ /g, '')).toBe(`Indledning${word}afslutning`);
    for (const l of lines) expect(regular.widthOfTextAtSize(l, 10.5)).toBeLessThanOrEqual(BODY_WIDTH);
    const distinct = new Set(alphabet + 'Indlegafsutn ').size;
    expect(count.calls).toBeLessThanOrEqual(distinct + distinct * distinct);
    expect(count.calls).toBeLessThan(word.length / 10);
  });

  it('gives exactly the lines of the previous wrap (same text, same PDF bytes)', () => {
    const char = fc.constantFrom(...'aaaeeeiillmmwwWW..,,’L’AVTy0æøåÆØÅ§–€"\'- '.split(''));
    const word = fc.oneof(fc.string({ unit: char, maxLength: 12 }), fc.string({ unit: char, minLength: 60, maxLength: 260 }));
    const text = fc
      .array(fc.oneof(word, fc.constant(' '), fc.constant('\n'), fc.constant('   ')), { maxLength: 30 })
      .map((parts) => parts.join(' '));
    fc.assert(
      fc.property(
        text,
        fc.constantFrom(8, 10.5, 12, 16),
        fc.constantFrom(BODY_WIDTH, 440, 120),
        fc.boolean(),
        (t, size, width, useBold) => {
          const font = useBold ? bold : regular;
          expect(wrapText(t, new TextMeasure(font), size, width)).toEqual(previousWrap(t, font, size, width));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('ends even when one character is wider than the line (one character per line)', () => {
    const lines = wrapText('WWW ii', new TextMeasure(regular), 16, 5);
    expect(lines).toEqual(['W', 'W', 'W', 'i', 'i']);
  });
});

describe('PDFs with a 20,000-character word', () => {
  const word = 'Y'.repeat(20_000);

  /** Counts pdf-lib's width measurements during one render. */
  async function measuring<T>(render: () => Promise<T>): Promise<{ result: T; calls: number }> {
    const spy = jest.spyOn(PDFFont.prototype, 'widthOfTextAtSize');
    try {
      const result = await render();
      return { result, calls: spy.mock.calls.length };
    } finally {
      spy.mockRestore();
    }
  }

  it('renders a request form whose description is one long word, every character on the pages', async () => {
    const form = (description: string) => ({
      title: 'Anmodningsskema – Samarbejdsmøde',
      date: '2026-11-02',
      sourceIds: ['anmodning R-1'],
      sections: [{ heading: 'Beskrivelse', fields: [{ label: 'Hvad skal mødet hjælpe med', value: description }] }],
    });
    const long = await measuring(() => renderFormPdf(form(word)));
    const short = await measuring(() => renderFormPdf(form(word.slice(0, 200))));
    const lines = drawnText(long.result).filter((l) => /^Y+$/.test(l));
    expect(lines.join('')).toBe(word);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(130);
    // The measurements do not grow with the word: 100 times the text, the same count but for the
    // two of "Side x af y" in each page's footer.
    const pages = (await PDFDocument.load(long.result)).getPageCount();
    expect(pages).toBeGreaterThan(1);
    expect(long.calls).toBeLessThanOrEqual(short.calls + 2 * (pages - 1));
  });

  it('renders a note whose text is one long word', async () => {
    const { result, calls } = await measuring(() =>
      renderNotePdf({
        title: 'Samlet faglig vurdering',
        meetingDate: '2026-12-03',
        citizen: { name: 'Åse Prøve', cpr: '0101401234' },
        items: { 'Konklusion og aftaler': word },
        locked: true,
        sourceIds: ['Nexus notat 5001 v2'],
      }),
    );
    expect(
      drawnText(result)
        .filter((l) => /^Y+$/.test(l))
        .join(''),
    ).toBe(word);
    expect(calls).toBeLessThan(500);
  });
});
