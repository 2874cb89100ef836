import type { AxiosResponse } from 'axios';
import { PermanentError, RetryableError } from '../../src/common/errors';
import type { AppConfig } from '../../src/config/config.schema';
import { ResilientHttp } from '../shared/resilient-http';
import { createEdocTransport, EdocTransport } from './edoc.auth';
import { EdocCodeLists } from './edoc.code-lists';
import { buildRequestEnvelope, EdocOperation, EnvelopeError, readFault, readResult, soapAction } from './edoc.envelope';
import {
  BusinessError,
  buildCreateDocument,
  buildGetItemList,
  buildSearchCaseFile,
  buildSearchDocument,
  Criterion,
  InnerXmlError,
  ListItem,
  parseInner,
  readBusinessError,
  readCaseFiles,
  readCreatedDocument,
  readDocuments,
  readItemList,
  SearchUser,
} from './edoc.mapper';
import type { CaseQuery, EdocCase, EdocPort, FiledDocument, JournalDocumentInput } from './edoc.port';

const SYSTEM = 'edoc';
/** Business errors worth another attempt; everything else in a result is permanent (bad input, rights, state). */
const TRANSIENT_BUSINESS = /time-?out|deadlock|busy|unavailable|try again|temporar|midlertidig|prøv igen|optaget/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function normaliseStatus(s: string): string {
  return s.normalize('NFC').trim().toLocaleLowerCase('da-DK');
}

export interface EdocClientOptions {
  /** Overrides the transport built from config (tests). */
  transport?: EdocTransport;
}

/**
 * The eDoc port over SOAP 1.1 to edoc.asmx. Transport failures, timeouts and SOAP faults are classified
 * by ResilientHttp (breaker 'edoc'); business errors inside a 200 result are classified here. Error
 * messages carry operation names and eDoc error codes only: eDoc's description texts can echo input.
 */
export class EdocClient implements EdocPort {
  private readonly http?: ResilientHttp;
  private readonly url?: string;
  private readonly requestDefaults: EdocTransport['requestDefaults'] = {};
  private readonly closeTransport?: () => void;
  private readonly cprField: string;
  private readonly userIdentifier: string;
  private readonly searchUser: SearchUser;
  private readonly statusName: string;
  private readonly openStatuses: Set<string>;
  private readonly references: { caseManagerReference?: string; organisationReference?: string };
  private readonly openLinkLookup: boolean;

  constructor(
    config: AppConfig,
    private readonly codes: EdocCodeLists,
    opts: EdocClientOptions = {},
  ) {
    this.cprField = config.EDOC_CPR_SEARCH_FIELD;
    this.userIdentifier = config.EDOC_USER_IDENTIFIER;
    this.searchUser = {
      value: config.EDOC_USER_IDENTIFIER,
      ns: config.EDOC_SEARCH_USER_ID_NS,
      position: config.EDOC_SEARCH_USER_ID_POSITION,
    };
    this.statusName = config.EDOC_DOCUMENT_STATUS;
    this.openStatuses = new Set(config.EDOC_OPEN_CASE_STATUSES.map(normaliseStatus));
    this.references = {
      caseManagerReference: config.EDOC_CASE_MANAGER_REFERENCE,
      organisationReference: config.EDOC_ORGANISATION_REFERENCE,
    };
    this.openLinkLookup = config.EDOC_OPEN_LINK_LOOKUP;
    if (!config.EDOC_URL) return; // no endpoint: every call fails with EDOC_NOT_CONFIGURED
    const transport =
      opts.transport ??
      createEdocTransport({
        mode: config.EDOC_AUTH,
        user: config.EDOC_USER ?? '',
        password: config.EDOC_PASSWORD ?? '',
        domain: config.EDOC_DOMAIN,
      });
    this.url = config.EDOC_URL;
    this.requestDefaults = transport.requestDefaults;
    this.closeTransport = transport.close;
    this.http = new ResilientHttp({
      system: SYSTEM,
      timeoutMs: config.EDOC_TIMEOUT_MS,
      concurrency: Math.min(config.EDOC_CONCURRENCY, transport.maxConcurrency ?? Infinity),
      breaker: { resetTimeout: config.EDOC_BREAKER_RESET_MS },
      axios: transport.axios,
      describeBody: (body) => readFault(body)?.faultcode,
      responseError: (res) => this.faultError(res),
    });
  }

