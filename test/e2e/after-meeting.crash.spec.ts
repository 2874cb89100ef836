import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadSeed } from '../../adapters/shared/sandbox-seed';
import { QueueGateway } from '../../queues/queue.gateway';
import { demoConclusion } from '../../src/demo/demo-meeting';
import { seedOrganisationResolver } from '../../src/demo/demo-reconcile';
import { SandboxControl } from '../../src/demo/sandbox-control';
import { followUpsOf, followUpTasks } from '../../src/domain/after-meeting.rules';
import type { RunningService } from '../../src/main';
import { MeetingStatusService } from '../../src/workflows/after-meeting/after-meeting.status';
import { killServiceProcesses, ServiceProcess, serviceProcessEnv } from '../support/service-process';
import { eventually, startTestService } from '../support/test-service';
import { BEFORE_MEETING_START } from '../support/test-clock';

const labels = {
  sendToGp: 'Send til egen læge',
  homeCareTask: 'Opgave til hjemmeplejen',
  attachOrganisations: 'Tilknyt organisation',
  revisitation: 'Revisitation',
};
const orgs = { homeCare: 'Hjemmeplejen', coordinator: 'Koordinerende rolle', visitator: 'Visitator' };
const MEETING = '2026-12-03';

function gpDirectoryFile(dir: string): string {
  const seed = loadSeed();
  const file = path.join(dir, 'gp-directory.json');
  const gpByCpr = Object.fromEntries(seed.citizens.filter((c) => c.gp).map((c) => [c.cpr, c.gp!.ydernummer]));
  writeFileSync(file, JSON.stringify({ practices: seed.practices ?? [], gpByCpr }));
  return file;
}
const KILLS = 4;

/**
 * The worker is a separate OS process, SIGKILLed again and again while the after-meeting flows of a
 * whole meeting run (simulators slowed down so a kill lands mid-flow). The simulators live in this
 * process, so their state survives every kill; at the end each side effect must exist exactly once.
 */
