import type { NexusClient } from '../../../adapters/nexus/nexus.client';
import { nexusFor, type NexusPort } from '../../../adapters/nexus/nexus.port';
import { RunningNexusSandbox, startNexusSandbox } from '../../../adapters/nexus/sandbox/nexus-sandbox';
import { NexusSandboxControl } from '../../../adapters/nexus/sandbox/nexus-sandbox.control';
import { syntheticSeed } from '../../../adapters/nexus/sandbox/synthetic-seed';
import { SANDBOX_NAMES, sandboxNexusClient } from '../../support/nexus-sandbox-client';
import { nexusCalls } from '../../../src/metrics/metrics';
import { clearSharedReads, sharedNoteReads } from '../../../src/workflows/after-meeting/after-meeting.flow';

/**
 * The call budget's purpose label (tsm_nexus_calls_total{purpose}) without an AsyncLocalStorage: a
 * workflow's view of the client (`forPurpose`) counts its calls, and stays the same client.
 */
const names = SANDBOX_NAMES;
const meetingDate = '2026-12-03';

async function byPurpose(): Promise<Record<string, number>> {
  return Object.fromEntries((await nexusCalls.get()).values.map((v) => [String(v.labels.purpose), v.value]));
}

describe('Nexus calls counted per purpose by views of one client', () => {
  let sandbox: RunningNexusSandbox;
  let control: NexusSandboxControl;
  let client: NexusClient;

  beforeEach(async () => {
    sandbox = await startNexusSandbox({
      seed: syntheticSeed({ citizens: 3, meetingDate, formTitle: names.formTitle, tag: names.tag }),
      names,
    });
    control = new NexusSandboxControl(sandbox.url);
    client = sandboxNexusClient(sandbox);
    nexusCalls.reset();
  });

  afterEach(async () => {
    client.shutdown();
    await sandbox.stop();
    clearSharedReads();
  });

  it('counts every request a view sends — the token request it causes included — under its purpose, and the plain client as "other"', async () => {
    const agenda = nexusFor(client, 'agenda');
    const notes = await agenda.findMeetingNotes({ observationDate: meetingDate, formTitle: names.formTitle, tag: names.tag });
    expect(notes.length).toBe(3);
    const walk = (await control.stats()).total;
    expect(await byPurpose()).toEqual({ agenda: walk });

    await nexusFor(client, 'watch').getNote(notes[0].id);
    await client.getNote(notes[1].id);
    expect(await byPurpose()).toEqual({ agenda: walk, watch: 1, other: 1 });
    expect((await control.stats()).total).toBe(walk + 2);
  });

  it('views share the client: one token, one home document, the links one view learned', async () => {
    const agenda = nexusFor(client, 'agenda');
    const notes = await agenda.findMeetingNotes({ observationDate: meetingDate, formTitle: names.formTitle, tag: names.tag });
    await control.reset();
    // The steps' view reads a note by the self link the agenda's view learned: one GET, no token, no home, no walk.
    const steps = nexusFor(client, 'steps');
    expect(steps).not.toBe(agenda);
    expect((await steps.getNote(notes[2].id)).id).toBe(notes[2].id);
    expect((await control.stats()).total).toBe(1);
    // The same purpose twice is the same view; the plain client is its own origin, and every view's.
    expect(nexusFor(client, 'other')).toBe(client);
    expect(steps.origin).toBe(client);
    expect(agenda.origin).toBe(client);
  });

  it('a port without views (a test double) is used as it is', () => {
    const fake = { getNote: jest.fn() } as unknown as NexusPort;
    expect(nexusFor(fake, 'watch')).toBe(fake);
  });

  it("a read one view shares (the watch's) serves another view's version check (a step's)", async () => {
    const notes = await nexusFor(client, 'agenda').findMeetingNotes({
      observationDate: meetingDate,
      formTitle: names.formTitle,
      tag: names.tag,
    });
    const watch = nexusFor(client, 'watch');
    const note = await watch.getNote(notes[0].id);
    sharedNoteReads.remember(watch, { noteId: note.id, noteVersion: note.version }, note);
    await control.reset();
    const read = jest.fn(async () => note);
    await sharedNoteReads.get(nexusFor(client, 'steps'), { noteId: note.id, noteVersion: note.version }, read);
    expect(read).not.toHaveBeenCalled();
    expect((await control.stats()).total).toBe(0);
  });
});