  get configured(): boolean {
    return this.http !== undefined;
  }

  async findCase(q: CaseQuery): Promise<EdocCase | null> {
    const criterion: Criterion =
      'sequenceNumber' in q
        ? { element: 'edoc:SequenceNumber', value: q.sequenceNumber }
        : 'caseFileIdentifier' in q
          ? { element: 'edoc:CaseFileIdentifier', value: q.caseFileIdentifier }
          : { element: this.cprField, value: q.cpr.replace('-', '') };
    if (!criterion.value.trim())
      throw new PermanentError('eDoc case search needs a sequence number, case id or CPR', 'EDOC_BAD_INPUT', SYSTEM);
    const { inner } = await this.call('SearchCaseFile', buildSearchCaseFile(this.searchUser, criterion));
    let hits = readCaseFiles(inner);
    if ('sequenceNumber' in q && hits.length > 1) hits = hits.filter((h) => h.sequenceNumber === q.sequenceNumber);
    if ('caseFileIdentifier' in q && hits.length > 1) hits = hits.filter((h) => h.caseFileIdentifier === q.caseFileIdentifier);
    if (hits.length === 0) return null;
    if (hits.length > 1) {
      // A citizen with several open cases: filing on a guessed one would be wrong; a person must choose.
      throw new PermanentError(`eDoc SearchCaseFile found ${hits.length} cases; expected one`, 'EDOC_CASE_AMBIGUOUS', SYSTEM);
    }
    const hit = hits[0];
    const out: EdocCase = {
      caseFileIdentifier: hit.caseFileIdentifier,
      sequenceNumber: hit.sequenceNumber ?? ('sequenceNumber' in q ? q.sequenceNumber : ''),
    };
    if (hit.status !== undefined) {
      out.status = hit.status;
      out.open = this.openStatuses.has(normaliseStatus(hit.status));
    }
    return out;
  }

  async journalDocument(d: JournalDocumentInput): Promise<FiledDocument> {
    if (!d.caseRef || !d.title.trim() || !DATE.test(d.date) || !Buffer.isBuffer(d.pdf) || d.pdf.length === 0) {
      throw new PermanentError('eDoc document needs a case, a title, a YYYY-MM-DD date and content', 'EDOC_BAD_INPUT', SYSTEM);
    }
    const inner = buildCreateDocument(this.userIdentifier, {
      caseFileIdentifier: d.caseRef,
      title: d.title,
      documentTypeCode: this.codes.documentType(d.documentType),
      date: d.date,
      summary: `Journaliseret af tsm-bridge (${d.sourceId})`,
      statusCode: this.codes.documentStatus(this.statusName),
      archiveFormatCode: this.codes.archiveFormat('PDF'),
      contents: d.pdf,
      ...this.references,
    });
    const { inner: result } = await this.call('CreateDocumentAndDocumentVersion', inner);
    const created = readCreatedDocument(result);
    if (!created.documentIdentifier) {
      // The call may have created a document we cannot name: retryable, and callers reconcile first.
      throw new RetryableError(
        'eDoc CreateDocumentAndDocumentVersion answered without a DocumentIdentifier',
        'EDOC_NO_DOCUMENT_ID',
        SYSTEM,
      );
    }
    const openLink = created.openLink ?? (this.openLinkLookup ? await this.openLinkOf(created.documentIdentifier) : undefined);
    return { documentIdentifier: created.documentIdentifier, ...(openLink ? { openLink } : {}) };
  }

  async findDocument(q: { caseRef: string; title: string }): Promise<FiledDocument | null> {
    const { inner } = await this.call(
      'SearchDocument',
      buildSearchDocument(this.searchUser, { caseFileIdentifier: q.caseRef, title: q.title }),
    );
    // eDoc's title search may match on parts of the title: only an exact title is ours.
    const exact = readDocuments(inner).filter((d) => d.title === undefined || d.title === q.title);
    if (!exact.length) return null;
    return { documentIdentifier: exact[0].documentIdentifier, ...(exact[0].openLink ? { openLink: exact[0].openLink } : {}) };
  }

