import iconv from 'iconv-lite';
import { inflateSync } from 'node:zlib';

/** The text drawn on a PDF's pages, one entry per drawn line: inflates the content streams and decodes the WinAnsi hex strings. */
export function drawnText(pdf: Buffer): string[] {
  const raw = pdf.toString('latin1');
  const out: string[] = [];
  const streams = /stream\r?\n([\s\S]*?)\r?\nendstream/g;
  for (let m = streams.exec(raw); m; m = streams.exec(raw)) {
    let content: string;
    try {
      content = inflateSync(Buffer.from(m[1], 'latin1')).toString('latin1');
    } catch {
      continue;
    }
    for (const t of content.matchAll(/<([0-9A-Fa-f]*)> Tj/g)) out.push(iconv.decode(Buffer.from(t[1], 'hex'), 'win1252'));
  }
  return out;
}
