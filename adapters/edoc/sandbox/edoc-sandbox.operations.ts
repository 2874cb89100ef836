import { XMLBuilder } from 'fast-xml-parser';
import { CodeListName, EdocCodeLists, OBJECT_GROUPS } from '../edoc.code-lists';
import { EDOC_LIST_NS, EDOC_NS, FESD_NS } from '../edoc.mapper';
import type { EdocSandboxStore } from './edoc-sandbox.store';
import { child, localName, parseOrdered, XmlElement } from './ordered-xml';

/**
 * What the simulated eDoc does with each operation's inner XML. It is strict about the request's
 * shape (declared namespaces, prefixes, UserIdentifier first, known codes) so that the client cannot
 * drift from what a real eDoc accepts, and answers in the shapes public eDoc clients read.
 * Error codes are the sandbox's own: real eDoc codes are not public.
 */
const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: false });

function root(children: Record<string, unknown>): string {
  return builder.build({ Root: { '@_xmlns:edoc': EDOC_NS, '@_xmlns:fesd': FESD_NS, ...children } });
}

export class BusinessFailure extends Error {
  constructor(
    readonly code: string,
    readonly description: string,
  ) {
    super(description);
  }
}

export function businessErrorXml(code: string, description: string): string {
  return root({ ErrorCode: code, ErrorDescriptionText: description });
}

const fail = (code: string, description: string) => new BusinessFailure(code, description);

function checkRoot(xml: string | undefined, edocNs = EDOC_NS): XmlElement {
  if (!xml) throw fail('InvalidRequest', 'XmlDocument is empty');
  let el: XmlElement;
  try {
    el = parseOrdered(xml);
  } catch {
    throw fail('InvalidRequest', 'XmlDocument is not well-formed XML');
  }
  if (el.name !== 'Root') throw fail('InvalidRequest', 'the document element must be Root');
  if (el.attrs['xmlns:edoc'] !== edocNs) throw fail('InvalidRequest', 'Root must declare xmlns:edoc');
  if (edocNs === EDOC_NS && el.attrs['xmlns:fesd'] !== FESD_NS) throw fail('InvalidRequest', 'Root must declare xmlns:fesd');
  const undeclared = (e: XmlElement): boolean => e.children.some((c) => !/^(edoc|fesd):/.test(c.name) || undeclared(c));
  if (undeclared(el)) throw fail('InvalidRequest', 'every element must be in the edoc or fesd namespace');
  return el;
}

/** eDoc wants to know who acts: the user identifier must be the first child of the request element. */
function requireUserFirst(el: XmlElement | undefined, where: string): void {
  const first = el?.children[0];
  if (!first || localName(first.name) !== 'UserIdentifier' || !first.text) {
    throw fail('InvalidRequest', `UserIdentifier must be the first element of ${where}`);
  }
}

/** Searches: the UserIdentifier exactly where the configured client puts it (EDOC_SEARCH_USER_ID_NS / _POSITION). */
function requireSearchUser(root: XmlElement, search: string, user: SearchUserShape): void {
  const name = `${user.ns}:UserIdentifier`;
  const where = user.position === 'root' ? root : child(root, `edoc:${search}`);
  const first = where?.children[0];
  if (!first || first.name !== name || !first.text) {
    throw fail('InvalidRequest', `${name} must be the first element of ${user.position === 'root' ? 'Root' : `edoc:${search}`}`);
  }
}

function criteriaOf(el: XmlElement, search: string): Map<string, string> {
  const crit = child(child(el, `edoc:${search}`), 'edoc:SearchCriterias');
  if (!crit || crit.children.length === 0) throw fail('InvalidRequest', `${search}/SearchCriterias is missing or empty`);
  return new Map(crit.children.map((c) => [c.name, c.text]));
}

export interface SearchUserShape {
  ns: 'edoc' | 'fesd';
  position: 'search' | 'root';
}

export interface OperationContext {
  store: EdocSandboxStore;
  codes: EdocCodeLists;
  /** The criterion that carries a party's CPR, as `prefix:Name`. */
  cprField: string;
  /** Where searches carry the UserIdentifier. */
  searchUser: SearchUserShape;
  /** Base of the Links the sandbox hands out (its own origin). */
  baseUrl: string;
}

export function searchCaseFile(xml: string | undefined, ctx: OperationContext): string {
  const el = checkRoot(xml);
  requireSearchUser(el, 'CaseFileSearch', ctx.searchUser);
  const crit = criteriaOf(el, 'CaseFileSearch');
  const known = new Set(['edoc:CaseFileIdentifier', 'edoc:SequenceNumber', 'edoc:TitleText', ctx.cprField]);
  const unknown = [...crit.keys()].find((k) => !known.has(k));
  if (unknown) throw fail('InvalidCriterion', `unsupported search criterion ${unknown}`);
  const hits = ctx.store.findCases({
    caseFileIdentifier: crit.get('edoc:CaseFileIdentifier'),
    sequenceNumber: crit.get('edoc:SequenceNumber'),
    title: crit.get('edoc:TitleText'),
    cpr: crit.get(ctx.cprField)?.replace('-', ''),
  });
  return root({
    'edoc:CaseFilesSearchResult': {
      'edoc:CaseFileSearchResult': hits.map((c) => ({
        'fesd:CaseFileIdentifier': c.caseFileIdentifier,
        'edoc:SequenceNumber': c.sequenceNumber,
        'fesd:TitleText': c.title,
        'edoc:CaseFileStatusCodeName': c.status,
        'edoc:Links': {
          'edoc:OpenCaseFile': `${ctx.baseUrl}/locator.aspx?name=DMS.Case.Details&module=Case&recno=${c.caseFileIdentifier}`,
        },
      })),
    },
  });
}

