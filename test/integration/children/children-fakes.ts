import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import type { NotifyMessage, NotifyPort } from '../../../adapters/notify/notify.port';
import { AuditService } from '../../../src/audit/audit.service';
import { PermanentError, RetryableError } from '../../../src/common/errors';
import { Ledger } from '../../../src/ledger/ledger';
import { WorkingDayCalendar } from '../../../src/domain/working-days';
import type { AcceptLinks } from '../../../src/workflows/children/children.accept-link';
import { JournalAgreementStep } from '../../../src/workflows/children/children.agreement';
import { ChildrenIntake } from '../../../src/workflows/children/children.intake';
import { ChildrenInvitations } from '../../../src/workflows/children/children.invitations';
import type { ChildrenJobs } from '../../../src/workflows/children/children.jobs';
import { ChildrenReminders } from '../../../src/workflows/children/children.reminders';
import { RouteRequestStep } from '../../../src/workflows/children/children.routing';
import { ChildrenStore } from '../../../src/workflows/children/children.store';
import { ChildrenUnits } from '../../../src/workflows/children/children.units';
import type { JournalRequest, JournalResult } from '../../../src/workflows/journal-document/journal-document.service';

/** Stand-ins for the notify port, DocumentJournal and the job queue that keep every effect they were asked for. */

export class FakeNotify implements NotifyPort {
  readonly delivered = new Map<string, NotifyMessage>();
  sendCalls = 0;
  /** The next n sends fail as a retryable outage, before anything is delivered. */
  failNext = 0;

  async send(msg: NotifyMessage): Promise<{ deliveryId: string; duplicate: boolean }> {
    this.sendCalls++;
    if (this.failNext > 0) {
      this.failNext--;
      throw new RetryableError('mail gateway down', 'NOTIFY_DOWN', 'notify');
    }
    const duplicate = this.delivered.has(msg.id);
    if (!duplicate) this.delivered.set(msg.id, msg);
    return { deliveryId: `d-${msg.id}`, duplicate };
  }
}

/** Files once per (sourceId, content hash), as DocumentJournal promises; knows cases by CPR (10 digits). */
export class FakeJournal {
  readonly filed = new Map<string, JournalRequest & { documentIdentifier: string; caseFileIdentifier: string }>();
  calls: JournalRequest[] = [];
  failNext = 0;
  private n = 0;

  constructor(private readonly casesByCpr: Record<string, string>) {}

  async journal(req: JournalRequest): Promise<JournalResult> {
    this.calls.push(req);
    if (this.failNext > 0) {
      this.failNext--;
      throw new RetryableError('eDoc down', 'EDOC_DOWN', 'edoc');
    }
    const sha = createHash('sha256').update(req.pdf).digest('hex');
    const key = `${req.sourceId}:${sha}`;
    const existing = this.filed.get(key);
    const ledgerKey = `edoc:${req.kind}:${key}`;
    if (existing) {
      return {
        documentIdentifier: existing.documentIdentifier,
        outcome: 'recorded',
        caseFileIdentifier: existing.caseFileIdentifier,
        title: req.title,
        ledgerKey,
      };
    }
    const caseFileIdentifier = 'caseRef' in req ? req.caseRef : 'cpr' in req ? this.casesByCpr[req.cpr.replace('-', '')] : undefined;
    if (!caseFileIdentifier) throw new PermanentError('no eDoc case found for the citizen', 'EDOC_CASE_NOT_FOUND', 'edoc');
    const documentIdentifier = `doc-${++this.n}`;
    this.filed.set(key, { ...req, documentIdentifier, caseFileIdentifier });
    return { documentIdentifier, outcome: 'performed', caseFileIdentifier, title: req.title, ledgerKey };
  }
}

export class FakeJobs implements ChildrenJobs {
  routes: string[] = [];
  deadlines: Array<{ requestId: string; delayMs: number }> = [];
  followUps: Array<{ requestId: string; delayMs: number }> = [];
  agreements: string[] = [];
  invites: Array<{ meetingId: string; sequence: number }> = [];

  async route(requestId: string) {
    this.routes.push(requestId);
  }
  async acceptanceDeadline(requestId: string, delayMs: number) {
    this.deadlines.push({ requestId, delayMs });
  }
  async followUpCheck(requestId: string, delayMs: number) {
    this.followUps.push({ requestId, delayMs });
  }
  async journalAgreement(meetingId: string) {
    this.agreements.push(meetingId);
  }
  async followUpInvite(meetingId: string, sequence: number) {
    this.invites.push({ meetingId, sequence });
  }
}