describe('after-meeting flows survive SIGKILLed workers', () => {
  const env = serviceProcessEnv({
    // Short locks and Nexus timeouts: a dead worker's jobs and task locks are free again within seconds.
    QUEUE_LOCK_MS: '1000',
    NEXUS_TIMEOUT_MS: '1000',
    EDOC_TIMEOUT_MS: '1000',
    WATCH_INTERVAL_MS: '1000',
    LOG_LEVEL: 'silent',
    TSM_NOW: BEFORE_MEETING_START,
    SANDBOX_NEXUS_LATENCY_MS: '10',
    SANDBOX_EDOC_LATENCY_MS: '120',
    SANDBOX_VANS_DELAY_MS: '50',
    // Receipts come within a second here; a resend is a correct answer to a receipt late by the timeout, so the
    // timeout sits well beyond what a loaded machine with four worker kills takes (seen: > 30 s under load 8).
    MEDCOM_RECEIPT_TIMEOUT_MS: '120000',
    MEDCOM_INBOX_POLL_MS: '100',
    // A kill during an in-folder read leaves the receipt claimed by the dead worker; the next worker
    // reclaims it after this long (default 2 min, longer than this test waits).
    MEDCOM_INBOX_RECLAIM_MS: '1000',
  });
  let observer: RunningService;
  let control: SandboxControl;
  let status: MeetingStatusService;
  const concluded: number[] = [];

  beforeAll(async () => {
    // The simulators and an api-role observer run here; only the worker runs in the child.
    observer = await startTestService('api', env, { sandboxes: true });
    control = SandboxControl.fromConfig(observer.config);
    status = observer.app.get(MeetingStatusService);
    const seed = loadSeed();
    // Every meeting note of the Solhøj list (the seed also has other forms, tags and districts).
    const notes = seed.citizens
      .filter((c) => !c.district)
      .flatMap((c) => c.notes)
      .filter(
        (n) =>
          n.observationTimestamp.startsWith(MEETING) &&
          n.state !== 'Låst' &&
          n.formTitle === 'Samlet faglig vurdering' &&
          n.tags.includes('ÆS – Tværfagligt samarbejdsmøde'),
      )
      .map((n) => n.id)
      // Not on the agenda (5010: the citizen's second note, 5014: created after the cut-off): the
      // targeted watch reads only the agenda's notes; the nightly sweep takes these two.
      .filter((id) => id !== 5010 && id !== 5014);
    for (const [i, id] of notes.entries()) {
      await control.concludeNote(id, demoConclusion(i, labels));
      concluded.push(id);
    }
  });
  afterAll(async () => {
    await killServiceProcesses();
    await observer?.stop();
  });

  it(`does every side effect exactly once across ${KILLS} kills`, async () => {
    const c = observer.config;
    const workerEnv = {
      ...env,
      NEXUS_BASE_URL: c.NEXUS_BASE_URL!,
      NEXUS_TOKEN_URL: c.NEXUS_TOKEN_URL!,
      NEXUS_CLIENT_ID: c.NEXUS_CLIENT_ID!,
      NEXUS_CLIENT_SECRET: c.NEXUS_CLIENT_SECRET!,
      EDOC_URL: c.EDOC_URL!,
      EDOC_AUTH: c.EDOC_AUTH,
      EDOC_USER: c.EDOC_USER!,
      EDOC_PASSWORD: c.EDOC_PASSWORD!,
      MEDCOM_OUT_DIR: c.MEDCOM_OUT_DIR!,
      MEDCOM_IN_DIR: c.MEDCOM_IN_DIR!,
      MEDCOM_VANS_SANDBOX: String(c.MEDCOM_VANS_SANDBOX),
      // With VANS outside the worker, the worker needs the directory as a file: the seed's GPs.
      GP_DIRECTORY_FILE: gpDirectoryFile(env.DATA_DIR),
    };
    const filedAtKill: number[] = [];
    const started = Date.now();
    let worker = await ServiceProcess.start({ env: workerEnv });
    for (let k = 0; k < KILLS; k++) {
      // Pull the plug while the meeting is part-way filed, a little further along each time.
      const target = Math.ceil(((k + 1) * concluded.length) / (KILLS + 2));
      await eventually(async () => (await control.edocState()).documents >= target, 30_000, 20);
      await worker.kill();
      filedAtKill.push((await control.edocState()).documents);
      worker = await ServiceProcess.start({ env: workerEnv });
    }
    // A budget for the last worker to finish the meeting: ~10 s on a quiet machine, over 60 s inside a loaded full suite.
    await eventually(
      async () => {
        const s = await status.meeting('solhoej', MEETING);
        if (s.notes.total === concluded.length && s.notes.done === concluded.length) return true;
        throw new Error(`notes done ${s.notes.done} of ${concluded.length} (total seen ${s.notes.total})`);
      },
      180_000,
      200,
    );
    const elapsed = Date.now() - started;
    await worker.stop();
    // Every kill landed mid-meeting: some notes filed, others not yet.
    expect(filedAtKill.every((n) => n > 0 && n < concluded.length)).toBe(true);

    const nexus = await control.nexusState();
    const edoc = await control.edocState();
    const vans = await control.vansState();
    const meeting = await status.meeting('solhoej', MEETING);

    expect(edoc.duplicates).toBe(0);
    for (const item of meeting.items) {
      expect([item.noteId, edoc.titles.filter((t) => t.includes(`tsm:nexus-note-${item.noteId}-v${item.noteVersion}.`)).length]).toEqual([
        item.noteId,
        1,
      ]);
    }
    expect(edoc.documents).toBe(concluded.length);

    const locked = nexus.notes.filter((n) => concluded.includes(n.id));
    const wantLetter = locked
      .filter((n) => followUpsOf(n.items, labels).sendToGp)
      .map((n) => n.id)
      .sort();
    const letters = meeting.items.filter((i) => i.letterId);
    expect(letters.map((i) => i.noteId).sort()).toEqual(wantLetter);
    // One letter id per note at VANS, every one acknowledged; no letter id that belongs to no note.
    // (The agenda the worker published at boot sent its GP invitations through VANS as well.)
    expect(Object.keys(vans.envelopesPerLetter)).toEqual(expect.arrayContaining(letters.map((i) => i.letterId!)));
    for (const i of letters) expect(vans.envelopesPerLetter[i.letterId!]).toBe(1);
    expect(letters.every((i) => i.letterState === 'acknowledged')).toBe(true);

    const expected = locked.flatMap((n) =>
      followUpTasks(
        { noteId: n.id, noteVersion: n.version },
        MEETING,
        followUpsOf(n.items, labels),
        orgs,
        7,
        seedOrganisationResolver(loadSeed()),
      ),
    );
    const created = nexus.tasks.filter((t) => t.title.startsWith(`Tværfagligt samarbejdsmøde ${MEETING}:`));
    expect(created.map((t) => t.title).sort()).toEqual(expected.map((t) => t.title).sort());

    expect(await observer.app.get(QueueGateway).deadLetters()).toEqual([]);
    process.stdout.write(
      `crash test: ${concluded.length} notes, ${KILLS} kills with ${filedAtKill.join(', ')} documents filed, ${elapsed} ms; ${edoc.documents} documents, ${letters.length} letters, ${created.length} tasks\n`,
    );
  }, 300_000);
});
