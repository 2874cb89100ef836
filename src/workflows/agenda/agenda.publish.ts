import type { GpDirectory } from '../../../adapters/directory/directory.port';
import type { MedcomPort } from '../../../adapters/medcom/medcom.port';
import type { NexusCitizenIdentity, NexusPort } from '../../../adapters/nexus/nexus.port';
import type { NotifyPort } from '../../../adapters/notify/notify.port';
import { AuditService } from '../../audit/audit.service';
import { classifyError, errorCode, IntegrationError, PermanentError } from '../../common/errors';
import type { District } from '../../config/districts';
import { meetingId } from '../../domain/after-meeting.rules';
import { Agenda, AgendaItem, attachedOrganisations, ItemWarning, viewFor } from '../../domain/agenda.builder';
import {
  coordinatorIssues,
  coordinatorTask,
  CoordinatorIssues,
  emptyAgendaMail,
  gpInvitation,
  hasIssues,
  invitationTask,
  MeetingRef,
  teamsInvitationMail,
} from '../../domain/agenda-messages';
import { agendaEnd } from '../../domain/agenda.builder';
import { buildMeetingInviteIcs, meetingInviteMethod } from '../../domain/meeting-invite.ics';
import { missingRelations, organisationKey } from '../../domain/relations.rules';
import { Ledger } from '../../ledger/ledger';
import { rootLogger } from '../../logging/logger';
import { AgendaStore, fingerprintOf } from './agenda.store';
import type { ScheduleFollowUp } from './agenda.follow-up';

const RELATION_WARNINGS = new Set<ItemWarning>(['MISSING_VISITATOR', 'DEMENTIA_NEEDS_DEMENSSPECIALISTER', 'DEMENTIA_NEEDS_SYGEPLEJERSKER']);

export interface PublishSettings {
  /** AGENDA_AUTO_ATTACH: attach missing Visitator/dementia organisations instead of only reporting them. */
  autoAttach: boolean;
  /** Nexus task type for invitations and the coordinator's task (NEXUS_TASK_TYPE). */
  taskType: string;
  /** MAIL_FROM's address: the invitation's organiser, which makes it a calendar REQUEST; unset = PUBLISH. */
  inviteOrganizer?: string;
}

export interface PublishSummary {
  district: string;
  meetingDate: string;
  /** cleared: times removed from notes that were on an earlier publication and have left the agenda. */
  times: { changed: number; unchanged: number; cleared: number };
  attached: number;
  tasks: { created: number; existing: number };
  teams: 'sent' | 'existing' | 'none';
  /** An empty agenda: the coordinator's Nexus task, or (no note to hang it on) a mail to the unit mailboxes. */
  empty?: 'task' | 'mail';
  gp: { sent: number; existing: number; failed: number };
}

type Step = 'attach' | 'time' | 'gp' | 'task' | 'teams';

export interface PublishDeps {
  nexus: NexusPort;
  notify: NotifyPort;
  medcom: MedcomPort;
  gpDirectory: GpDirectory;
  ledger: Ledger;
  audit: AuditService;
  store: Pick<AgendaStore, 'publishedTimes' | 'recordPublishedTime' | 'forgetPublishedTime'>;
  settings: PublishSettings;
  now?: () => Date;
  /** Plans the after-meeting reminder about notes not locked (agenda.follow-up.ts); absent in dry tests and tools. */
  scheduleFollowUp?: ScheduleFollowUp;
}

/**
 * Publishes a collected agenda. Every step can run again without effect: times are only written
 * when they differ, and tasks, attachments, the Teams mail and GP letters go through the ledger
 * (tasks keyed by the content they list, reconciled with Nexus after a crash). A step that fails
 * for good does not stop the others; the job fails at the end with the codes, for an operator.
 */
export class PublishAgenda {
  constructor(private readonly deps: PublishDeps) {}

  async publish(district: District, collected: Agenda): Promise<PublishSummary> {
    return new PublishRun(this.deps, district, collected).execute();
  }
}

/** One publication of one agenda: the steps in order, with what they found along the way. */
class PublishRun {
  private readonly log = rootLogger().child({ component: 'agenda-publish' });
  private readonly now: () => Date;
  private readonly meeting: MeetingRef;
  private readonly meetingId: string;
  private readonly failures: Array<{ step: Step; code: string }> = [];
  private readonly summary: PublishSummary;
  private agenda: Agenda;
  private readonly versions = new Map<number, number>();
  private citizens = new Map<number, NexusCitizenIdentity>();
  private readonly autoAttached: Array<{ citizenId: number; organisation: string }> = [];

