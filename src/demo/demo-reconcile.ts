import {
  FollowUpLabels,
  FollowUpOrganisations,
  followUpsOf,
  followUpTasks,
  FollowUpTaskKind,
  followUpTitlePrefix,
  OrganisationResolver,
} from '../domain/after-meeting.rules';

/**
 * The demo's verdict: what the sandboxes' own state says happened, checked against what the meeting
 * decided. Pure: the numbers come in, the summary and the list of discrepancies go out.
 */
export interface DemoObservations {
  districtId: string;
  meetingDate: string;
  /** Agenda size, exclusions by reason, and how many items invite the GP (a MedCom letter each). */
  agenda: { items: number; excluded: Record<string, number>; gpInvitations: number };
  /** Letter ids of the agenda's GP invitations (from the audit trail): the only other letters at VANS. */
  invitationLetterIds: string[];
  /** Notes the demo's meeting concluded and locked. */
  concluded: number[];
  nexus: {
    notes: Array<{ id: number; version: number; locked: boolean; items: Record<string, string> }>;
    tasks: Array<{ id: number; on: { noteId?: number; citizenId?: number }; title: string; organisationName?: string }>;
  };
  edoc: { documents: number; duplicates: number; titles: string[] };
  /** Letters as the VANS sandbox saw them: envelopes per letter id (1 = sent once) and receipts it sent. */
  vans: { envelopesPerLetter: Record<string, number>; positiveReceipts: number };
  /** Per note, the letter tsm-bridge recorded for it and the state its receipts gave it. */
  lettersByNote: Record<number, { letterId: string; state?: string } | undefined>;
  notesDone: number;
  deadLetters: Array<{ id: string; name: string; reason: string }>;
  elapsedSeconds: number;
}

export interface DemoSummary {
  district: string;
  meetingDate: string;
  agendaItems: number;
  excluded: number;
  excludedByReason: Record<string, number>;
  notesLocked: number;
  notesDone: number;
  documentsFiled: number;
  edocDuplicates: number;
  lettersExpected: number;
  lettersSent: number;
  gpInvitations: number;
  lettersAcknowledged: number;
  letterResends: number;
  tasksExpected: number;
  tasksCreated: number;
  tasksByKind: Record<FollowUpTaskKind, number>;
  deadLetters: number;
  elapsedSeconds: number;
  reconciled: boolean;
  problems: string[];
  /** The Nexus simulator's dialect the run spoke (SANDBOX_NEXUS_DIALECT). */
  nexusDialect?: string;
}

/** The organisations a sandbox seed gives Nexus, as the note-tasks step finds them (names compare case-insensitively). */
export function seedOrganisationResolver(seed: { organizations: ReadonlyArray<{ name: string }> }): OrganisationResolver {
  const inNexus = new Map(seed.organizations.map((o) => [o.name.trim().toLowerCase(), o.name]));
  return (name) => inNexus.get(name.trim().toLowerCase()) ?? null;
}

