import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { EDOC_PORT, EdocPort } from '../../../adapters/edoc/edoc.port';
import { AuditService } from '../../audit/audit.service';
import { classifyError, errorCode, PermanentError, RetryableError } from '../../common/errors';
import type { AppConfig } from '../../config/config.schema';
import { CONFIG, REDIS } from '../../config/tokens';
import { KeyLock } from '../../ledger/key-lock';
import { Ledger, LedgerEntry, Performed } from '../../ledger/ledger';
import { rootLogger } from '../../logging/logger';

/** Where to file: exactly one of these. */
export type CaseLocator = { caseRef: string } | { caseSequenceNumber: string } | { cpr: string };

export type JournalRequest = CaseLocator & {
  /** Our id of what is filed, e.g. "N5001v3" (note 5001 version 3) or a children's request id. */
  sourceId: string;
  /** What kind of document it is, e.g. "note", "request-form", "agreement-form". */
  kind: string;
  /** Human title; a source reference "[tsm:…]" is appended. */
  title: string;
  /** Name from the eDoc code list, e.g. "Notat". */
  documentType: string;
  /** Document date, YYYY-MM-DD. */
  date: string;
  pdf: Buffer;
  /** Ids for the audit trail only. */
  noteId?: number;
  requestId?: string;
  meetingId?: string;
};

export interface JournalResult {
  documentIdentifier: string;
  /** performed = uploaded now; reconciled = found on the case after an earlier unknown outcome; recorded = already in the ledger. */
  outcome: 'performed' | 'reconciled' | 'recorded';
  caseFileIdentifier?: string;
  /** The title as filed, with its source reference. */
  title: string;
  ledgerKey: string;
}

const KIND = 'edoc.journal';
const SOURCE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
const DOC_KIND = /^[a-z][a-z0-9-]{0,31}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const CPR = /^\d{6}-?\d{4}$/;
const MAX_TITLE = 200;

/** The deterministic reference carried in the title: source, kind and the first 8 hex of the content hash. */
export function sourceReference(sourceId: string, kind: string, sha256: string): string {
  return `tsm:${sourceId}.${kind}.${sha256.slice(0, 8)}`;
}

export function journalTitle(title: string, reference: string): string {
  return `${title.trim()} [${reference}]`;
}

/**
 * Files a document on a citizen's eDoc case exactly once. eDoc has no idempotency key, so:
 * - a ledger entry keyed by (source id, kind, sha256 of the content) is written before the upload and
 *   completed with eDoc's DocumentIdentifier after it;
 * - the title carries a deterministic source reference, so an upload whose outcome is unknown
 *   (timeout, crash, 5xx) can be found again: the next attempt searches the case for that title before
 *   uploading, and an upload is never retried blindly;
 * - a short per-key lock keeps two workers from filing the same document at the same moment.
 * Every filing (and every failed attempt) leaves an audit record with ids only.
 */
@Injectable()
export class DocumentJournal {
  private readonly lock: KeyLock;
  private readonly lockTtlMs: number;

  constructor(
    @Inject(EDOC_PORT) private readonly edoc: EdocPort,
    private readonly ledger: Ledger,
    private readonly audit: AuditService,
    @Inject(REDIS) redis: Redis,
    @Inject(CONFIG) config: AppConfig,
  ) {
    this.lock = new KeyLock(redis, config.QUEUE_PREFIX);
    // Up to three eDoc calls (case search, reconcile search, upload) run under the lock.
    this.lockTtlMs = config.EDOC_TIMEOUT_MS * 4 + 5_000;
  }

