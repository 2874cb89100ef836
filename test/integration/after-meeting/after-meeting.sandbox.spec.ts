import type { Redis } from 'ioredis';
import request from 'supertest';
import { QueueGateway } from '../../../queues/queue.gateway';
import { REDIS } from '../../../src/config/tokens';
import { demoConclusion } from '../../../src/demo/demo-meeting';
import { SandboxControl } from '../../../src/demo/sandbox-control';
import { flowJobId } from '../../../src/domain/after-meeting.rules';
import type { RunningService } from '../../../src/main';
import { MeetingStatusService } from '../../../src/workflows/after-meeting/after-meeting.status';
import { WATCH_SCHEDULER_ID } from '../../../src/workflows/after-meeting/after-meeting.scheduler';
import { NotesWatch } from '../../../src/workflows/after-meeting/after-meeting.watch';
import { eventually, startTestService } from '../../support/test-service';

const labels = {
  sendToGp: 'Send til egen læge',
  homeCareTask: 'Opgave til hjemmeplejen',
  attachOrganisations: 'Tilknyt organisation',
  revisitation: 'Revisitation',
};
const NOTES = [5001, 5002, 5003, 5004];

/**
 * The after-meeting flows through the real queues, against the Nexus, eDoc and VANS simulators over
 * real HTTP and files. Counts come from the simulators' own state.
 */