export function reconcileDemo(
  o: DemoObservations,
  labels: FollowUpLabels,
  orgs: FollowUpOrganisations,
  taskDueDays: number,
  /** The organisations the simulator knows (names to attach that it does not are the coordinator's task). */
  resolveOrganisation?: OrganisationResolver,
): DemoSummary {
  const problems: string[] = [];
  const notes = new Map(o.nexus.notes.map((n) => [n.id, n]));
  const locked = o.concluded.map((id) => notes.get(id)).filter((n): n is NonNullable<typeof n> => !!n && n.locked);
  if (locked.length !== o.concluded.length) problems.push(`${o.concluded.length - locked.length} concluded notes are not locked in Nexus`);
  if (o.agenda.items === 0) problems.push('the agenda is empty');
  if (o.notesDone !== locked.length) problems.push(`after-meeting done for ${o.notesDone} of ${locked.length} locked notes`);

  // eDoc: exactly one document per locked note version, found by the source reference in its title.
  for (const n of locked) {
    const ref = `tsm:nexus-note-${n.id}-v${n.version}.`;
    const count = o.edoc.titles.filter((t) => t.includes(ref)).length;
    if (count !== 1) problems.push(`note ${n.id} v${n.version}: ${count} eDoc documents (expected 1)`);
  }
  if (o.edoc.duplicates !== 0) problems.push(`eDoc reports ${o.edoc.duplicates} duplicate documents`);
  if (o.edoc.documents !== locked.length) problems.push(`eDoc holds ${o.edoc.documents} documents for ${locked.length} locked notes`);

  // MedCom: one letter id per note asking for it, every one acknowledged; none for the others.
  const wantLetter = locked.filter((n) => followUpsOf(n.items, labels).sendToGp);
  const vansIds = new Set(Object.keys(o.vans.envelopesPerLetter));
  const ourIds = new Map<string, number>();
  let acknowledged = 0;
  for (const n of locked) {
    const letter = o.lettersByNote[n.id];
    const wanted = wantLetter.includes(n);
    if (wanted && !letter) problems.push(`note ${n.id}: no GP letter although "${labels.sendToGp}" is Ja`);
    if (!wanted && letter) problems.push(`note ${n.id}: a GP letter although "${labels.sendToGp}" is not Ja`);
    if (!letter) continue;
    const id = letter.letterId;
    if (ourIds.has(id)) problems.push(`letter id ${id} used for notes ${ourIds.get(id)} and ${n.id}`);
    ourIds.set(id, n.id);
    if (!vansIds.has(id)) problems.push(`note ${n.id}: letter ${id} never reached VANS`);
    else if (letter.state !== 'acknowledged') problems.push(`note ${n.id}: letter ${id} not acknowledged (${letter.state ?? 'no state'})`);
    else acknowledged++;
  }
  const invitations = new Set(o.invitationLetterIds);
  if (invitations.size !== o.agenda.gpInvitations)
    problems.push(`${invitations.size} GP invitation letters for ${o.agenda.gpInvitations} agenda items inviting the GP`);
  for (const id of invitations) if (!vansIds.has(id)) problems.push(`GP invitation letter ${id} never reached VANS`);
  const strangers = [...vansIds].filter((id) => !ourIds.has(id) && !invitations.has(id));
  if (strangers.length) problems.push(`${strangers.length} letter ids at VANS belong to no note (a second letter id for a note?)`);
  if (o.vans.positiveReceipts < acknowledged)
    problems.push(`VANS sent ${o.vans.positiveReceipts} positive receipts for ${acknowledged} acknowledged letters`);
  const resends = Object.values(o.vans.envelopesPerLetter).reduce((sum, n) => sum + Math.max(0, n - 1), 0);

  // Nexus tasks: exactly the follow-ups each note asks for, each once.
  const expected = locked.flatMap((n) =>
    followUpTasks(
      { noteId: n.id, noteVersion: n.version },
      o.meetingDate,
      followUpsOf(n.items, labels),
      orgs,
      taskDueDays,
      resolveOrganisation,
    ),
  );
  const ours = o.nexus.tasks.filter((t) => t.title.startsWith(followUpTitlePrefix(o.meetingDate)));
  const tasksByKind: Record<FollowUpTaskKind, number> = {
    homecare: 0,
    'attach-organisations': 0,
    'unknown-organisation': 0,
    revisitation: 0,
  };
  for (const e of expected) {
    const found = ours.filter((t) => t.title === e.title && t.organisationName === e.organisationName);
    if (found.length !== 1) problems.push(`task "${e.title}": ${found.length} in Nexus (expected 1)`);
    else tasksByKind[e.kind]++;
  }
  if (ours.length !== expected.length) problems.push(`${ours.length} follow-up tasks in Nexus, expected ${expected.length}`);

  if (o.deadLetters.length) problems.push(...o.deadLetters.map((d) => `dead letter ${d.id} (${d.name}): ${d.reason}`));

  return {
    district: o.districtId,
    meetingDate: o.meetingDate,
    agendaItems: o.agenda.items,
    excluded: Object.values(o.agenda.excluded).reduce((a, b) => a + b, 0),
    excludedByReason: o.agenda.excluded,
    notesLocked: locked.length,
    notesDone: o.notesDone,
    documentsFiled: o.edoc.documents,
    edocDuplicates: o.edoc.duplicates,
    lettersExpected: wantLetter.length,
    lettersSent: ourIds.size,
    gpInvitations: invitations.size,
    lettersAcknowledged: acknowledged,
    letterResends: resends,
    tasksExpected: expected.length,
    tasksCreated: ours.length,
    tasksByKind,
    deadLetters: o.deadLetters.length,
    elapsedSeconds: o.elapsedSeconds,
    reconciled: problems.length === 0,
    problems,
  };
}

/** The summary as a person reads it: numbers and ids only. */
export function formatDemoSummary(s: DemoSummary): string {
  const excluded = Object.entries(s.excludedByReason)
    .map(([r, n]) => `${n} ${r}`)
    .join(', ');
  const lines = [
    `tsm-bridge demo: district ${s.district}, meeting ${s.meetingDate}${s.nexusDialect ? `, Nexus dialect ${s.nexusDialect}` : ''}`,
    `  agenda         ${s.agendaItems} items published${s.excluded ? `, ${s.excluded} excluded (${excluded})` : ''}`,
    `  meeting        ${s.notesLocked} notes concluded and locked`,
    `  after-meeting  ${s.notesDone} of ${s.notesLocked} notes done`,
    `  eDoc           ${s.documentsFiled} documents filed, ${s.edocDuplicates} duplicates`,
    `  MedCom         ${s.lettersSent} note letters sent (${s.lettersExpected} requested), ${s.lettersAcknowledged} acknowledged, ${s.letterResends} resends; ${s.gpInvitations} GP invitations`,
    `  Nexus tasks    ${s.tasksCreated} created (${s.tasksByKind.homecare} home care, ${s.tasksByKind['attach-organisations']} attach organisation, ${s.tasksByKind['unknown-organisation']} unknown organisation, ${s.tasksByKind.revisitation} re-visitation)`,
    `  dead letters   ${s.deadLetters}`,
    `  elapsed        ${s.elapsedSeconds.toFixed(1)} s`,
    s.reconciled ? 'RECONCILED: every side effect happened exactly once' : `NOT RECONCILED (${s.problems.length}):`,
    ...s.problems.map((p) => `  - ${p}`),
  ];
  return lines.join('\n');
}
