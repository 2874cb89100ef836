import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { FHIR_NS } from './medcom-fhir.constants';

/**
 * FHIR JSON → FHIR XML by the rules of the FHIR XML format: primitives become value attributes,
 * arrays repeat the element, resources nest in their type's element, extension urls and element ids
 * are attributes, and narrative XHTML is embedded as markup. Element order is the JSON key order,
 * so the JSON must be built in the order the FHIR resource definitions give.
 */
export type FhirJson = string | number | boolean | FhirJson[] | { [key: string]: FhirJson };
export type FhirResource = { resourceType: string; [key: string]: FhirJson };

type Node = Record<string, unknown>;

// Values are escaped here (attribute values keep line breaks as &#xA;), so the builder must not re-escape.
const builder = new XMLBuilder({
  preserveOrder: true,
  ignoreAttributes: false,
  suppressEmptyNode: true,
  format: true,
  indentBy: '  ',
  processEntities: false,
});
const xhtmlParser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  processEntities: false,
  trimValues: false,
  htmlEntities: false,
});

export function fhirJsonToXml(resource: FhirResource): string {
  const root = resourceNode(resource);
  (root[':@'] as Record<string, string>)['@_xmlns'] = FHIR_NS;
  const decl = { '?xml': [{ '#text': '' }], ':@': { '@_version': '1.0', '@_encoding': 'UTF-8' } };
  return (builder.build([decl, root]) as string).trim() + '\n';
}

function resourceNode(resource: { [key: string]: FhirJson }): Node {
  const type = String(resource.resourceType);
  return { [type]: members(resource), ':@': {} };
}

function members(obj: { [key: string]: FhirJson }): Node[] {
  const out: Node[] = [];
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'resourceType' || key.startsWith('_')) continue;
    for (const item of Array.isArray(value) ? value : [value]) out.push(elementNode(key, item));
  }
  return out;
}

function elementNode(name: string, value: FhirJson): Node {
  if (name === 'div' && typeof value === 'string') return xhtmlParser.parse(value)[0] as Node;
  if (typeof value !== 'object' || value === null) return { [name]: [], ':@': { '@_value': escapeAttr(String(value)) } };
  const obj = value as { [key: string]: FhirJson };
  if (name === 'resource' || name === 'contained') return { [name]: [resourceNode(obj)] };
  const attrs: Record<string, string> = {};
  const rest: { [key: string]: FhirJson } = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'id' && typeof v === 'string') attrs['@_id'] = escapeAttr(v);
    else if (k === 'url' && (name === 'extension' || name === 'modifierExtension') && typeof v === 'string') attrs['@_url'] = escapeAttr(v);
    else rest[k] = v;
  }
  return { [name]: members(rest), ':@': attrs };
}

/** Attribute-safe text: markup characters escaped and line breaks kept as character references. */
export function escapeAttr(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '&#xA;')
    .replace(/\r/g, '&#xD;')
    .replace(/\t/g, '&#x9;');
}

export function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