  constructor(
    private readonly d: PublishDeps,
    private readonly district: District,
    collected: Agenda,
  ) {
    this.now = d.now ?? (() => new Date());
    this.agenda = collected;
    this.meeting = {
      districtName: district.name,
      meetingDate: collected.meetingDate,
      startTime: district.startTime,
      location: district.location,
      teamsUrl: district.teamsUrl,
    };
    this.meetingId = meetingId(district.id, collected.meetingDate);
    this.summary = {
      district: district.id,
      meetingDate: collected.meetingDate,
      times: { changed: 0, unchanged: 0, cleared: 0 },
      attached: 0,
      tasks: { created: 0, existing: 0 },
      teams: 'none',
      gp: { sent: 0, existing: 0, failed: 0 },
    };
  }

  async execute(): Promise<PublishSummary> {
    if (this.d.settings.autoAttach) await this.attachMissing();
    await this.writeTimes();
    await this.loadCitizens();
    const gpFailures = await this.inviteGps();
    await this.inviteOrganisations();
    await this.briefCoordinator(coordinatorIssues(this.agenda, this.district.nexus.organisations, gpFailures));
    await this.sendTeamsInvitation();
    if (!this.agenda.items.length) await this.announceEmpty();
    else await this.d.scheduleFollowUp?.(this.district, this.agenda.meetingDate);
    this.log.info({ meetingId: this.meetingId, ...this.summary, failures: this.failures.length }, 'agenda published');
    if (this.failures.length) {
      const codes = [...new Set(this.failures.map((f) => `${f.step}:${f.code}`))].join(', ');
      throw new PermanentError(
        `agenda ${this.meetingId}: ${this.failures.length} publish step(s) failed for good (${codes}); the rest is done`,
        'AGENDA_PUBLISH_INCOMPLETE',
      );
    }
    return this.summary;
  }

  /**
   * Runs one step for each element; permanent failures are noted and the others go on. A retryable
   * failure is rethrown once all have settled, so the job is retried (the ledger skips what is done).
   */
  private async each<T>(
    step: Step,
    elements: readonly T[],
    fn: (e: T) => Promise<void>,
    onPermanent: (e: T, err: unknown) => Promise<void> = async (_e, err) => void this.failures.push({ step, code: errorCode(err) }),
  ): Promise<void> {
    const results = await Promise.allSettled(elements.map((e) => fn(e)));
    let retryable: unknown;
    for (const [i, r] of results.entries()) {
      if (r.status === 'fulfilled') continue;
      if (classifyError(r.reason) === 'retryable') {
        retryable ??= r.reason;
        continue;
      }
      this.log.warn({ meetingId: this.meetingId, step, code: errorCode(r.reason) }, 'publish step failed for good');
      await onPermanent(elements[i], r.reason);
    }
    if (retryable) throw retryable;
  }

  private async attachMissing(): Promise<void> {
    const names = this.district.nexus.organisations;
    const missing = this.agenda.items.flatMap((item) =>
      missingRelations(item.organisations, item.dementia, names).map((m) => ({ item, missing: m })),
    );
    // An organisation known under several names (the nurses) is attached once, under the first name
    // Nexus has: adding a second would send that organisation a second invitation.
    const resolved = new Map<string, string | null>();
    const resolve = async (candidates: string[]): Promise<string | null> => {
      if (candidates.length === 1) return candidates[0];
      for (const name of candidates) {
        if (!resolved.has(name)) resolved.set(name, (await this.d.nexus.findOrganisation(name))?.name ?? null);
        if (resolved.get(name)) return name;
      }
      return null;
    };
    const wanted: Array<{ item: AgendaItem; organisation: string }> = [];
    for (const { item, missing: m } of missing) {
      const organisation = await resolve(m.candidates);
      if (organisation) wanted.push({ item, organisation });
    }
    const attached: Array<{ citizenId: number; organisation: string }> = [];
    await this.each('attach', wanted, async ({ item, organisation }) => {
      const key = `agenda:attach:${this.district.id}:${this.agenda.meetingDate}:${item.citizenId}:${organisationKey(organisation)}`;
      const r = await this.d.ledger.runOnce(key, 'nexus.attach', {
        perform: async () => String((await this.d.nexus.attachOrganisation(item.citizenId, organisation)).id),
        reconcile: async () => {
          const rel = (await this.d.nexus.getRelations(item.citizenId)).find(
            (x) => organisationKey(x.organisation.name) === organisationKey(organisation),
          );
          return rel ? String(rel.id) : null;
        },
      });
      await this.d.audit.recordOnce(key, {
        action: 'nexus.attach',
        system: 'nexus',
        outcome: r.outcome === 'performed' ? 'ok' : 'reused',
        noteId: item.noteId,
        meetingId: this.meetingId,
        ledgerKey: key,
        externalIds: { relation: r.externalId, citizen: String(item.citizenId), organisation },
        reason: 'AGENDA_AUTO_ATTACH',
      });
      attached.push({ citizenId: item.citizenId, organisation });
      // An earlier run's attachment (already in the ledger) is not news for the coordinator.
      if (r.outcome !== 'recorded') this.autoAttached.push({ citizenId: item.citizenId, organisation });
    });
    this.summary.attached = this.autoAttached.length;
    // From here on the agenda is what Nexus now holds: attached organisations see their citizens.
    const added = (citizenId: number) => attached.filter((a) => a.citizenId === citizenId).map((a) => a.organisation);
    this.agenda = {
      ...this.agenda,
      items: this.agenda.items.map((i) => {
        const organisations = [...i.organisations, ...added(i.citizenId)];
        const stillMissing = new Set<ItemWarning>(missingRelations(organisations, i.dementia, names).map((m) => m.warning));
        return { ...i, organisations, warnings: i.warnings.filter((w) => !RELATION_WARNINGS.has(w) || stillMissing.has(w)) };
      }),
    };
  }

