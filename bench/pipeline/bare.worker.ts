import axios from 'axios';
import { FileGpDirectory } from '../../adapters/directory/file-gp-directory';
import { EdocCodeLists } from '../../adapters/edoc/edoc.code-lists';
import { medcomSettings } from '../../adapters/medcom/medcom.settings';
import { messageComposer } from '../../adapters/medcom/message.composer';
import { letterIdFor, envelopeIdFor } from '../../adapters/medcom/letter-identity';
import { FileDropTransport } from '../../adapters/medcom/transport/file-drop.transport';
import { toNote } from '../../adapters/nexus/nexus.mapper';
import type { NexusNote } from '../../adapters/nexus/nexus.port';
import { POLICIES } from '../../queues/policies';
import { copenhagenDay } from '../../adapters/nexus/nexus.dates';
import { loadDistricts } from '../../src/config/districts';
import { loadConfig } from '../../src/config/load-config';
import { renderNotePdf } from '../../src/documents/note-pdf.renderer';
import {
  documentSourceId,
  documentTitle,
  followUpsOf,
  followUpTasks,
  letterIdempotencyKey,
  meetingDateOf,
} from '../../src/domain/after-meeting.rules';
import { noteToGpLetterContent } from '../../src/domain/gp-letter.content';
import { afterMeetingSettings } from '../../src/workflows/after-meeting/after-meeting.settings';
import { WindowProfiler } from '../support/window-profiler';
import { BareEdoc, BareNexus } from './bare-clients';

