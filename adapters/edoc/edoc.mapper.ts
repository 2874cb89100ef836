import { XMLBuilder, XMLParser } from 'fast-xml-parser';

/**
 * The inner eDoc XML (the text inside `XmlDocument` / `OpResult`): a `<Root>` declaring the Fujitsu
 * eDoc and the OIO FESD namespaces. Element names, namespaces and order follow itk-dev/edoc-api
 * (Edoc.php, XmlHelperTest.php) and rimi-itk/hoeringsportal-sync-files (EdocService.php).
 */
export const EDOC_NS = 'http://www.fujitsu.dk/esdh/xml/schemas/2007/01/05/';
export const FESD_NS = 'http://rep.oio.dk/fesd.dk/xml/schemas/2005/04/20/';

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: false });

const LISTS = new Set(['Root.CaseFilesSearchResult.CaseFileSearchResult', 'Root.Documents.Document']);
// Results are read by local name: eDoc's answers are not guaranteed to use our prefixes.
const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (_name, jpath) => LISTS.has(String(jpath)),
});

function root(children: Record<string, unknown>): string {
  return builder.build({ Root: { '@_xmlns:edoc': EDOC_NS, '@_xmlns:fesd': FESD_NS, ...children } });
}

/** A search criterion as `prefix:LocalName` (e.g. `edoc:SequenceNumber`) and its value. */
export interface Criterion {
  element: string;
  value: string;
}

/** SearchCaseFile: UserIdentifier first, then edoc:CaseFileSearch/edoc:SearchCriterias. */
export function buildSearchCaseFile(userIdentifier: string, criterion: Criterion): string {
  return root({
    'fesd:UserIdentifier': userIdentifier,
    'edoc:CaseFileSearch': { 'edoc:SearchCriterias': { [criterion.element]: criterion.value } },
  });
}

/** SearchDocument: criteria are FESD elements (CaseFileReference, TitleText) under edoc:DocumentSearch. */
export function buildSearchDocument(userIdentifier: string, q: { caseFileIdentifier: string; title: string }): string {
  return root({
    'fesd:UserIdentifier': userIdentifier,
    'edoc:DocumentSearch': {
      'edoc:SearchCriterias': { 'fesd:CaseFileReference': q.caseFileIdentifier, 'fesd:TitleText': q.title },
    },
  });
}

export interface CreateDocumentFields {
  caseFileIdentifier: string;
  title: string;
  documentTypeCode: string;
  date: string; // YYYY-MM-DD
  summary: string;
  statusCode: string;
  archiveFormatCode: string;
  contents: Buffer;
}

/**
 * CreateDocumentAndDocumentVersion. The case id sits directly under Root and the user identifier is
 * the first child of edoc:Document, as in the public examples of this call.
 */
export function buildCreateDocument(userIdentifier: string, f: CreateDocumentFields): string {
  return root({
    'fesd:CaseFileIdentifier': f.caseFileIdentifier,
    'edoc:Document': {
      'fesd:UserIdentifier': userIdentifier,
      'fesd:DocumentTypeReference': f.documentTypeCode,
      'fesd:TitleText': f.title,
      'fesd:DocumentDate': f.date,
      'edoc:Summary': f.summary,
      'fesd:DocumentStatusCode': f.statusCode,
      'edoc:DocumentVersion': {
        'fesd:ArchiveFormatCode': f.archiveFormatCode,
        'fesd:DocumentContents': f.contents.toString('base64'),
      },
    },
  });
}

export class InnerXmlError extends Error {}

type Node = Record<string, unknown>;

/** Parses result XML; the object under Root (or the top level when a server omits Root). */
export function parseInner(xml: string): Node {
  let doc: Node;
  try {
    doc = parser.parse(xml) as Node;
  } catch {
    throw new InnerXmlError('result is not well-formed XML');
  }
  const r = doc.Root;
  if (r && typeof r === 'object') return r as Node;
  if (r === '') return {};
  return doc;
}

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() || undefined;
  if (typeof v === 'number') return String(v);
  return undefined;
}

export interface BusinessError {
  code: string;
  description: string;
}

/** eDoc reports business errors inside the result, not as SOAP faults. */
export function readBusinessError(inner: Node): BusinessError | undefined {
  const code = text(inner.ErrorCode);
  if (!code) return undefined;
  return { code, description: text(inner.ErrorDescriptionText) ?? '' };
}

export interface CaseFileHit {
  caseFileIdentifier: string;
  sequenceNumber?: string;
  title?: string;
}

export function readCaseFiles(inner: Node): CaseFileHit[] {
  const list = (inner.CaseFilesSearchResult as Node | undefined)?.CaseFileSearchResult;
  if (!Array.isArray(list)) return [];
  return list
    .map((n: Node) => ({
      caseFileIdentifier: text(n.CaseFileIdentifier) ?? '',
      sequenceNumber: text(n.SequenceNumber),
      title: text(n.TitleText),
    }))
    .filter((c) => c.caseFileIdentifier !== '');
}

/** The new document's id; answers carry DocumentIdentifier at Root level (or inside a Document element). */
export function readCreatedDocument(inner: Node): string | undefined {
  return text(inner.DocumentIdentifier) ?? text((inner.Document as Node | undefined)?.DocumentIdentifier);
}

export interface DocumentHit {
  documentIdentifier: string;
  title?: string;
}

export function readDocuments(inner: Node): DocumentHit[] {
  const list = (inner.Documents as Node | undefined)?.Document;
  if (!Array.isArray(list)) return [];
  return list
    .map((n: Node) => ({ documentIdentifier: text(n.DocumentIdentifier) ?? '', title: text(n.TitleText) }))
    .filter((d) => d.documentIdentifier !== '');
}
