import { PDFDocument, PDFFont, PDFPage, rgb, StandardFonts } from 'pdf-lib';

/**
 * A small flowing-text layout on pdf-lib: headings, label/value fields and paragraphs that wrap at the
 * margin and continue on new pages, with a footer and "Side x af y" on every page.
 *
 * Deterministic by construction: metadata dates, producer and creator are fixed by the caller's input,
 * pdf-lib writes no document ID, and nothing depends on the clock, so the same input gives the same
 * bytes (and the same sha256, which the eDoc ledger keys on).
 *
 * Uses the standard Helvetica fonts (WinAnsi encoding, which has æøåÆØÅ, §, – and €). Characters outside
 * WinAnsi are replaced (diacritics dropped, a few symbols spelled out, otherwise "?") instead of failing.
 */
const A4: [number, number] = [595.28, 841.89];
const MARGIN = 56;
const FOOTER_HEIGHT = 36;
const BODY_SIZE = 10.5;
const LEADING = 1.35;
const INK = rgb(0.1, 0.1, 0.1);
const MUTED = rgb(0.35, 0.35, 0.35);

const SPELLED: Record<string, string> = {
  '\u2265': '>=',
  '\u2264': '<=',
  '\u2192': '->',
  '\u2190': '<-',
  '\u2212': '-',
  '\u2010': '-',
  '\u2011': '-',
  '\u2713': 'v',
  '\u2714': 'v',
  '\u2715': 'x',
  '\u2717': 'x',
  '\u00D7': 'x',
  '\u2248': '~',
  '\u2260': '!=',
  '\u201E': '"',
  '\u2032': "'",
  '\u2033': '"',
  '\u2009': ' ',
  '\u202F': ' ',
  '\u200B': '',
};

export interface PdfMetadata {
  title: string;
  subject?: string;
  /** Fixed creation/modification date, so output is reproducible (e.g. the meeting date). */
  date: Date;
}

export class PdfLayout {
  private page!: PDFPage;
  private y = 0;
  private readonly charset: Set<number>;
  private readonly measures = new Map<PDFFont, TextMeasure>();

  private constructor(
    private readonly doc: PDFDocument,
    private readonly regular: PDFFont,
    private readonly bold: PDFFont,
  ) {
    this.charset = new Set(regular.getCharacterSet());
    this.newPage();
  }

  static async create(meta: PdfMetadata): Promise<PdfLayout> {
    const doc = await PDFDocument.create({ updateMetadata: false });
    const regular = await doc.embedFont(StandardFonts.Helvetica);
    const bold = await doc.embedFont(StandardFonts.HelveticaBold);
    const layout = new PdfLayout(doc, regular, bold);
    doc.setTitle(layout.safe(meta.title));
    if (meta.subject) doc.setSubject(layout.safe(meta.subject));
    doc.setProducer('tsm-bridge');
    doc.setCreator('tsm-bridge');
    doc.setCreationDate(meta.date);
    doc.setModificationDate(meta.date);
    return layout;
  }

  /** Text reduced to what the WinAnsi fonts can draw; never throws. */
  safe(text: string): string {
    let out = '';
    for (const ch of String(text ?? '')
      .normalize('NFC')
      .replace(/\t/g, '    ')) {
      const cp = ch.codePointAt(0)!;
      if (ch === '\n') out += ch;
      else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
        continue; // control characters
      else if (this.charset.has(cp)) out += ch;
      else if (ch in SPELLED) out += SPELLED[ch];
      else {
        const base = ch.normalize('NFKD').replace(/\p{M}/gu, '');
        out += base && [...base].every((c) => this.charset.has(c.codePointAt(0)!)) ? base : '?';
      }
    }
    return out;
  }

  heading(text: string, size = 16): void {
    this.space(size * 0.4);
    this.write(text, { font: this.bold, size });
    this.space(size * 0.3);
  }

  subheading(text: string): void {
    this.space(6);
    this.write(text, { font: this.bold, size: 12 });
    this.space(2);
  }

  paragraph(text: string, opts: { bold?: boolean; size?: number; muted?: boolean } = {}): void {
    this.write(text, { font: opts.bold ? this.bold : this.regular, size: opts.size ?? BODY_SIZE, color: opts.muted ? MUTED : INK });
  }

  /** A bold label with its (possibly multi-line) value below it. */
  field(label: string, value: string): void {
    this.ensure(BODY_SIZE * LEADING * 2);
    this.write(label, { font: this.bold, size: BODY_SIZE });
    this.write(value.trim() ? value : '-', { font: this.regular, size: BODY_SIZE, indent: 8 });
    this.space(6);
  }

  rule(): void {
    this.space(4);
    this.ensure(8);
    this.page.drawLine({ start: { x: MARGIN, y: this.y }, end: { x: A4[0] - MARGIN, y: this.y }, thickness: 0.5, color: MUTED });
    this.space(8);
  }

  space(points: number): void {
    this.y -= points;
  }

  /** Draws the footer on every page and returns the PDF bytes. */
  async finish(footer: string): Promise<Buffer> {
    const pages = this.doc.getPages();
    const text = this.safe(footer).replace(/\n/g, ' ');
    pages.forEach((page, i) => {
      const pageNo = `Side ${i + 1} af ${pages.length}`;
      const width = A4[0] - 2 * MARGIN - this.regular.widthOfTextAtSize(pageNo, 8) - 12;
      const [first] = this.wrap(text, this.regular, 8, width);
      page.drawText(first ?? '', { x: MARGIN, y: MARGIN - 18, size: 8, font: this.regular, color: MUTED });
      page.drawText(pageNo, {
        x: A4[0] - MARGIN - this.regular.widthOfTextAtSize(pageNo, 8),
        y: MARGIN - 18,
        size: 8,
        font: this.regular,
        color: MUTED,
      });
    });
    return Buffer.from(await this.doc.save({ useObjectStreams: false }));
  }

