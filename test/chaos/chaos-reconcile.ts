import {
  documentSourceId,
  FollowUpLabels,
  FollowUpOrganisations,
  followUpsOf,
  followUpTasks,
  OrganisationResolver,
} from '../../src/domain/after-meeting.rules';
import type { ReceivedMessage } from './vans-archive';

/**
 * The chaos run's verdict, computed from what the simulators themselves recorded (Nexus notes and
 * tasks, eDoc documents, the messages VANS picked up) and checked against what each concluded note
 * asked for. tsm-bridge's own status only says whether a note is settled; every count of a side
 * effect comes from the far side. Pure: observations in, figures and violations out.
 */
export interface ConcludedNote {
  noteId: number;
  citizenCpr: string;
  districtId: string;
  meetingDate: string;
}

export interface ChaosObservations {
  concluded: ConcludedNote[];
  nexus: {
    notes: Array<{ id: number; version: number; locked: boolean; items: Record<string, string> }>;
    tasks: Array<{ title: string; organisationName?: string }>;
  };
  edoc: { titles: string[]; duplicates: number };
  vans: {
    messages: ReceivedMessage[];
    unreadable: string[];
    receiptsDropped: number;
    receiptsDuplicated: number;
    positiveReceipts: number;
  };
  /** tsm-bridge's own view per note: settled (done), still open (pending) or failed. */
  status: Record<number, { state: 'done' | 'pending' | 'failed'; reason?: string } | undefined>;
  deadLetters: Array<{ id: string; name: string; reason: string; noteId?: number }>;
  /** Error codes of the dead letters the run provokes on purpose. The chaos faults are all transient,
   *  so the run plans none: any dead letter is a violation (S3 of issue 14: a stall-limit dead letter
   *  once passed as "OK"). */
  plannedDeadLetterCodes?: string[];
  /**
   * Sends per letter (1 + MEDCOM_MAX_RESENDS). Dropped receipts are a fault the run injects on purpose, and
   * a letter whose every send lost its receipt is given up by design (MEDCOM_NO_RECEIPT, for a person to
   * follow up). Such a dead letter is planned only when VANS really received that many envelopes for it.
   */
  medcomSendsPerLetter?: number;
  chaos: { kills: number; redisRestarts: number; requiredKills: number; requiredRedisRestarts: number };
}

export interface ChaosFigures {
  notesConcluded: number;
  notesDone: number;
  notesDeadLettered: number;
  lost: number;
  /** Histogram: how many notes have 0, 1, 2 … eDoc documents. */
  edocDocumentsPerNote: Record<string, number>;
  lettersExpected: number;
  /** Histogram over the notes that asked for a letter: distinct letter ids VANS received per note. */
  letterIdsPerNote: Record<string, number>;
  resends: number;
  receiptsDropped: number;
  receiptsDuplicated: number;
  tasksExpected: number;
  tasksCreated: number;
  duplicates: number;
  deadLetters: Array<{ id: string; name: string; reason: string }>;
  kills: number;
  redisRestarts: number;
  violations: string[];
}

export interface ReconcileSettings {
  labels: FollowUpLabels;
  organisations(districtId: string): FollowUpOrganisations;
  taskDueDays: number;
  /** The organisations Nexus knows (the seed's): names to attach that it does not are the coordinator's task. */
  resolveOrganisation?: OrganisationResolver;
}

