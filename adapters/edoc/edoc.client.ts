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
  buildSearchCaseFile,
  buildSearchDocument,
  Criterion,
  InnerXmlError,
  parseInner,
  readBusinessError,
  readCaseFiles,
  readCreatedDocument,
  readDocuments,
} from './edoc.mapper';
import type { EdocCase, EdocPort, JournalDocumentInput } from './edoc.port';

const SYSTEM = 'edoc';
/** Business errors worth another attempt; everything else in a result is permanent (bad input, rights, state). */
const TRANSIENT_BUSINESS = /time-?out|deadlock|busy|unavailable|try again|temporar|midlertidig|prøv igen|optaget/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

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
  private readonly cprField: string;
  private readonly userIdentifier: string;
  private readonly statusName: string;

  constructor(config: AppConfig, private readonly codes: EdocCodeLists, opts: EdocClientOptions = {}) {
    this.cprField = config.EDOC_CPR_SEARCH_FIELD;
    this.userIdentifier = config.EDOC_USER_IDENTIFIER;
    this.statusName = config.EDOC_DOCUMENT_STATUS;
    if (!config.EDOC_URL) return; // no endpoint: every call fails with EDOC_NOT_CONFIGURED
    const transport =
      opts.transport ??
      createEdocTransport({ mode: config.EDOC_AUTH, user: config.EDOC_USER ?? '', password: config.EDOC_PASSWORD ?? '', domain: config.EDOC_DOMAIN });
    this.url = config.EDOC_URL;
    this.requestDefaults = transport.requestDefaults;
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

  async findCase(q: { sequenceNumber: string } | { cpr: string }): Promise<EdocCase | null> {
    const bySequence = 'sequenceNumber' in q;
    const criterion: Criterion = bySequence
      ? { element: 'edoc:SequenceNumber', value: q.sequenceNumber }
      : { element: this.cprField, value: q.cpr.replace('-', '') };
    if (!criterion.value.trim()) throw new PermanentError('eDoc case search needs a sequence number or CPR', 'EDOC_BAD_INPUT', SYSTEM);
    const inner = await this.call('SearchCaseFile', buildSearchCaseFile(this.userIdentifier, criterion));
    let hits = readCaseFiles(inner);
    if (bySequence && hits.length > 1) hits = hits.filter((h) => h.sequenceNumber === q.sequenceNumber);
    if (hits.length === 0) return null;
    if (hits.length > 1) {
      // A citizen with several open cases: filing on a guessed one would be wrong; a person must choose.
      throw new PermanentError(`eDoc SearchCaseFile found ${hits.length} cases; expected one`, 'EDOC_CASE_AMBIGUOUS', SYSTEM);
    }
    const hit = hits[0];
    return { caseFileIdentifier: hit.caseFileIdentifier, sequenceNumber: hit.sequenceNumber ?? (bySequence ? q.sequenceNumber : '') };
  }

  async journalDocument(d: JournalDocumentInput): Promise<{ documentIdentifier: string }> {
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
    });
    const result = await this.call('CreateDocumentAndDocumentVersion', inner);
    const documentIdentifier = readCreatedDocument(result);
    if (!documentIdentifier) {
      // The call may have created a document we cannot name: retryable, and callers reconcile first.
      throw new RetryableError('eDoc CreateDocumentAndDocumentVersion answered without a DocumentIdentifier', 'EDOC_NO_DOCUMENT_ID', SYSTEM);
    }
    return { documentIdentifier };
  }

  async findDocument(q: { caseRef: string; title: string }): Promise<{ documentIdentifier: string } | null> {
    const inner = await this.call('SearchDocument', buildSearchDocument(this.userIdentifier, { caseFileIdentifier: q.caseRef, title: q.title }));
    // eDoc's title search may match on parts of the title: only an exact title is ours.
    const exact = readDocuments(inner).filter((d) => d.title === undefined || d.title === q.title);
    return exact.length ? { documentIdentifier: exact[0].documentIdentifier } : null;
  }

  shutdown(): void {
    this.http?.shutdown();
  }

  onModuleDestroy(): void {
    this.shutdown();
  }

  /** Sends one operation; returns the parsed inner result, or throws a classified error. */
  private async call(op: EdocOperation, innerXml: string): Promise<Record<string, unknown>> {
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
      if (resultXml === undefined) throw new RetryableError(`eDoc ${op} answered without ${op}Result`, 'EDOC_NO_RESULT', SYSTEM);
      inner = parseInner(resultXml);
    } catch (err) {
      if (err instanceof EnvelopeError || err instanceof InnerXmlError) {
        throw new RetryableError(`eDoc ${op} answer unreadable: ${err.message}`, 'EDOC_BAD_RESPONSE', SYSTEM);
      }
      throw err;
    }
    const business = readBusinessError(inner);
    if (business) throw this.businessError(op, business);
    return inner;
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
