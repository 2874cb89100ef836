import { XMLParser, XMLValidator } from 'fast-xml-parser';
import iconv from 'iconv-lite';
import { PermanentError } from '../../../src/common/errors';

/**
 * Reading XML that arrives from outside (VANS in-folder) without trusting it:
 * - size is capped before anything is decoded;
 * - the byte encoding is taken from a BOM or the XML declaration; only UTF-8/16, ISO-8859-1,
 *   windows-1252 and US-ASCII are accepted, and bytes that do not fit the declared encoding are refused;
 * - DOCTYPE and entity declarations are refused outright, so no entity is ever expanded and nothing
 *   external is fetched; only the five predefined entities and character references are decoded;
 * - the document must be well-formed with exactly one root (truncated files fail here).
 * Every refusal is a PermanentError with a RECEIPT_* code and a message without document content.
 */
export const MAX_INBOUND_BYTES = 5 * 1024 * 1024;

export interface XmlElement {
  /** Local name, without prefix. */
  name: string;
  /** Namespace URI ('' when none). */
  ns: string;
  attrs: Record<string, string>;
  /** Child elements and text, in document order. */
  nodes: Array<XmlElement | string>;
}

export function refuse(code: string, message: string): PermanentError {
  return new PermanentError(message, code, 'medcom');
}

const SUPPORTED: Record<string, string> = {
  'utf-8': 'utf8',
  utf8: 'utf8',
  'iso-8859-1': 'latin1',
  'iso8859-1': 'latin1',
  latin1: 'latin1',
  l1: 'latin1',
  'iso_8859-1': 'latin1',
  'windows-1252': 'win1252',
  cp1252: 'win1252',
  'us-ascii': 'ascii',
  ascii: 'ascii',
  'utf-16': 'utf16',
  'utf-16le': 'utf16le',
  'utf-16be': 'utf16be',
};

/** Bytes → text by BOM or declared encoding (UTF-8 when none is declared, as XML prescribes). */
export function decodeXmlBytes(bytes: Buffer): string {
  if (bytes.length > MAX_INBOUND_BYTES)
    throw refuse('RECEIPT_TOO_LARGE', `file is ${bytes.length} bytes; at most ${MAX_INBOUND_BYTES} are read`);
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return iconv.decode(bytes.subarray(2), 'utf16le');
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return iconv.decode(bytes.subarray(2), 'utf16be');
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const body = bom ? bytes.subarray(3) : bytes;
  if (body.includes(0)) throw refuse('RECEIPT_ENCODING', 'file contains NUL bytes: UTF-16 without a byte order mark, or binary data');
  const declared = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/
    .exec(body.subarray(0, 200).toString('latin1'))?.[1]
    .toLowerCase();
  const encoding = bom ? 'utf8' : declared ? SUPPORTED[declared] : 'utf8';
  if (!encoding) throw refuse('RECEIPT_ENCODING', `unsupported encoding "${declared}"`);
  if (encoding === 'utf8' || encoding === 'ascii') {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(body);
    } catch {
      throw refuse('RECEIPT_ENCODING', `bytes are not valid ${declared ? declared.toUpperCase() : 'UTF-8 (no encoding declared)'}`);
    }
  }
  if (encoding.startsWith('utf16')) throw refuse('RECEIPT_ENCODING', `${declared} declared but no byte order mark`);
  return iconv.decode(body, encoding);
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  processEntities: false, // decoded below, only the predefined ones
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: '#cdata',
});

/** Text → element tree, refusing DTDs, malformed or truncated documents and undeclared prefixes. */
export function parseXmlText(text: string): XmlElement {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw refuse('RECEIPT_DTD', 'DOCTYPE and entity declarations are not accepted');
  let wellFormed: true | { err: { msg: string; line: number } };
  let raw: unknown[];
  try {
    wellFormed = XMLValidator.validate(text);
    raw = wellFormed === true ? (parser.parse(text) as unknown[]) : [];
  } catch (err) {
    throw refuse('RECEIPT_MALFORMED', `not well-formed XML: ${String((err as Error)?.message ?? err).slice(0, 120)}`);
  }
  if (wellFormed !== true)
    throw refuse(
      'RECEIPT_MALFORMED',
      `not well-formed XML (line ${wellFormed.err.line}): ${wellFormed.err.msg.replace(/'[^']*'/g, "'…'").slice(0, 160)}`,
    );
  const roots = raw.filter((n) => !isTextNode(n) && !('#comment' in (n as object)));
  if (roots.length !== 1) throw refuse('RECEIPT_MALFORMED', `expected one root element, found ${roots.length}`);
  if (raw.some((n) => isTextNode(n) && String((n as Record<string, unknown>)['#text']).trim())) {
    throw refuse('RECEIPT_MALFORMED', 'text outside the root element');
  }
  return toElement(roots[0] as RawNode, new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]), 0);
}