  async journal(req: JournalRequest): Promise<JournalResult> {
    validate(req);
    const sha = createHash('sha256').update(req.pdf).digest('hex');
    const reference = sourceReference(req.sourceId, req.kind, sha);
    const title = journalTitle(req.title, reference);
    const ledgerKey = `edoc:${req.kind}:${req.sourceId}:${sha}`;
    const ids = { noteId: req.noteId, requestId: req.requestId, meetingId: req.meetingId };

    return this.lock.withLock(ledgerKey, this.lockTtlMs, async () => {
      try {
        const run = await this.ledger.runOnce(
          ledgerKey,
          KIND,
          {
            // eDoc's open link goes into the entry with its completion (one write), for the audit below.
            reconcile: async (entry) => {
              const { caseRef } = await this.resolveCase(req, entry);
              const found = await this.edoc.findDocument({ caseRef, title });
              return found ? withOpenLink(found.documentIdentifier, found.openLink) : null;
            },
            perform: async (entry) => {
              const resolved = await this.resolveCase(req, entry);
              await this.requireOpenCase(resolved);
              return this.upload(req, resolved.caseRef, title, reference, ledgerKey);
            },
          },
          { sourceId: req.sourceId, kind: req.kind, sha256: sha },
        );
        // The entry as runOnce left it: the case resolveCase remembered, the open link, or both as stored earlier.
        const meta = run.entry.meta;
        const caseFileIdentifier = meta.caseRef;
        await this.audit.record({
          action: KIND,
          system: 'edoc',
          outcome: run.outcome === 'recorded' ? 'reused' : 'ok',
          ...ids,
          externalIds: {
            documentIdentifier: run.externalId,
            ...(caseFileIdentifier ? { caseFileIdentifier } : {}),
            // eDoc's own link to the document (Links.OpenDocument), so a person can open it from the audit.
            ...(meta.openLink ? { openDocument: meta.openLink } : {}),
          },
          ledgerKey,
          reason: run.outcome === 'reconciled' ? 'found on the case after an earlier unknown outcome' : undefined,
        });
        rootLogger().info(
          { sourceId: req.sourceId, kind: req.kind, outcome: run.outcome, documentIdentifier: run.externalId },
          'eDoc document filed',
        );
        return { documentIdentifier: run.externalId, outcome: run.outcome, caseFileIdentifier, title, ledgerKey };
      } catch (err) {
        await this.audit.record({ action: KIND, system: 'edoc', outcome: 'failed', ...ids, ledgerKey, reason: errorCode(err) });
        rootLogger().warn(
          { sourceId: req.sourceId, kind: req.kind, code: errorCode(err), errorClass: classifyError(err) },
          'eDoc filing failed',
        );
        throw err;
      }
    });
  }

  private async upload(req: JournalRequest, caseRef: string, title: string, reference: string, ledgerKey: string): Promise<Performed> {
    try {
      const filed = await this.edoc.journalDocument({
        caseRef,
        title,
        documentType: req.documentType,
        date: req.date,
        pdf: req.pdf,
        sourceId: reference,
      });
      return withOpenLink(filed.documentIdentifier, filed.openLink);
    } catch (err) {
      if (classifyError(err) === 'permanent') throw err;
      // The upload may have landed (eDoc commits before a reply that never arrives). The ledger entry
      // stays pending, so the next attempt searches the case for the title before uploading again.
      await this.ledger.updateMeta(ledgerKey, { outcome: 'unknown', lastError: errorCode(err) });
      throw new RetryableError(
        `eDoc upload outcome unknown (${errorCode(err)}); the next attempt reconciles first`,
        'EDOC_OUTCOME_UNKNOWN',
        'edoc',
      );
    }
  }

  /**
   * The case id: given, remembered from an earlier attempt, or looked up now (then remembered). A case
   * looked up now comes with its status (`checked`); the others are checked by requireOpenCase.
   */
  private async resolveCase(req: JournalRequest, entry: LedgerEntry): Promise<ResolvedCase> {
    const where = locatorOf(req);
    if (where.caseRef) return { caseRef: where.caseRef, checked: false };
    if (entry.meta.caseRef) return { caseRef: entry.meta.caseRef, checked: false };
    const found = where.caseSequenceNumber
      ? await this.edoc.findCase({ sequenceNumber: where.caseSequenceNumber })
      : await this.edoc.findCase({ cpr: where.cpr! });
    if (!found) throw new PermanentError('no eDoc case found for the citizen', 'EDOC_CASE_NOT_FOUND', 'edoc');
    await this.ledger.updateMeta(entry.key, { caseRef: found.caseFileIdentifier });
    entry.meta = { ...entry.meta, caseRef: found.caseFileIdentifier };
    return { caseRef: found.caseFileIdentifier, checked: true, open: found.open };
  }

