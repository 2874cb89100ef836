import { createHash } from 'node:crypto';
import type { Seed } from '../../../schemas/sandbox-seed.schema';
import { SeededRandom } from '../../shared/seeded-random';

export interface SandboxCase {
  caseFileIdentifier: string;
  sequenceNumber: string;
  title: string;
  /** Party CPR numbers on the case (10 digits). */
  cprs: string[];
  /** CaseFileStatusCodeName: "Åben" (open) unless a test closes it. */
  status: string;
}

export interface SandboxDocument {
  documentIdentifier: string;
  caseFileIdentifier: string;
  title: string;
  documentTypeCode: string;
  statusCode: string;
  archiveFormatCode: string;
  date: string;
  content: Buffer;
  sha256: string;
}

export const SANDBOX_OPERATIONS = [
  'SearchCaseFile',
  'CreateDocumentAndDocumentVersion',
  'SearchDocument',
  'GetItemList',
  'GetSystemInfo',
] as const;

const OPEN = 'Åben';

/** The sandbox's in-memory eDoc: cases from the seed, documents filed on them, call counters. */
export class EdocSandboxStore {
  readonly cases: SandboxCase[];
  private documents: SandboxDocument[] = [];
  private calls: Record<string, number> = {};
  private faultCounts = { soapFaults: 0, commitTimeouts: 0, drops: 0, businessErrors: 0, authFailures: 0 };
  private ids: SeededRandom;

  constructor(
    seed: Seed,
    private readonly randomSeed: number,
  ) {
    // Ids are stable per seed order: the first citizen with an eDoc case gets 200001, and so on.
    this.cases = seed.citizens
      .filter((c) => c.edocCase)
      .map((c, i) => ({
        caseFileIdentifier: String(200001 + i),
        sequenceNumber: c.edocCase!,
        title: `Borgersag ${c.edocCase}`,
        cprs: [c.cpr],
        status: OPEN,
      }));
    this.ids = new SeededRandom(randomSeed ^ 0x5eed);
  }

  /** Sets a case's status (e.g. "Afsluttet" to close it); false when there is no such case. */
  setCaseStatus(caseFileIdentifier: string, status: string): boolean {
    const c = this.cases.find((x) => x.caseFileIdentifier === caseFileIdentifier);
    if (!c) return false;
    c.status = status;
    return true;
  }

  reset(): void {
    for (const c of this.cases) c.status = OPEN;
    this.documents = [];
    this.calls = {};
    this.faultCounts = { soapFaults: 0, commitTimeouts: 0, drops: 0, businessErrors: 0, authFailures: 0 };
    this.ids = new SeededRandom(this.randomSeed ^ 0x5eed);
  }

  countCall(op: string): void {
    this.calls[op] = (this.calls[op] ?? 0) + 1;
  }

  countFault(kind: keyof EdocSandboxStore['faultCounts']): void {
    this.faultCounts[kind]++;
  }

  findCases(criteria: { caseFileIdentifier?: string; sequenceNumber?: string; cpr?: string; title?: string }): SandboxCase[] {
    return this.cases.filter(
      (c) =>
        (criteria.caseFileIdentifier === undefined || c.caseFileIdentifier === criteria.caseFileIdentifier) &&
        (criteria.sequenceNumber === undefined || c.sequenceNumber === criteria.sequenceNumber) &&
        (criteria.cpr === undefined || c.cprs.includes(criteria.cpr)) &&
        (criteria.title === undefined || c.title === criteria.title),
    );
  }

  addDocument(d: Omit<SandboxDocument, 'documentIdentifier' | 'sha256'>): SandboxDocument {
    const doc = { ...d, documentIdentifier: this.ids.uuid(), sha256: createHash('sha256').update(d.content).digest('hex') };
    this.documents.push(doc);
    return doc;
  }

  findDocuments(criteria: { caseFileIdentifier?: string; title?: string; documentIdentifier?: string }): SandboxDocument[] {
    return this.documents.filter(
      (d) =>
        (criteria.caseFileIdentifier === undefined || d.caseFileIdentifier === criteria.caseFileIdentifier) &&
        (criteria.title === undefined || d.title === criteria.title) &&
        (criteria.documentIdentifier === undefined || d.documentIdentifier === criteria.documentIdentifier),
    );
  }

  /** Counters for /_sandbox/stats. A duplicate is every extra document with the same case and title. */
  stats() {
    const groups = new Map<string, number>();
    for (const d of this.documents) {
      const k = `${d.caseFileIdentifier}\u0000${d.title}`;
      groups.set(k, (groups.get(k) ?? 0) + 1);
    }
    const duplicates = [...groups.values()].reduce((sum, n) => sum + (n - 1), 0);
    const calls = Object.fromEntries(SANDBOX_OPERATIONS.map((op) => [op, this.calls[op] ?? 0]));
    return { calls: { ...this.calls, ...calls }, documents: this.documents.length, duplicates, faults: { ...this.faultCounts } };
  }

  /** Documents per case for /_sandbox/state: metadata and hashes, never content. */
  state() {
    return {
      cases: this.cases.map((c) => ({
        caseFileIdentifier: c.caseFileIdentifier,
        sequenceNumber: c.sequenceNumber,
        status: c.status,
        documents: this.documents
          .filter((d) => d.caseFileIdentifier === c.caseFileIdentifier)
          .map((d) => ({
            documentIdentifier: d.documentIdentifier,
            title: d.title,
            size: d.content.length,
            sha256: d.sha256,
            documentTypeCode: d.documentTypeCode,
            date: d.date,
          })),
      })),
    };
  }
}
