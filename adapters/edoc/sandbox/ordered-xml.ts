import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** An XML element with its qualified name, attributes and children in document order. */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
});

type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string> };

function convert(node: OrderedNode): XmlElement | undefined {
  const name = Object.keys(node).find((k) => k !== ':@');
  if (!name || name === '#text' || name.startsWith('?')) return undefined;
  const kids = (node[name] as OrderedNode[]) ?? [];
  const children: XmlElement[] = [];
  let text = '';
  for (const k of kids) {
    if ('#text' in k) text += String(k['#text']);
    else {
      const c = convert(k);
      if (c) children.push(c);
    }
  }
  return { name, attrs: node[':@'] ?? {}, children, text };
}

/**
 * Parses XML keeping prefixes and element order: the sandbox checks the exact shape a real eDoc
 * expects (declared namespaces, which element comes first), which a prefix-stripping parse would hide.
 */
export function parseOrdered(xml: string): XmlElement {
  if (XMLValidator.validate(xml) !== true) throw new Error('not well-formed XML');
  const nodes = parser.parse(xml) as OrderedNode[];
  const root = nodes.map(convert).find((e): e is XmlElement => e !== undefined);
  if (!root) throw new Error('no root element');
  return root;
}

export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name);
}

export function localName(qname: string): string {
  return qname.includes(':') ? qname.slice(qname.indexOf(':') + 1) : qname;
}