let counter = 0;

/** A connection to the run's real Redis with a prefix of its own, plus ledger and audit on it. */
export function redisContext() {
  const redis = new Redis(process.env.TEST_REDIS_URL!, { maxRetriesPerRequest: 3 });
  const prefix = `tc${process.pid}x${Date.now().toString(36)}x${counter++}`;
  const auditDir = mkdtempSync(path.join(os.tmpdir(), 'tsm-children-audit-'));
  return { redis, prefix, ledger: new Ledger(redis, prefix), audit: new AuditService(redis, auditDir, prefix) };
}

export const CHILD_CPR = '140519-4321';

let childCounter = 0;
/** Another child (a CPR with a valid date, never CHILD_CPR): each request a course of its own. */
export function anotherChild(): { cpr: string; name: string } {
  const n = ++childCounter + (process.pid % 1000) * 100;
  return { cpr: `0101${String(10 + (n % 80)).padStart(2, '0')}-${String(n % 10_000).padStart(4, '0')}`, name: 'Barn Testesen' };
}
export const CHILD_CASE = '200777';
export const PDF_BYTES = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

/** A valid request form; "now" in these tests is Wednesday 2026-03-18, the meeting the Monday after. */
export function validRequest(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    child: { cpr: CHILD_CPR, name: 'Alma Testbarn' },
    consentGiven: true,
    localUnit: { name: 'Solhøj Børnehus', type: 'dagtilbud' },
    localLeader: { name: 'Lene Leder', email: 'lene.leder@solhoej.example' },
    externalUnits: ['Kompetenceenheden (KE)'],
    proposedStart: '2026-03-23T10:00:00+01:00',
    place: { type: 'dagtilbud', address: 'Skovvej 1, 9999 Solhøj' },
    description: 'Alma trækker sig fra legen og har svært ved overgange. Vi har prøvet visuelle dagsskemaer.',
    attachments: [],
    ...overrides,
  };
}

export function validAgreement(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    participants: [
      { name: 'Lene Leder', role: 'lokal leder', email: 'lene.leder@solhoej.example' },
      { name: 'Peter Psykolog', role: 'psykolog', organisation: 'KE', email: 'peter@ke.solhoej.example' },
      { name: 'Mor Testbarn', role: 'forælder' },
    ],
    agreements: 'Pædagogerne afprøver faste overgangsritualer i fire uger. KE observerer én formiddag.',
    actions: [{ description: 'Observation i børnehaven', responsible: 'Peter Psykolog', due: '2026-04-16' }],
    ...overrides,
  };
}

export const NOW = new Date('2026-03-18T10:00:00Z');

/**
 * The children's workflow pieces on a real Redis with fake mail, eDoc and queue, and a clock the test
 * moves (`setNow`). `links` and `organizer` turn on the accept link and the participants' invitations.
 */
export function childrenSteps(opts: { links?: AcceptLinks; organizer?: string } = {}) {
  const ctx = redisContext();
  const units = ChildrenUnits.load();
  const store = new ChildrenStore(ctx.redis, ctx.prefix, { formSeconds: 3600, recordSeconds: 7200 });
  const notify = new FakeNotify();
  const journal = new FakeJournal({ [CHILD_CPR.replace('-', '')]: CHILD_CASE });
  const jobs = new FakeJobs();
  let clock = NOW;
  const now = () => clock;
  const intake = new ChildrenIntake(
    store,
    jobs,
    ctx.audit,
    new WorkingDayCalendar(),
    { acceptWorkingDays: 10, homeVisitWindowExempt: false, followUpDays: 90 },
    now,
  );
  const deps = { store, units, notify, ledger: ctx.ledger, audit: ctx.audit, now };
  const links = opts.links ? { links: opts.links } : {};
  const route = new RouteRequestStep(
    { ...deps, journal },
    { documentType: 'Notat', acceptWorkingDays: 10, ...links, ...(opts.organizer ? { organizer: opts.organizer } : {}) },
  );
  const reminders = new ChildrenReminders(deps, { acceptWorkingDays: 10, followUpDays: 90, ...links });
  const agreement = new JournalAgreementStep({ ...deps, journal }, { documentType: 'Notat' });
  const invitations = new ChildrenInvitations(deps, opts.organizer ?? 'tsm@solhoej.example');
  return { ...ctx, store, notify, journal, jobs, intake, route, reminders, agreement, invitations, setNow: (d: Date) => (clock = d) };
}