export function searchDocument(xml: string | undefined, ctx: OperationContext): string {
  const el = checkRoot(xml);
  requireSearchUser(el, 'DocumentSearch', ctx.searchUser);
  const crit = criteriaOf(el, 'DocumentSearch');
  const known = new Set(['fesd:CaseFileReference', 'fesd:TitleText', 'fesd:DocumentIdentifier']);
  const unknown = [...crit.keys()].find((k) => !known.has(k));
  if (unknown) throw fail('InvalidCriterion', `unsupported search criterion ${unknown}`);
  const hits = ctx.store.findDocuments({
    caseFileIdentifier: crit.get('fesd:CaseFileReference'),
    title: crit.get('fesd:TitleText'),
    documentIdentifier: crit.get('fesd:DocumentIdentifier'),
  });
  return root({
    'edoc:Documents': {
      'edoc:Document': hits.map((d) => ({
        'fesd:DocumentIdentifier': d.documentIdentifier,
        'fesd:TitleText': d.title,
        'fesd:CaseFileReference': d.caseFileIdentifier,
        'fesd:DocumentDate': d.date,
        'edoc:Links': {
          'edoc:OpenDocument': `${ctx.baseUrl}/locator.aspx?name=DMS.Document.Details&module=Document&id=${d.documentIdentifier}`,
        },
      })),
    },
  });
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Validates and stores the document; the caller decides whether the answer is ever sent. */
export function createDocument(xml: string | undefined, ctx: OperationContext): { resultXml: string; documentIdentifier: string } {
  const el = checkRoot(xml);
  const caseId = child(el, 'fesd:CaseFileIdentifier')?.text;
  const doc = child(el, 'edoc:Document');
  if (!caseId || !doc) throw fail('InvalidRequest', 'fesd:CaseFileIdentifier and edoc:Document are required');
  requireUserFirst(doc, 'edoc:Document');
  const field = (name: string) => child(doc, name)?.text ?? '';
  const version = child(doc, 'edoc:DocumentVersion');
  const title = field('fesd:TitleText');
  const typeCode = field('fesd:DocumentTypeReference');
  const statusCode = field('fesd:DocumentStatusCode');
  const date = field('fesd:DocumentDate');
  const formatCode = child(version, 'fesd:ArchiveFormatCode')?.text ?? '';
  const contents = (child(version, 'fesd:DocumentContents')?.text ?? '').replace(/\s+/g, '');
  const kase = ctx.store.findCases({ caseFileIdentifier: caseId })[0];
  if (!kase) throw fail('CaseFileNotFound', 'the case file does not exist');
  if (kase.status !== 'Åben') throw fail('CaseFileClosed', 'documents cannot be added to a case that is not open');
  for (const ref of ['fesd:CaseManagerReference', 'edoc:OrganisationReference']) {
    const v = child(doc, ref);
    if (v && !/^[A-Za-z0-9_.\\-]{1,64}$/.test(v.text)) throw fail('InvalidRequest', `${ref} must be an eDoc id`);
  }
  if (!title) throw fail('InvalidRequest', 'TitleText is required');
  if (!ctx.codes.codes('documentTypes').has(typeCode)) throw fail('InvalidCode', 'unknown DocumentTypeReference');
  if (!ctx.codes.codes('documentStatuses').has(statusCode)) throw fail('InvalidCode', 'unknown DocumentStatusCode');
  if (!ctx.codes.codes('archiveFormats').has(formatCode)) throw fail('InvalidCode', 'unknown ArchiveFormatCode');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw fail('InvalidRequest', 'DocumentDate must be YYYY-MM-DD');
  if (!contents || !BASE64.test(contents)) throw fail('InvalidRequest', 'DocumentContents must be base64');
  const stored = ctx.store.addDocument({
    caseFileIdentifier: caseId,
    title,
    documentTypeCode: typeCode,
    statusCode,
    archiveFormatCode: formatCode,
    date,
    content: Buffer.from(contents, 'base64'),
  });
  return { resultXml: root({ 'fesd:DocumentIdentifier': stored.documentIdentifier }), documentIdentifier: stored.documentIdentifier };
}

/**
 * GetItemList: the configured code lists as eDoc would list them (Root/<Group>s/<Group>{<Group>Id,
 * <Group>Name}; archive formats as <Group>Code + FileExtension), in the 2007/01/14 namespace. Other
 * object groups answer an empty list.
 */
export function getItemList(xml: string | undefined, ctx: OperationContext): string {
  const el = checkRoot(xml, EDOC_LIST_NS);
  requireUserFirst(el, 'Root');
  const group = child(el, 'edoc:ObjectGroup')?.text;
  if (!group) throw fail('InvalidRequest', 'edoc:ObjectGroup is required');
  const list = (Object.entries(OBJECT_GROUPS) as Array<[CodeListName, string]>).find(([, g]) => g === group)?.[0];
  const entries = list ? ctx.codes.entries(list) : [];
  const item = ({ name, code }: { name: string; code: string }) =>
    list === 'archiveFormats'
      ? {
          [`edoc:${group}Code`]: code,
          [`edoc:${group}FileExtension`]: name,
          [`edoc:${group}Mimetype`]: name.toLowerCase() === 'pdf' ? 'application/pdf' : '',
        }
      : { [`edoc:${group}Id`]: code, [`edoc:${group}Name`]: name };
  return builder.build({ Root: { '@_xmlns:edoc': EDOC_LIST_NS, [`edoc:${group}s`]: { [`edoc:${group}`]: entries.map(item) } } });
}

/** GetSystemInfo: no parameters; a small fixed description of the simulated system. */
export function getSystemInfo(): string {
  return root({ 'edoc:SystemName': 'tsm-bridge eDoc sandbox', 'edoc:Version': 'sandbox' });
}