  private newPage(): void {
    this.page = this.doc.addPage(A4);
    this.y = A4[1] - MARGIN;
  }

  private ensure(height: number): void {
    if (this.y - height < MARGIN + FOOTER_HEIGHT - 18) this.newPage();
  }

  private write(text: string, o: { font: PDFFont; size: number; color?: ReturnType<typeof rgb>; indent?: number }): void {
    const lineHeight = o.size * LEADING;
    const x = MARGIN + (o.indent ?? 0);
    const width = A4[0] - MARGIN - x;
    for (const line of this.wrap(this.safe(text), o.font, o.size, width)) {
      this.ensure(lineHeight);
      this.y -= lineHeight;
      if (line) this.page.drawText(line, { x, y: this.y + (lineHeight - o.size), size: o.size, font: o.font, color: o.color ?? INK });
    }
  }

  /** Greedy word wrap; words wider than the line are broken by character (see wrapText). */
  private wrap(text: string, font: PDFFont, size: number, width: number): string[] {
    let measure = this.measures.get(font);
    if (!measure) this.measures.set(font, (measure = new TextMeasure(font)));
    return wrapText(text, measure, size, width);
  }
}

/**
 * Text widths in font units (1/1000 em at size 1000) from each character's width and each pair's
 * kerning, each measured once with pdf-lib and remembered. pdf-lib's own width of a string is the sum
 * of its glyphs' widths and its adjacent pairs' kerning, in whole font units, times size / 1000, so
 * these sums are exactly what pdf-lib would answer for the whole string, at a cost per character
 * instead of per string: wrapping stays linear in the text however long its words are.
 *
 * Text is what PdfLayout.safe() leaves (WinAnsi characters, all in the BMP), so one UTF-16 unit is
 * one glyph.
 */
export class TextMeasure {
  private readonly single = new Map<string, number>();
  private readonly pairs = new Map<string, number>();

  constructor(private readonly font: Pick<PDFFont, 'widthOfTextAtSize'>) {}

  /** Width of one character alone. */
  char(c: string): number {
    let w = this.single.get(c);
    if (w === undefined) this.single.set(c, (w = this.font.widthOfTextAtSize(c, 1000)));
    return w;
  }

  /** What `b` adds to a text that ends in `a`: its width plus the pair's kerning. */
  after(a: string, b: string): number {
    const key = a + b;
    let w = this.pairs.get(key);
    if (w === undefined) this.pairs.set(key, (w = this.font.widthOfTextAtSize(key, 1000) - this.char(a)));
    return w;
  }

  /** Width of a whole text. */
  width(s: string): number {
    if (!s) return 0;
    let w = this.char(s[0]);
    for (let i = 1; i < s.length; i++) w += this.after(s[i - 1], s[i]);
    return w;
  }

  /** Width of `a + b` from the two widths: only the kerning at the seam is new. */
  joined(a: string, aWidth: number, b: string, bWidth: number): number {
    if (!a) return bWidth;
    if (!b) return aWidth;
    return aWidth + this.after(a[a.length - 1], b[0]) - this.char(b[0]) + bWidth;
  }
}

/**
 * Greedy word wrap of `text` (already made safe) at `width` points for a font size: paragraphs at
 * '\n', words at runs of spaces; a word that fits on no line is broken after the most characters
 * that fit (at least one). Every width comes from `measure`, so the cost is linear in the text.
 *
 * Gives exactly the lines of the earlier wrap (which shrank an over-long word one character at a
 * time and measured each candidate again): the same text keeps giving the same PDF bytes, which the
 * eDoc ledger keys on. This relies on a text's width growing with every character, which holds for
 * the standard fonts (the smallest step, "L" then "’", is still 62 units).
 */
export function wrapText(text: string, measure: TextMeasure, size: number, width: number): string[] {
  const scale = size / 1000;
  const fits = (units: number) => units * scale <= width;
  const space = measure.char(' ');
  const lines: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    let lineWidth = 0;
    for (const word of para.split(/ +/)) {
      const wordWidth = measure.width(word);
      const candidate = line ? measure.joined(line, lineWidth, ' ', measure.joined(' ', space, word, wordWidth)) : wordWidth;
      if (fits(candidate)) {
        line = line ? `${line} ${word}` : word;
        lineWidth = candidate;
        continue;
      }
      if (line) lines.push(line);
      line = '';
      lineWidth = 0;
      if (!word) continue;
      // The word starts a line of its own; while what is left of it does not fit, the longest
      // prefix that fits (at least one character) becomes a line.
      let start = 0;
      for (;;) {
        let end = start + 1;
        let w = measure.char(word[start]);
        while (end < word.length) {
          const next = w + measure.after(word[end - 1], word[end]);
          if (!fits(next)) break;
          w = next;
          end++;
        }
        if (end === word.length) {
          line = word.slice(start);
          lineWidth = w;
          break;
        }
        lines.push(word.slice(start, end));
        start = end;
      }
    }
    lines.push(line);
  }
  return lines;
}