  /**
   * Each item's time onto its note, remembered per meeting; then the times written by an earlier
   * publication onto notes that have left the agenda (a newer note of the same citizen, a deleted
   * note, a moved observation date) are removed, unless a person has changed them since.
   */
  private async writeTimes(): Promise<void> {
    const { store } = this.d;
    const date = this.agenda.meetingDate;
    const earlier = await store.publishedTimes(this.district.id, date);
    // The coordinator's times are theirs (seed: "Koordinator … tilretter tidspunkterne"): never written
    // over. Forgetting what this service wrote there keeps the next collect seeing the time as theirs.
    // A locked note cannot take a write; it keeps its place on the agenda without one.
    const kept = this.agenda.items.filter((i) => i.timeSetBy === 'coordinator' || i.locked);
    await this.each('time', kept, async (item) => {
      this.summary.times.unchanged++;
      if (item.timeSetBy === 'coordinator' && earlier.has(item.noteId))
        await store.forgetPublishedTime(this.district.id, date, item.noteId);
    });
    const writable = this.agenda.items.filter((i) => !kept.includes(i));
    await this.each('time', writable, async (item) => {
      const r = await this.d.nexus.setNoteTime(item.noteId, item.start);
      this.versions.set(item.noteId, r.version);
      if (earlier.get(item.noteId) !== item.start) await store.recordPublishedTime(this.district.id, date, item.noteId, item.start);
      if (!r.changed) {
        this.summary.times.unchanged++;
        return;
      }
      this.summary.times.changed++;
      await this.auditTime(item.noteId, r.version, item.start);
    });
    const onAgenda = new Set(this.agenda.items.map((i) => i.noteId));
    const left = [...earlier].filter(([noteId]) => !onAgenda.has(noteId));
    await this.each('time', left, async ([noteId, written]) => {
      const r = await this.d.nexus.clearNoteTime(noteId, written).catch((err: unknown) => {
        if (err instanceof IntegrationError && err.status === 404) return null; // the note is gone, and its time with it
        throw err;
      });
      if (r?.changed) {
        this.summary.times.cleared++;
        await this.auditTime(noteId, r.version, '', `left the agenda; the time ${written} was removed`);
      }
      await store.forgetPublishedTime(this.district.id, date, noteId);
    });
  }

  private async auditTime(noteId: number, version: number, time: string, reason?: string): Promise<void> {
    await this.d.audit.recordOnce(`agenda:time:${noteId}:v${version}`, {
      action: 'nexus.time',
      system: 'nexus',
      outcome: 'ok',
      noteId,
      meetingId: this.meetingId,
      externalIds: { time, version: String(version) },
      ...(reason ? { reason } : {}),
    });
  }

  /** Names for the task texts and CPR for GP letters, read fresh from Nexus (the snapshot holds ids only). */
  private async loadCitizens(): Promise<void> {
    const ids = [...new Set([...this.agenda.items.map((i) => i.citizenId), ...this.agenda.excluded.map((e) => e.citizenId)])];
    const pairs = await Promise.all(ids.map(async (id) => [id, await this.d.nexus.getCitizenIdentity(id)] as const));
    this.citizens = new Map(pairs);
  }

