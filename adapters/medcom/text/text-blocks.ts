import { PermanentError } from '../../../src/common/errors';

/**
 * Splits a letter's plain text into at most `maxBlocks` blocks of at most `maxBlockChars` characters
 * (a line break counts as one), each block a list of lines. Blocks end between paragraphs where that
 * still fits, else between lines, else inside a line at a word (the densest packing). A text that
 * needs more blocks even then is refused (TEXT_TOO_LONG) rather than cut: a GP must never receive
 * half a note without knowing it.
 */
export interface BlockLimits {
  maxBlocks: number;
  maxBlockChars: number;
}

type Mode = 'paragraph' | 'line' | 'word';

export function splitIntoBlocks(text: string, limits: BlockLimits): string[][] {
  const lines = text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.trimEnd());
  while (lines.length && !lines[0]) lines.shift();
  while (lines.length && !lines[lines.length - 1]) lines.pop();
  if (!lines.length) throw new PermanentError('the letter text is empty', 'TEXT_EMPTY', 'medcom');

  let blocks: string[][] = [];
  for (const mode of ['paragraph', 'line', 'word'] as const) {
    blocks = pack(lines, limits.maxBlockChars, mode);
    if (blocks.length <= limits.maxBlocks) return blocks;
  }
  throw new PermanentError(
    `the letter text is too long for XDIS91: ${text.length} characters need ${blocks.length} text blocks of at most ` +
      `${limits.maxBlockChars} characters; at most ${limits.maxBlocks} are allowed`,
    'TEXT_TOO_LONG',
    'medcom',
  );
}

function pack(input: string[], max: number, mode: Mode): string[][] {
  const queue = input.flatMap((l) => splitAtWords(l, max));
  const blocks: string[][] = [];
  let current: string[] = [];
  let size = 0;
  const close = () => {
    while (current.length && !current[current.length - 1]) current.pop();
    if (current.length) blocks.push(current);
    current = [];
    size = 0;
  };
  while (queue.length) {
    const line = queue.shift()!;
    if (!current.length && !line) continue; // a block never starts with an empty line
    const cost = (current.length ? 1 : 0) + line.length;
    if (size + cost <= max) {
      current.push(line);
      size += cost;
      continue;
    }
    if (mode === 'paragraph') {
      const cut = lastEmptyLine(current);
      if (cut > 0) {
        queue.unshift(...current.slice(cut + 1), line);
        current = current.slice(0, cut);
        close();
        continue;
      }
    } else if (mode === 'word') {
      const room = max - size - (current.length ? 1 : 0);
      const [head, tail] = splitAt(line, room);
      if (head) {
        current.push(head);
        queue.unshift(tail);
        close();
        continue;
      }
    }
    close();
    queue.unshift(line);
  }
  close();
  return blocks;
}

function lastEmptyLine(lines: string[]): number {
  for (let i = lines.length - 1; i > 0; i--) if (!lines[i]) return i;
  return -1;
}

/** The longest head of `line` ending at a word boundary within `room` characters (or '' if none). */
function splitAt(line: string, room: number): [string, string] {
  if (room <= 0) return ['', line];
  const at = line.lastIndexOf(' ', room);
  if (at <= 0) return ['', line];
  return [line.slice(0, at).trimEnd(), line.slice(at).trimStart()];
}

/** A line longer than a block is cut at words (hard only when one word is longer than a block). */
function splitAtWords(line: string, max: number): string[] {
  const out: string[] = [];
  let rest = line;
  while (rest.length > max) {
    let at = rest.lastIndexOf(' ', max);
    if (at <= 0) at = max;
    out.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  out.push(rest);
  return out;
}