describe('after-meeting flows against the simulators', () => {
  let svc: RunningService;
  let control: SandboxControl;
  let status: MeetingStatusService;
  let gateway: QueueGateway;

  const meeting = () => status.meeting('solhoej', '2026-12-03');
  const documentsOf = async (noteId: number) => (await control.edocState()).titles.filter((t) => t.includes(`tsm:nexus-note-${noteId}-v`));
  const tasksOf = async (noteId: number) =>
    (await control.nexusState()).tasks.filter((t) => t.on.noteId === noteId && /^Tværfagligt samarbejdsmøde \d{4}-/.test(t.title));
  /**
   * A sweep of our own (it finds locked notes whatever agenda they were on); waits out one still
   * running (they take turns).
   */
  const runWatch = () =>
    eventually(async () => {
      const s = await svc.app.get(NotesWatch).sweep();
      return s.skipped ? null : s;
    });
  const allDone = (n: number) =>
    eventually(async () => {
      const s = await meeting();
      return s.notes.total === n && s.notes.done === n;
    }, 20_000);

  beforeAll(async () => {
    // Seconds before the meeting (2026-12-03, 10:00): notes locked now wait for its start (issue 17);
    // a sweep leaves them to the watch, whose scheduled pass processes them once the meeting has begun.
    svc = await startTestService('all', {
      TSM_NOW: '2026-12-03T09:59:50+01:00',
      WATCH_INTERVAL_MS: '100',
      MEDCOM_RECEIPT_TIMEOUT_MS: '5000',
      MEDCOM_INBOX_POLL_MS: '50',
      SANDBOX_VANS_DELAY_MS: '20',
    });
    control = SandboxControl.fromConfig(svc.config);
    status = svc.app.get(MeetingStatusService);
    gateway = svc.app.get(QueueGateway);
    for (const [i, id] of NOTES.entries()) await control.concludeNote(id, demoConclusion(i, labels));
    const swept = (await runWatch())!;
    expect(swept.started + swept.deferred).toBe(NOTES.length);
    await allDone(NOTES.length);
    // The morning collect the service caught up at boot put them on the agenda: the targeted watch
    // processed them at the start, and the coordinator gets no "not on the agenda" task.
    expect((await control.nexusState()).tasks.filter((t) => t.title.startsWith('Notat uden for dagsordenen'))).toEqual([]);
  });
  afterAll(() => svc.stop());

  it('files one document per note, sends one letter per note that asks, creates each task once', async () => {
    const s = await meeting();
    expect(s).toMatchObject({
      notes: { total: 4, done: 4, pending: 0, failed: 0 },
      documents: 4,
      letters: { sent: 2, acknowledged: 2, failed: 0 },
    });
    const edoc = await control.edocState();
    expect(edoc).toMatchObject({ documents: 4, duplicates: 0 });
    for (const id of NOTES) expect(await documentsOf(id)).toHaveLength(1);
    const vans = await control.vansState();
    // demoConclusion: positions 0 and 2 ask for a letter.
    const letters = s.items.filter((i) => i.letterId).map((i) => [i.noteId, i.letterState]);
    expect(letters).toEqual([
      [5001, 'acknowledged'],
      [5003, 'acknowledged'],
    ]);
    // (The agenda published on the meeting morning sent its GP invitations through VANS too.)
    const noteLetters = s.items.filter((i) => i.letterId).map((i) => i.letterId!);
    expect(Object.keys(vans.envelopesPerLetter)).toEqual(expect.arrayContaining(noteLetters));
    for (const id of noteLetters) expect(vans.envelopesPerLetter[id]).toBe(1);
    // Home care at 0 and 3, attach organisations at 1 and 3, re-visitation at 2.
    expect((await tasksOf(5001)).map((t) => t.organisationName)).toEqual(['Hjemmeplejen']);
    // demoConclusion at 1: "Demensspecialister, Sygeplejersker" – each newly attached organisation gets its own task.
    expect((await tasksOf(5002)).map((t) => t.organisationName).sort()).toEqual(['Demensspecialister', 'Sygeplejersker']);
    expect((await tasksOf(5003)).map((t) => t.organisationName)).toEqual(['Visitator']);
    // … at 3: "Hjælpemiddelterapeuter", unknown in Nexus: UNKNOWN_ORGANISATION to the coordinator.
    expect((await tasksOf(5004)).map((t) => t.organisationName).sort()).toEqual(['Hjemmeplejen', 'Koordinerende rolle']);
    expect(await gateway.deadLetters()).toEqual([]);
  });

  it('treats repeated watch hits as harmless', async () => {
    // From here on the tests run the watch themselves, so they know exactly which run did what.
    expect(await gateway.removeScheduler('after-meeting', WATCH_SCHEDULER_ID)).toBe(true);
    const redis = svc.app.get<Redis>(REDIS);
    await redis.del(`${svc.config.QUEUE_PREFIX}:after-meeting-store:cursor:solhoej`);
    expect(await runWatch()).toMatchObject({ started: 0, alreadyProcessed: 4 });
    expect((await control.edocState()).documents).toBe(4);
  });

  it('changes nothing when completed flows are replayed from scratch', async () => {
    const before = { edoc: await control.edocState(), vans: await control.vansState(), tasks: (await control.nexusState()).tasks.length };
    const redis = svc.app.get<Redis>(REDIS);
    // Forget every trace of the flows except the ledger: the jobs, the processed marks and the cursor.
    for (const id of NOTES)
      await gateway
        .queue('after-meeting')
        .remove(flowJobId({ noteId: id, noteVersion: (await meeting()).items.find((i) => i.noteId === id)!.noteVersion }), {
          removeChildren: true,
        });
    await redis.del(
      `${svc.config.QUEUE_PREFIX}:after-meeting-store:processed`,
      `${svc.config.QUEUE_PREFIX}:after-meeting-store:latest`,
      `${svc.config.QUEUE_PREFIX}:after-meeting-store:cursor:solhoej`,
    );
    expect(await runWatch()).toMatchObject({ started: 4 });
    const refs = (await meeting()).items.map((i) => flowJobId(i));
    await eventually(
      async () => (await Promise.all(refs.map((id) => gateway.jobState('after-meeting', id)))).every((s) => s === 'completed'),
      20_000,
    );
    const after = { edoc: await control.edocState(), vans: await control.vansState(), tasks: (await control.nexusState()).tasks.length };
    expect(after.edoc).toEqual(before.edoc);
    expect(after.vans.envelopesPerLetter).toEqual(before.vans.envelopesPerLetter);
    expect(after.tasks).toBe(before.tasks);
  });

  it('processes a re-locked note as a correction: one new document and letter, only changed tasks again', async () => {
    const before = (await meeting()).items.find((i) => i.noteId === 5001)!;
    await control.reopenNote(5001);
    // Same follow-ups as position 0, but a different home care instruction.
    await control.concludeNote(5001, {
      ...demoConclusion(0, labels),
      [labels.homeCareTask]: 'Tilsyn morgen og aften. Opdatér instruksen.',
    });
    expect(await runWatch()).toMatchObject({ started: 1, corrections: 1 });
    await eventually(async () => {
      const item = (await meeting()).items.find((i) => i.noteId === 5001)!;
      return item.noteVersion > before.noteVersion && item.state === 'done';
    }, 20_000);
    const after = (await meeting()).items.find((i) => i.noteId === 5001)!;
    expect(after.correctionOf).toBe(before.noteVersion);
    const docs = await documentsOf(5001);
    expect(docs).toHaveLength(2);
    expect(docs.filter((t) => t.includes(`(rettelse af v${before.noteVersion})`))).toHaveLength(1);
    expect(after.letterId).not.toBe(before.letterId);
    expect(Object.keys((await control.vansState()).envelopesPerLetter)).toEqual(expect.arrayContaining([before.letterId, after.letterId]));
    expect((await tasksOf(5001)).map((t) => t.organisationName)).toEqual(['Hjemmeplejen', 'Hjemmeplejen']);
    expect((await control.edocState()).duplicates).toBe(0);
  });

  it('dead-letters a step that cannot succeed, shows the note failed, and completes the flow after an operator retry', async () => {
    // eDoc refuses the next upload with a business error: permanent, no retries.
    const faults = await fetch(`${new URL(svc.config.EDOC_URL!).origin}/_sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ script: [{ operation: 'CreateDocumentAndDocumentVersion', fault: 'business-error' }] }),
    });
    expect(faults.ok).toBe(true);
    await control.concludeNote(5005, demoConclusion(4, labels));
    expect(await runWatch()).toMatchObject({ started: 1 });
    const item = async () => (await meeting()).items.find((i) => i.noteId === 5005)!;
    await eventually(async () => (await item())?.state === 'failed', 20_000);
    expect(await item()).toMatchObject({ reason: 'step-failed', failedSteps: ['edoc'] });
    // The letter went out regardless: the children are independent.
    await eventually(async () => (await item()).letterState === 'acknowledged', 20_000);
    const dead = await gateway.deadLetters();
    expect(dead.map((d) => [d.id, d.reason.slice(0, 40)])).toEqual([
      [`edoc/note-5005-v${(await item()).noteVersion}-edoc`, expect.stringContaining('[')],
    ]);
    expect(await gateway.retryDeadLetter(dead[0].id, 'test-operator')).toBe(true);
    await eventually(async () => (await item()).state === 'done', 20_000);
    expect(await documentsOf(5005)).toHaveLength(1);
  });

  it('shows the status over admin REST behind the admin guard', async () => {
    const server = svc.baseUrl!;
    await request(server).get('/admin/meetings/solhoej/2026-12-03/status').expect(401);
    const auth = { Authorization: `Basic ${Buffer.from('admin:test-admin-password').toString('base64')}` };
    const res = await request(server).get('/admin/meetings/solhoej/2026-12-03/status').set(auth).expect(200);
    expect(res.body.notes).toEqual({ total: 5, done: 5, pending: 0, failed: 0 });
    await request(server).get('/admin/meetings/nowhere/2026-12-03/status').set(auth).expect(404);
    await request(server).get('/admin/meetings/solhoej/3-12-2026/status').set(auth).expect(400);
    const metrics = await request(server).get('/metrics').set(auth).expect(200);
    expect(metrics.text).toContain('tsm_meeting_notes{district="solhoej",meeting_date="2026-12-03",state="done"} 5');
  });
});