  private names(): Map<number, string> {
    return new Map([...this.citizens].map(([id, c]) => [id, c.fullName]));
  }

  private async inviteGps(): Promise<CoordinatorIssues['gpInvitationFailures']> {
    const wanted = this.agenda.items.filter((i) => i.inviteGp);
    if (!wanted.length) return [];
    const { medcom, gpDirectory } = this.d;
    const failures: CoordinatorIssues['gpInvitationFailures'] = [];
    await this.each(
      'gp',
      wanted,
      async (item) => {
        const key = `agenda-gp-invite:${item.noteId}:${this.agenda.meetingDate}:${item.start}`;
        const citizen = this.citizens.get(item.citizenId)!;
        const receiver = await gpDirectory.practiceFor(citizen.cpr);
        const content = gpInvitation(this.meeting, item);
        const sent = await medcom.send({
          idempotencyKey: key,
          noteId: item.noteId,
          noteVersion: this.versions.get(item.noteId) ?? item.noteVersion,
          kind: 'meeting-invitation',
          patient: { cpr: citizen.cpr, givenName: citizen.firstName, surname: citizen.lastName },
          receiver,
          subject: content.subject,
          text: content.text,
        });
        if (sent.reused) this.summary.gp.existing++;
        else this.summary.gp.sent++;
        await this.d.audit.recordOnce(key, {
          action: 'medcom.invite',
          system: 'medcom',
          outcome: sent.reused ? 'reused' : 'ok',
          noteId: item.noteId,
          meetingId: this.meetingId,
          ledgerKey: key,
          externalIds: { letterId: sent.letterId, envelopeId: sent.envelopeId, format: sent.format, time: item.start },
        });
      },
      // A GP that cannot be reached (no GP registered, refused letter) is the coordinator's to handle.
      async (item, err) => {
        this.summary.gp.failed++;
        failures.push({ noteId: item.noteId, citizenId: item.citizenId, code: errorCode(err) });
        await this.d.audit.record({
          action: 'medcom.invite',
          system: 'medcom',
          outcome: 'failed',
          noteId: item.noteId,
          meetingId: this.meetingId,
          reason: errorCode(err),
        });
      },
    );
    return failures;
  }

  private async inviteOrganisations(): Promise<void> {
    const names = this.names();
    const views = attachedOrganisations(this.agenda).map((org) => ({ org, items: viewFor(this.agenda, org) }));
    await this.each('task', views, async ({ org, items }) => {
      const ref = fingerprintOf([organisationKey(org), items.map((i) => [i.noteId, i.start])]);
      const text = invitationTask(this.meeting, org, items, names, ref);
      await this.createTask(
        `agenda:task:invite:${this.district.id}:${this.agenda.meetingDate}:${organisationKey(org)}:${ref}`,
        items[0],
        org,
        text,
      );
    });
  }

  private async briefCoordinator(issues: CoordinatorIssues): Promise<void> {
    const empty = this.agenda.items.length === 0;
    const anchor = this.agenda.items[0] ?? this.agenda.excluded[0];
    if (!hasIssues(issues) && !(empty && anchor)) return;
    const ref = fingerprintOf(empty ? { empty, issues } : issues);
    const org = this.district.nexus.organisations.coordinator;
    const text = coordinatorTask(this.meeting, issues, this.names(), ref, this.autoAttached, { empty });
    await this.each('task', [anchor], async (a) => {
      await this.createTask(`agenda:task:coordinator:${this.district.id}:${this.agenda.meetingDate}:${ref}`, a, org, text);
      if (empty) this.summary.empty = 'task';
    });
  }

  /**
   * An empty agenda with no note at all has nothing in Nexus to hang the coordinator's task on (a
   * task needs a note or a citizen): the notice goes by mail to the district's unit mailboxes, once.
   */
  private async announceEmpty(): Promise<void> {
    if (this.summary.empty) return;
    const { id: districtId } = this.district;
    const date = this.agenda.meetingDate;
    const key = `agenda:empty:${districtId}:${date}`;
    const mail = emptyAgendaMail(this.meeting);
    await this.each('teams', [key], async () => {
      const r = await this.d.ledger.runOnce(key, 'notify.empty-agenda', {
        perform: async () =>
          (
            await this.d.notify.send({
              id: `agenda-empty.${districtId}.${date}`,
              to: this.district.inviteMailboxes,
              subject: mail.subject,
              body: mail.body,
              attachments: [],
            })
          ).deliveryId,
      });
      this.summary.empty = 'mail';
      await this.d.audit.recordOnce(key, {
        action: 'notify.empty-agenda',
        system: 'notify',
        outcome: r.outcome === 'performed' ? 'ok' : 'reused',
        meetingId: this.meetingId,
        ledgerKey: key,
        externalIds: { delivery: r.externalId },
      });
    });
  }