/** Bytes → element tree (decode + parse). */
export function parseXmlBytes(bytes: Buffer): XmlElement {
  return parseXmlText(decodeXmlBytes(bytes));
}

type RawNode = Record<string, unknown> & { ':@'?: Record<string, string> };

function isTextNode(n: unknown): boolean {
  return typeof n === 'object' && n !== null && ('#text' in n || '#cdata' in n);
}

const MAX_DEPTH = 200;

function toElement(node: RawNode, scope: Map<string, string>, depth: number): XmlElement {
  if (depth > MAX_DEPTH) throw refuse('RECEIPT_MALFORMED', `elements nested deeper than ${MAX_DEPTH}`);
  const qname = Object.keys(node).find((k) => k !== ':@')!;
  const rawAttrs = node[':@'] ?? {};
  let inner = scope;
  const attrs: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(rawAttrs)) {
    if (k === 'xmlns' || k.startsWith('xmlns:')) {
      if (inner === scope) inner = new Map(scope);
      inner.set(k === 'xmlns' ? '' : k.slice(6), decodeEntities(String(v)));
    }
  }
  for (const [k, v] of Object.entries(rawAttrs)) {
    if (k === 'xmlns' || k.startsWith('xmlns:')) continue;
    attrs[localName(k)] = decodeEntities(String(v));
  }
  const prefix = qname.includes(':') ? qname.slice(0, qname.indexOf(':')) : '';
  const ns = inner.get(prefix);
  if (prefix && ns === undefined) throw refuse('RECEIPT_MALFORMED', `undeclared namespace prefix "${prefix}"`);
  const nodes: XmlElement['nodes'] = [];
  for (const child of (node[qname] as RawNode[]) ?? []) {
    if ('#text' in child) nodes.push(decodeEntities(String(child['#text'])));
    else if ('#cdata' in child) nodes.push(((child['#cdata'] as RawNode[]) ?? []).map((c) => String(c['#text'] ?? '')).join(''));
    else if (!('#comment' in child)) nodes.push(toElement(child, inner, depth + 1));
  }
  return { name: localName(qname), ns: ns ?? '', attrs, nodes };
}

function localName(q: string): string {
  const i = q.indexOf(':');
  return i < 0 ? q : q.slice(i + 1);
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** The five predefined entities and character references; anything else is not XML we accept. */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&([^;&\s]{0,12});|&/g, (m, ref: string | undefined) => {
    if (ref === undefined) throw refuse('RECEIPT_MALFORMED', 'bare "&" in text');
    if (ref in PREDEFINED) return PREDEFINED[ref];
    const code = /^#x([0-9a-fA-F]{1,6})$/.exec(ref)?.[1] ?? /^#(\d{1,7})$/.exec(ref)?.[1];
    if (code) {
      const cp = ref.startsWith('#x') ? parseInt(code, 16) : parseInt(code, 10);
      if (cp <= 0x10ffff && (cp === 0x9 || cp === 0xa || cp === 0xd || cp >= 0x20)) return String.fromCodePoint(cp);
    }
    throw refuse('RECEIPT_MALFORMED', 'unknown entity or invalid character reference');
  });
}

// ---- navigation helpers for readers of the tree ----

export function childElements(el: XmlElement, name?: string): XmlElement[] {
  return el.nodes.filter((n): n is XmlElement => typeof n !== 'string' && (name === undefined || n.name === name));
}

export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el ? childElements(el, name)[0] : undefined;
}

/** Direct text of an element (child elements such as <Break/> become a space), trimmed. */
export function textOf(el: XmlElement | undefined): string {
  if (!el) return '';
  return el.nodes
    .map((n) => (typeof n === 'string' ? n : ` ${textOf(n)} `))
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
}
