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
  '\u2265': '>=', '\u2264': '<=', '\u2192': '->', '\u2190': '<-', '\u2212': '-', '\u2010': '-', '\u2011': '-',
  '\u2713': 'v', '\u2714': 'v', '\u2715': 'x', '\u2717': 'x', '\u00D7': 'x', '\u2248': '~', '\u2260': '!=',
  '\u201E': '"', '\u2032': "'", '\u2033': '"', '\u2009': ' ', '\u202F': ' ', '\u200B': '',
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
    for (const ch of String(text ?? '').normalize('NFC').replace(/\t/g, '    ')) {
      const cp = ch.codePointAt(0)!;
      if (ch === '\n') out += ch;
      else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) continue; // control characters
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
      page.drawText(pageNo, { x: A4[0] - MARGIN - this.regular.widthOfTextAtSize(pageNo, 8), y: MARGIN - 18, size: 8, font: this.regular, color: MUTED });
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

  /** Greedy word wrap; words wider than the line are broken by character. */
  private wrap(text: string, font: PDFFont, size: number, width: number): string[] {
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
        line = '';
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
}
