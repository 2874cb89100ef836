import { XMLBuilder, XMLParser } from 'fast-xml-parser';

/**
 * The inner eDoc XML (the text inside `XmlDocument` / `OpResult`): a `<Root>` declaring the Fujitsu
 * eDoc and the OIO FESD namespaces. Element names, namespaces and order follow itk-dev/edoc-api
 * (Edoc.php, XmlHelperTest.php) and rimi-itk/hoeringsportal-sync-files (EdocService.php).
 */
export const EDOC_NS = 'http://www.fujitsu.dk/esdh/xml/schemas/2007/01/05/';
export const FESD_NS = 'http://rep.oio.dk/fesd.dk/xml/schemas/2005/04/20/';
/** GetItemList requests and answers use the later eDoc schema namespace (itk-dev/edoc-api Edoc.php: NS_EDOCLIST). */
export const EDOC_LIST_NS = 'http://www.fujitsu.dk/esdh/xml/schemas/2007/01/14/';

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
// GetItemList answers: Root/<group list>/<item>, every item a list entry whatever the group's element names.
const itemListParser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (_name, jpath) => /^Root\.[^.]+\.[^.]+$/.test(String(jpath)),
});

function root(children: Record<string, unknown>): string {
  return builder.build({ Root: { '@_xmlns:edoc': EDOC_NS, '@_xmlns:fesd': FESD_NS, ...children } });
}

/** A search criterion as `prefix:LocalName` (e.g. `edoc:SequenceNumber`) and its value. */
export interface Criterion {
  element: string;
  value: string;
}

/**
 * Who acts in a search, and where the element goes. Public code shows `edoc:UserIdentifier` as the
 * first child of `edoc:CaseFileSearch` (itk-dev/edoc-api XmlHelperTest) and as the first child of
 * `Root` (itk-dev/edoc-api Edoc.php buildRequestDocument); `search` / `root` choose between them.
 */
export interface SearchUser {
  value: string;
  ns: 'edoc' | 'fesd';
  position: 'search' | 'root';
}

function search(user: SearchUser, element: string, criteria: Record<string, string>): string {
  const userEl = { [`${user.ns}:UserIdentifier`]: user.value };
  const body = { 'edoc:SearchCriterias': criteria };
  return user.position === 'root' ? root({ ...userEl, [element]: body }) : root({ [element]: { ...userEl, ...body } });
}

/** SearchCaseFile: edoc:CaseFileSearch/edoc:SearchCriterias with edoc criteria (and the UserIdentifier as configured). */
export function buildSearchCaseFile(user: SearchUser, criterion: Criterion): string {
  return search(user, 'edoc:CaseFileSearch', { [criterion.element]: criterion.value });
}

/** SearchDocument: criteria are FESD elements (CaseFileReference + TitleText, or DocumentIdentifier) under edoc:DocumentSearch. */
export function buildSearchDocument(
  user: SearchUser,
  q: { caseFileIdentifier: string; title: string } | { documentIdentifier: string },
): string {
  const criteria: Record<string, string> =
    'documentIdentifier' in q
      ? { 'fesd:DocumentIdentifier': q.documentIdentifier }
      : { 'fesd:CaseFileReference': q.caseFileIdentifier, 'fesd:TitleText': q.title };
  return search(user, 'edoc:DocumentSearch', criteria);
}

/** GetItemList for one object group: UserIdentifier then ObjectGroup, both in the 2007/01/14 namespace. */
export function buildGetItemList(userIdentifier: string, objectGroup: string): string {
  return builder.build({ Root: { '@_xmlns:edoc': EDOC_LIST_NS, 'edoc:UserIdentifier': userIdentifier, 'edoc:ObjectGroup': objectGroup } });
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
  /** fesd:CaseManagerReference (GetItemList CaseWorker id), when the installation wants one. */
  caseManagerReference?: string;
  /** edoc:OrganisationReference (GetItemList Organisation id), when the installation wants one. */
  organisationReference?: string;
}

/**
 * CreateDocumentAndDocumentVersion. The case id sits directly under Root and the user identifier is
 * the first child of edoc:Document, as in the public examples of this call; CaseManagerReference and
 * OrganisationReference go after DocumentDate, in the order of the public example (itk-dev/edoc-api Edoc.php).
 */