  /** Ledger first; after an unknown outcome, Nexus is asked for a task with this exact title on the same note. */
  private async createTask(
    key: string,
    anchor: Pick<AgendaItem, 'noteId'>,
    organisationName: string,
    text: { title: string; description: string },
  ): Promise<void> {
    const on = { noteId: anchor.noteId };
    const r = await this.d.ledger.runOnce(key, 'nexus.task', {
      perform: async () =>
        String(
          (
            await this.d.nexus.createTask({
              on,
              typeName: this.d.settings.taskType,
              title: text.title,
              description: text.description,
              dueDate: this.agenda.meetingDate,
              organisationName,
            })
          ).id,
        ),
      reconcile: async () => {
        const found = await this.d.nexus.findTasks(on, text.title);
        return found.length ? String(found[0].id) : null;
      },
    });
    if (r.outcome === 'performed') this.summary.tasks.created++;
    else this.summary.tasks.existing++;
    await this.d.audit.recordOnce(key, {
      action: 'nexus.task',
      system: 'nexus',
      outcome: r.outcome === 'performed' ? 'ok' : 'reused',
      noteId: anchor.noteId,
      meetingId: this.meetingId,
      ledgerKey: key,
      externalIds: { task: r.externalId, organisation: organisationName },
    });
  }

  private async sendTeamsInvitation(): Promise<void> {
    if (!this.agenda.items.length) return;
    const { id: districtId } = this.district;
    const date = this.agenda.meetingDate;
    // The invitation ends when the agenda really ends (12:10 when it runs over). A later publication
    // with another end sends an update of the same calendar entry (same UID, higher SEQUENCE).
    const end = agendaEnd(this.agenda)!;
    const first = `agenda:teams:${districtId}:${date}`;
    const sentEnd = (await this.d.ledger.get(first))?.meta.end;
    const update = sentEnd !== undefined && sentEnd !== end;
    const key = update ? `${first}:${end.replace(':', '')}` : first;
    const mail = teamsInvitationMail(this.meeting, end);
    const ics = buildMeetingInviteIcs({
      districtId,
      districtName: this.district.name,
      meetingDate: date,
      startTime: this.district.startTime,
      durationMinutes: minutesBetween(this.district.startTime, end),
      teamsUrl: this.district.teamsUrl,
      location: this.district.location,
      stamp: this.now(),
      organizer: this.d.settings.inviteOrganizer,
      attendees: this.district.inviteMailboxes,
      sequence: update ? sequenceAt(this.now()) : 0,
    });
    const method = meetingInviteMethod({ organizer: this.d.settings.inviteOrganizer });
    await this.each('teams', [key], async () => {
      const r = await this.d.ledger.runOnce(
        key,
        'notify.teams',
        {
          perform: async () =>
            (
              await this.d.notify.send({
                id: update ? `teams-invite.${districtId}.${date}.${end.replace(':', '')}` : `teams-invite.${districtId}.${date}`,
                to: this.district.inviteMailboxes,
                subject: mail.subject,
                body: mail.body,
                attachments: [
                  {
                    filename: `tvaerfagligt-samarbejdsmoede-${districtId}-${date}.ics`,
                    contentType: `text/calendar; charset=utf-8; method=${method}`,
                    content: Buffer.from(ics, 'utf8'),
                  },
                ],
              })
            ).deliveryId,
        },
        { end },
      );
      this.summary.teams = r.outcome === 'recorded' ? 'existing' : 'sent';
      await this.d.audit.recordOnce(key, {
        action: 'notify.teams',
        system: 'notify',
        outcome: 'ok',
        meetingId: this.meetingId,
        ledgerKey: key,
        externalIds: { delivery: r.externalId },
      });
    });
  }
}

/** Minutes from one HH:MM to a later one (an agenda past midnight is refused by the builder). */
function minutesBetween(from: string, to: string): number {
  const m = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
  return m(to) - m(from);
}

/** An updated invitation's SEQUENCE (RFC 5545 §3.8.7.4 wants it to grow): minutes since 2020 on the service's clock. */
function sequenceAt(now: Date): number {
  return Math.max(1, Math.floor((now.getTime() - Date.UTC(2020, 0, 1)) / 60_000));
}