export function reconcileChaos(o: ChaosObservations, s: ReconcileSettings): ChaosFigures {
  const violations: string[] = [];
  const nexusNotes = new Map(o.nexus.notes.map((n) => [n.id, n]));
  const digits = (cpr: string) => cpr.replace(/\D/g, '');
  const lettersByCpr = new Map<string, Map<string, Set<string>>>();
  for (const m of o.vans.messages) {
    const letters = lettersByCpr.get(digits(m.cpr)) ?? new Map<string, Set<string>>();
    letters.set(m.letterId, (letters.get(m.letterId) ?? new Set()).add(m.envelopeId));
    lettersByCpr.set(digits(m.cpr), letters);
  }
  const deadByNote = new Map<number, number>();
  for (const d of o.deadLetters) {
    if (!d.reason?.trim()) violations.push(`dead letter ${d.id} (${d.name}) has no reason`);
    else if (!(o.plannedDeadLetterCodes ?? []).includes(/^\[([^\]]+)\]/.exec(d.reason)?.[1] ?? '') && !givenUpAfterEverySend(d.reason, o)) {
      violations.push(`dead letter ${d.id} (${d.name}) was not planned: ${d.reason.slice(0, 200)}`);
    }
    if (d.noteId !== undefined) deadByNote.set(d.noteId, (deadByNote.get(d.noteId) ?? 0) + 1);
  }

  const docsHist: Record<string, number> = {};
  const lettersHist: Record<string, number> = {};
  const expectedTaskKeys = new Set<string>();
  let notesDone = 0;
  let deadLettered = 0;
  let lost = 0;
  let duplicates = 0;
  let lettersExpected = 0;
  let tasksExpected = 0;
  const wantedCprs = new Set<string>();

  for (const c of o.concluded) {
    const note = nexusNotes.get(c.noteId);
    if (!note?.locked) {
      violations.push(`note ${c.noteId} was concluded but is not locked in Nexus`);
      continue;
    }
    const twice: string[] = [];
    const missing: string[] = [];
    const ref = { noteId: note.id, noteVersion: note.version };
    const marker = `[tsm:${documentSourceId(ref)}.`;
    const docs = o.edoc.titles.filter((t) => t.includes(marker)).length;
    docsHist[String(docs)] = (docsHist[String(docs)] ?? 0) + 1;
    if (docs > 1) twice.push(`${docs} eDoc documents`);
    if (docs === 0) missing.push('no eDoc document');

    const followUps = followUpsOf(note.items, s.labels);
    const letterIds = lettersByCpr.get(digits(c.citizenCpr))?.size ?? 0;
    if (followUps.sendToGp) {
      lettersExpected++;
      wantedCprs.add(digits(c.citizenCpr));
      lettersHist[String(letterIds)] = (lettersHist[String(letterIds)] ?? 0) + 1;
      if (letterIds > 1) twice.push(`${letterIds} distinct MedCom letter ids`);
      if (letterIds === 0) missing.push('no MedCom letter');
    } else if (letterIds > 0) {
      twice.push(`${letterIds} MedCom letters although none was asked for`);
    }

    for (const t of followUpTasks(ref, c.meetingDate, followUps, s.organisations(c.districtId), s.taskDueDays, s.resolveOrganisation)) {
      tasksExpected++;
      expectedTaskKeys.add(`${t.title}\u0000${t.organisationName}`);
      const found = o.nexus.tasks.filter((x) => x.title === t.title && x.organisationName === t.organisationName).length;
      if (found > 1) twice.push(`${found} Nexus tasks "${t.kind}"`);
      if (found === 0) missing.push(`no Nexus task "${t.kind}"`);
    }

    if (twice.length) {
      duplicates++;
      violations.push(`note ${c.noteId} v${note.version}: duplicate side effect: ${twice.join(', ')}`);
      continue;
    }
    const state = o.status[c.noteId]?.state;
    if (!missing.length && state === 'done') notesDone++;
    else if (deadByNote.has(c.noteId)) deadLettered++;
    else {
      lost++;
      const why = missing.length ? missing.join(', ') : `tsm-bridge reports it ${state ?? 'unknown'}`;
      violations.push(`note ${c.noteId} v${note.version} lost: ${why}, and no dead letter names it`);
    }
  }

  // Side effects nobody asked for: documents, letters or tasks that match no concluded note.
  const concludedMarkers = o.concluded
    .map((c) => nexusNotes.get(c.noteId))
    .filter(Boolean)
    .map((n) => `[tsm:${documentSourceId({ noteId: n!.id, noteVersion: n!.version })}.`);
  const strayDocs = o.edoc.titles.filter((t) => !concludedMarkers.some((m) => t.includes(m))).length;
  if (strayDocs) violations.push(`${strayDocs} eDoc documents belong to no concluded note`);
  const strayLetters = [...lettersByCpr.keys()].filter((cpr) => !wantedCprs.has(cpr)).length;
  if (strayLetters) violations.push(`MedCom letters reached VANS for ${strayLetters} citizens whose note asked for none`);
  const ourTasks = o.nexus.tasks.filter((t) => /^Tværfagligt samarbejdsmøde \d{4}-\d{2}-\d{2}: /.test(t.title));
  const strayTasks = ourTasks.filter((t) => !expectedTaskKeys.has(`${t.title}\u0000${t.organisationName}`)).length;
  if (strayTasks) violations.push(`${strayTasks} Nexus follow-up tasks belong to no concluded note`);
  if (o.edoc.duplicates) violations.push(`the eDoc sandbox counts ${o.edoc.duplicates} duplicate documents`);
  if (o.vans.unreadable.length) violations.push(`${o.vans.unreadable.length} messages at VANS could not be read back`);
  if (o.chaos.kills < o.chaos.requiredKills)
    violations.push(`only ${o.chaos.kills} worker kills (at least ${o.chaos.requiredKills} required)`);
  if (o.chaos.redisRestarts < o.chaos.requiredRedisRestarts)
    violations.push(`only ${o.chaos.redisRestarts} Redis restarts (${o.chaos.requiredRedisRestarts} required)`);

  let resends = 0;
  for (const letters of lettersByCpr.values()) for (const envelopes of letters.values()) resends += envelopes.size - 1;

  return {
    notesConcluded: o.concluded.length,
    notesDone,
    notesDeadLettered: deadLettered,
    lost,
    edocDocumentsPerNote: docsHist,
    lettersExpected,
    letterIdsPerNote: lettersHist,
    resends,
    receiptsDropped: o.vans.receiptsDropped,
    receiptsDuplicated: o.vans.receiptsDuplicated,
    tasksExpected,
    tasksCreated: ourTasks.length,
    duplicates,
    deadLetters: o.deadLetters.map(({ id, name, reason }) => ({ id, name, reason })),
    kills: o.chaos.kills,
    redisRestarts: o.chaos.redisRestarts,
    violations,
  };
}

/** A MEDCOM_NO_RECEIPT give-up whose letter reached VANS under as many envelopes as the service may send. */
function givenUpAfterEverySend(reason: string, o: ChaosObservations): boolean {
  const letterId = /^\[MEDCOM_NO_RECEIPT\] no receipt for letter (\S+)/.exec(reason)?.[1];
  if (!letterId || !o.medcomSendsPerLetter) return false;
  const envelopes = new Set(o.vans.messages.filter((m) => m.letterId === letterId).map((m) => m.envelopeId));
  return envelopes.size >= o.medcomSendsPerLetter;
}