/**
 * The bare baseline: the after-meeting work for every locked note as a plain script. The same HTTP
 * calls as the pipeline (per note: one read of the note, the citizen reads of each step, case search,
 * upload, task creation; the letter file for the GP) with the same concurrency (per-system
 * semaphores as configured, and per step as many notes at once as the step's queue runs), but no
 * queues, no ledger, no audit, no breakers, no bookkeeping. Reports per-note completion times.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const district = loadDistricts(config)[0];
  const settings = afterMeetingSettings(config, [district]);
  const nexus = new BareNexus(config);
  const edoc = new BareEdoc(config, EdocCodeLists.load(config.EDOC_CODE_LISTS_FILE));
  const medcom = medcomSettings(config);
  const composer = messageComposer(medcom);
  const transport = new FileDropTransport(medcom.outDir, medcom.inDir);
  const directory = FileGpDirectory.fromFile(config.GP_DIRECTORY_FILE!);
  const lockedState = config.NEXUS_ACTION_LOCKED;
  const orgs = settings.organisations(district.id);

  // What the agenda knew before the meeting (untimed, as the pipeline's agenda collect): the notes and their links.
  const known = await nexus.lockedNotes(district.nexus.citizenList, district.nexus.citizenView, district.nexus.formTitle, lockedState);
  const walkCalls = process.env.BENCH_NEXUS_STATS_URL
    ? (await axios.get<{ calls: Record<string, number> }>(process.env.BENCH_NEXUS_STATS_URL)).data.calls
    : {};
  // npm run bench:profile: this main thread's CPU profile over the timed run, as the worker's.
  const profiler = process.env.BENCH_PROFILE_FILE ? new WindowProfiler() : undefined;
  await profiler?.start();
  const t0 = Date.now();
  const cpu0 = process.cpuUsage();
  // The targeted watch: one read per agenda note; that read serves every step (as the pipeline's shared read).
  const notes = await Promise.all(known.map(async (n) => toNote(await nexus.form(n.id), { lockedState, citizenId: n.citizenId })));
  const walkedAt = Date.now();
  const reread = async (n: NexusNote) => n;

  const journal = async (n: NexusNote) => {
    const note = await reread(n);
    const citizen = await nexus.citizen(note.citizenId);
    const meetingDate = meetingDateOf(note.observationTimestamp);
    const ref = { noteId: note.id, noteVersion: note.version };
    const title = documentTitle(ref, meetingDate);
    const pdf = await renderNotePdf({
      title,
      meetingDate,
      citizen: { name: citizen.fullName, cpr: citizen.cpr },
      items: note.items,
      locked: note.locked,
      state: note.state,
      sourceIds: [`Nexus notat ${note.id} v${note.version}`],
    });
    await edoc.upload(await edoc.caseOf(citizen.cpr), documentSourceId(ref), title, meetingDate, pdf);
  };
  const letter = async (n: NexusNote) => {
    const note = await reread(n);
    const citizen = await nexus.citizen(note.citizenId);
    const receiver = await directory.practiceFor(citizen.cpr);
    const meetingDate = meetingDateOf(note.observationTimestamp);
    const { subject, text } = noteToGpLetterContent(note, citizen, meetingDate);
    const format = receiver.formats[0];
    const letterId = letterIdFor(
      medcom.letterIds(),
      letterIdempotencyKey({ noteId: note.id, noteVersion: note.version }, receiver.ydernummer),
      format,
    );
    const envelopeId = envelopeIdFor(letterId, 0, format);
    const now = new Date();
    const message = await composer.compose(format, {
      letterId,
      envelopeId,
      attempt: 0,
      sentAt: now,
      authorisedAt: now,
      sender: medcom.sender,
      author: medcom.author,
      receiver,
      patient: { cpr: citizen.cpr, givenName: citizen.firstName, surname: citizen.lastName },
      subject,
      text,
    });
    await transport.send({ envelopeId, bytes: message.bytes, extension: message.extension, sentAt: now });
  };
  const tasks = async (n: NexusNote) => {
    const note = await reread(n);
    const ref = { noteId: note.id, noteVersion: note.version };
    const meetingDate = meetingDateOf(note.observationTimestamp);
    const followUps = followUpsOf(note.items, settings.labels);
    // Like the task step: each organisation to attach is looked up in Nexus; unknown names go to the coordinator.
    const known = new Map<string, string | null>();
    for (const name of followUps.attachOrganisations) known.set(name, await nexus.findOrganisation(name));
    for (const t of followUpTasks(ref, meetingDate, followUps, orgs, settings.taskDueDays, (name) => known.get(name) ?? null)) {
      await nexus.createTask(note.id, { ...t, typeName: settings.taskType }, copenhagenDay(Date.now()));
    }
  };

  // The steps each note needs, decided from the walk as the watch decides them.
  const doneAt = new Map<number, number>();
  const lane = async (queue: keyof typeof POLICIES, work: NexusNote[], step: (n: NexusNote) => Promise<void>) => {
    let next = 0;
    const runner = async () => {
      for (let i = next++; i < work.length; i = next++) {
        await step(work[i]);
        doneAt.set(work[i].id, Math.max(doneAt.get(work[i].id) ?? 0, Date.now()));
      }
    };
    await Promise.all(Array.from({ length: POLICIES[queue].concurrency }, runner));
  };
  const plan = notes.map((n) => {
    const f = followUpsOf(n.items, settings.labels);
    const taskCount = followUpTasks(
      { noteId: n.id, noteVersion: n.version },
      meetingDateOf(n.observationTimestamp),
      f,
      orgs,
      settings.taskDueDays,
    ).length;
    return { n, gp: f.sendToGp, tasks: taskCount > 0 };
  });
  await Promise.all([
    lane('edoc', notes, journal),
    lane(
      'medcom',
      plan.filter((p) => p.gp).map((p) => p.n),
      letter,
    ),
    lane(
      'nexus',
      plan.filter((p) => p.tasks).map((p) => p.n),
      tasks,
    ),
  ]);
  const cpu = process.cpuUsage(cpu0);
  await profiler?.stop(process.env.BENCH_PROFILE_FILE!);
  const result = { t0, walkedAt, notes: notes.length, doneAt: [...doneAt.entries()], cpuMs: (cpu.user + cpu.system) / 1000, walkCalls };
  await new Promise<void>((resolve) => (process.send ? process.send({ result }, () => resolve()) : resolve()));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bare baseline failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