  /**
   * Files only on an open case (CaseFileStatusCodeName in EDOC_OPEN_CASE_STATUSES). The status comes
   * from the case search this attempt made; otherwise (case given by id, or remembered from an earlier
   * attempt) the case is searched by id now. A case whose answer carries no status is not refused.
   */
  private async requireOpenCase(c: ResolvedCase): Promise<void> {
    let open = c.open;
    if (!c.checked) {
      const found = await this.edoc.findCase({ caseFileIdentifier: c.caseRef });
      if (!found) throw new PermanentError('the eDoc case to file on does not exist', 'EDOC_CASE_NOT_FOUND', 'edoc');
      open = found.open;
    }
    if (open === false) {
      throw new PermanentError(
        'eDoc-sagen er ikke åben, så dokumentet er ikke journaliseret. Genåbn sagen i eDoc (eller find den rigtige sag) og prøv jobbet igen.',
        'EDOC_CASE_CLOSED',
        'edoc',
      );
    }
  }
}

/** The document's id for the ledger, with eDoc's open link (when it gave one) to keep in the entry's meta. */
function withOpenLink(documentIdentifier: string, openLink: string | undefined): Performed {
  return { externalId: documentIdentifier, meta: openLink ? { openLink } : {} };
}

interface ResolvedCase {
  caseRef: string;
  /** True when the case was searched in this attempt, so `open` is current. */
  checked: boolean;
  open?: boolean;
}

/** The locator fields that are set (callers from plain JS may pass the others as undefined). */
function locatorOf(req: JournalRequest): { caseRef?: string; caseSequenceNumber?: string; cpr?: string } {
  const r = req as { caseRef?: unknown; caseSequenceNumber?: unknown; cpr?: unknown };
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return { caseRef: str(r.caseRef), caseSequenceNumber: str(r.caseSequenceNumber), cpr: str(r.cpr) };
}

function validate(req: JournalRequest): void {
  const bad = (what: string) => new PermanentError(`invalid journal request: ${what}`, 'JOURNAL_BAD_INPUT', 'edoc');
  const where = locatorOf(req);
  const given = Object.values(where).filter((v) => v !== undefined);
  if (given.length !== 1) throw bad('give exactly one of caseRef, caseSequenceNumber, cpr');
  if (where.cpr !== undefined && !CPR.test(where.cpr)) throw bad('cpr must be 10 digits');
  if (where.caseRef !== undefined && !where.caseRef.trim()) throw bad('caseRef is empty');
  if (where.caseSequenceNumber !== undefined && !where.caseSequenceNumber.trim()) throw bad('caseSequenceNumber is empty');
  if (!SOURCE_ID.test(req.sourceId ?? '')) throw bad('sourceId must be 1-100 letters, digits, "_", "." or "-"');
  if (!DOC_KIND.test(req.kind ?? '')) throw bad('kind must be 1-32 lower-case letters, digits or "-"');
  if (!req.title?.trim() || req.title.length > MAX_TITLE) throw bad(`title must be 1-${MAX_TITLE} characters`);
  if (!req.documentType?.trim()) throw bad('documentType is empty');
  if (!DATE.test(req.date ?? '') || Number.isNaN(Date.parse(`${req.date}T00:00:00Z`))) throw bad('date must be YYYY-MM-DD');
  if (!Buffer.isBuffer(req.pdf) || req.pdf.length === 0) throw bad('pdf is empty');
}