export function buildCreateDocument(userIdentifier: string, f: CreateDocumentFields): string {
  return root({
    'fesd:CaseFileIdentifier': f.caseFileIdentifier,
    'edoc:Document': {
      'fesd:UserIdentifier': userIdentifier,
      'fesd:DocumentTypeReference': f.documentTypeCode,
      'fesd:TitleText': f.title,
      'fesd:DocumentDate': f.date,
      ...(f.caseManagerReference ? { 'fesd:CaseManagerReference': f.caseManagerReference } : {}),
      ...(f.organisationReference ? { 'edoc:OrganisationReference': f.organisationReference } : {}),
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
  /** CaseFileStatusCodeName, e.g. "Åben" (rimi-itk/hoeringsportal-sync-files docs/archiver/edoc_case_file.json). */
  status?: string;
  /** Links.OpenCaseFile: eDoc's own link to the case. */
  openLink?: string;
}

function link(n: Node, name: 'OpenCaseFile' | 'OpenDocument'): string | undefined {
  const links = n.Links;
  return links && typeof links === 'object' ? text((links as Node)[name]) : undefined;
}

export function readCaseFiles(inner: Node): CaseFileHit[] {
  const list = (inner.CaseFilesSearchResult as Node | undefined)?.CaseFileSearchResult;
  if (!Array.isArray(list)) return [];
  return list
    .map((n: Node) => ({
      caseFileIdentifier: text(n.CaseFileIdentifier) ?? '',
      sequenceNumber: text(n.SequenceNumber),
      title: text(n.TitleText),
      status: text(n.CaseFileStatusCodeName),
      openLink: link(n, 'OpenCaseFile'),
    }))
    .filter((c) => c.caseFileIdentifier !== '');
}

export interface CreatedDocument {
  documentIdentifier?: string;
  openLink?: string;
}

/** The new document's id (and link, if the answer has one); at Root level or inside a Document element. */
export function readCreatedDocument(inner: Node): CreatedDocument {
  const doc = inner.Document && typeof inner.Document === 'object' ? (inner.Document as Node) : undefined;
  return {
    documentIdentifier: text(inner.DocumentIdentifier) ?? (doc ? text(doc.DocumentIdentifier) : undefined),
    openLink: link(inner, 'OpenDocument') ?? (doc ? link(doc, 'OpenDocument') : undefined),
  };
}

export interface DocumentHit {
  documentIdentifier: string;
  title?: string;
  /** Links.OpenDocument (rimi-itk/hoeringsportal-sync-files templates/…/eDocDocument.html.twig). */
  openLink?: string;
}

export function readDocuments(inner: Node): DocumentHit[] {
  const list = (inner.Documents as Node | undefined)?.Document;
  if (!Array.isArray(list)) return [];
  return list
    .map((n: Node) => ({
      documentIdentifier: text(n.DocumentIdentifier) ?? '',
      title: text(n.TitleText),
      openLink: link(n, 'OpenDocument'),
    }))
    .filter((d) => d.documentIdentifier !== '');
}

/** One GetItemList entry: its fields by local name (e.g. DocumentTypeId, DocumentTypeName). */
export type ListItem = Record<string, string>;

/** Parses a GetItemList result: every element two levels under Root is an item; its text children are its fields. */
export function readItemList(xml: string): ListItem[] {
  let doc: Node;
  try {
    doc = itemListParser.parse(xml) as Node;
  } catch {
    throw new InnerXmlError('result is not well-formed XML');
  }
  const r = doc.Root;
  if (!r || typeof r !== 'object') return [];
  const items: ListItem[] = [];
  for (const group of Object.values(r as Node)) {
    if (!group || typeof group !== 'object') continue;
    for (const list of Object.values(group as Node)) {
      if (!Array.isArray(list)) continue;
      for (const item of list) {
        if (!item || typeof item !== 'object') continue;
        const fields: ListItem = {};
        for (const [k, v] of Object.entries(item as Node)) {
          const t = text(v);
          if (t !== undefined) fields[k] = t;
        }
        items.push(fields);
      }
    }
  }
  return items;
}