  /**
   * The create answer carries little more than the id (public clients search for the new document
   * afterwards: itk-dev/edoc-api Edoc.php createDocumentAndDocumentVersion). One SearchDocument by id,
   * best effort: the document is filed either way, so a failure here only leaves the link out.
   */
  private async openLinkOf(documentIdentifier: string): Promise<string | undefined> {
    try {
      const { inner } = await this.call('SearchDocument', buildSearchDocument(this.searchUser, { documentIdentifier }));
      return readDocuments(inner).find((d) => d.documentIdentifier === documentIdentifier)?.openLink;
    } catch {
      return undefined;
    }
  }

  /** GetItemList for one object group: its entries with their fields (codes and names; no personal data). */
  async itemList(objectGroup: string): Promise<ListItem[]> {
    const { xml } = await this.call('GetItemList', buildGetItemList(this.userIdentifier, objectGroup));
    try {
      return readItemList(xml);
    } catch (err) {
      if (err instanceof InnerXmlError)
        throw new RetryableError(`eDoc GetItemList answer unreadable: ${err.message}`, 'EDOC_BAD_RESPONSE', SYSTEM);
      throw err;
    }
  }

  /** GetSystemInfo: the cheapest call eDoc has (no parameters); resolves when eDoc answers it. */
  async systemInfo(): Promise<void> {
    await this.call('GetSystemInfo', undefined, { resultOptional: true });
  }

  shutdown(): void {
    this.http?.shutdown();
    this.closeTransport?.();
  }

  onModuleDestroy(): void {
    this.shutdown();
  }

  /** Sends one operation; returns the parsed inner result and its text, or throws a classified error. */
  private async call(
    op: EdocOperation,
    innerXml: string | undefined,
    opts: { resultOptional?: boolean } = {},
  ): Promise<{ inner: Record<string, unknown>; xml: string }> {
    if (!this.http || !this.url) throw new PermanentError('eDoc is not configured (EDOC_URL)', 'EDOC_NOT_CONFIGURED', SYSTEM);
    const res = await this.http.request<string>({
      ...this.requestDefaults,
      method: 'POST',
      url: this.url,
      data: buildRequestEnvelope(op, innerXml),
      headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: soapAction(op) },
      responseType: 'text',
      transformResponse: (body: unknown) => body,
    });
    let resultXml: string | undefined;
    let inner: Record<string, unknown>;
    try {
      resultXml = readResult(op, String(res.data ?? ''));
      if (resultXml === undefined) {
        if (opts.resultOptional) return { inner: {}, xml: '' };
        throw new RetryableError(`eDoc ${op} answered without ${op}Result`, 'EDOC_NO_RESULT', SYSTEM);
      }
      inner = resultXml.trimStart().startsWith('<') || !opts.resultOptional ? parseInner(resultXml) : {};
    } catch (err) {
      if (err instanceof EnvelopeError || err instanceof InnerXmlError) {
        throw new RetryableError(`eDoc ${op} answer unreadable: ${err.message}`, 'EDOC_BAD_RESPONSE', SYSTEM);
      }
      throw err;
    }
    const business = readBusinessError(inner);
    if (business) throw this.businessError(op, business);
    return { inner, xml: resultXml };
  }

  private businessError(op: EdocOperation, e: BusinessError): PermanentError | RetryableError {
    const code = e.code.replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 32) || 'UNKNOWN';
    const msg = `eDoc ${op} refused: ErrorCode ${code}`;
    return TRANSIENT_BUSINESS.test(e.description)
      ? new RetryableError(msg, `EDOC_ERROR_${code}`, SYSTEM)
      : new PermanentError(msg, `EDOC_ERROR_${code}`, SYSTEM);
  }

  /** A SOAP fault: soap:Client means our request is wrong (permanent); anything else may pass. */
  private faultError(res: AxiosResponse): PermanentError | RetryableError | undefined {
    const fault = readFault(res.data);
    if (!fault) return undefined;
    const kind = fault.faultcode.split(':').pop() ?? '';
    const msg = `eDoc answered ${res.status} with SOAP fault ${kind || 'unknown'}`;
    return /^Client/.test(kind) || (res.status >= 400 && res.status < 500)
      ? new PermanentError(msg, 'EDOC_SOAP_FAULT_CLIENT', SYSTEM, res.status)
      : new RetryableError(msg, 'EDOC_SOAP_FAULT', SYSTEM, res.status);
  }
}
