import { AuditService } from '../../src/audit/audit.service';
import { runDemo } from '../../src/demo/demo-cycle';
import type { DemoSummary } from '../../src/demo/demo-reconcile';
import { followUpsOf } from '../../src/domain/after-meeting.rules';

const labels = {
  sendToGp: 'Send til egen læge',
  homeCareTask: 'Opgave til hjemmeplejen',
  attachOrganisations: 'Tilknyt organisation',
  revisitation: 'Revisitation',
};

/**
 * `tsm-bridge demo` end to end: agenda through the production jobs, the simulated meeting, the
 * after-meeting flows and the receipts. Besides the demo's own verdict, this test reads the
 * simulators' state itself before they stop and checks the counts independently.
 */
describe('tsm-bridge demo: one whole meeting cycle', () => {
  let summary: DemoSummary;
  const seen: Record<string, unknown> = {};

  beforeAll(async () => {
    summary = await runDemo({
      redisUrl: process.env.TEST_REDIS_URL,
      logLevel: 'silent',
      timeoutMs: 60_000,
      beforeStop: async (control, svc) => {
        seen.nexus = await control.nexusState();
        seen.edoc = await control.edocState();
        seen.vans = await control.vansState();
        const audit = svc.app.get(AuditService);
        seen.audit = await audit.query({ day: new Date().toISOString().slice(0, 10), limit: 10_000 });
        seen.prefix = svc.config.QUEUE_PREFIX;
      },
    });
  }, 90_000);

  it('reconciles and reports the meeting in numbers', () => {
    expect(summary.problems).toEqual([]);
    expect(summary).toMatchObject({ reconciled: true, district: 'solhoej', meetingDate: '2026-12-03', deadLetters: 0, edocDuplicates: 0 });
    expect(summary.agendaItems).toBeGreaterThan(5);
    expect(summary.excluded).toBeGreaterThan(0); // the seed's late and duplicate notes
    expect(summary.notesDone).toBe(summary.agendaItems);
    expect(summary.elapsedSeconds).toBeLessThan(60);
  });

  it('matches what the simulators hold', () => {
    const nexus = seen.nexus as {
      notes: Array<{ id: number; version: number; locked: boolean; items: Record<string, string>; observationTimestamp: string }>;
      tasks: Array<{ title: string; on: { noteId?: number } }>;
    };
    const edoc = seen.edoc as { documents: number; duplicates: number; titles: string[] };
    const vans = seen.vans as { envelopesPerLetter: Record<string, number>; positiveReceipts: number };
    // The meeting's notes: locked today by the demo (the seed's earlier meeting was locked long ago).
    const locked = nexus.notes.filter((n) => n.locked && edoc.titles.some((t) => t.includes(`tsm:nexus-note-${n.id}-v${n.version}.`)));
    expect(locked).toHaveLength(summary.agendaItems);
    expect(edoc).toMatchObject({ documents: summary.agendaItems, duplicates: 0 });
    const wantLetters = locked.filter((n) => followUpsOf(n.items, labels).sendToGp).length;
    expect(summary.lettersSent).toBe(wantLetters);
    expect(summary.lettersAcknowledged).toBe(wantLetters);
    expect(Object.keys(vans.envelopesPerLetter)).toHaveLength(wantLetters + summary.gpInvitations);
    expect(Object.values(vans.envelopesPerLetter).every((n) => n === 1)).toBe(true); // nothing resent
    const followUpTasks = nexus.tasks.filter((t) => t.title.startsWith('Tværfagligt samarbejdsmøde 2026-12-03:'));
    expect(followUpTasks).toHaveLength(summary.tasksCreated);
    expect(summary.tasksCreated).toBe(
      summary.tasksByKind.homecare +
        summary.tasksByKind['attach-organisations'] +
        summary.tasksByKind['unknown-organisation'] +
        summary.tasksByKind.revisitation,
    );
  });

  it('audits every filing, letter and task with ids and no personal data', () => {
    const audit = seen.audit as Array<{ action: string; noteId?: number; ledgerKey?: string }>;
    const count = (action: string) => audit.filter((r) => r.action === action).length;
    expect(count('edoc.journal')).toBe(summary.documentsFiled);
    expect(count('medcom.send')).toBe(summary.lettersSent + summary.gpInvitations);
    expect(count('medcom.receipt')).toBeGreaterThanOrEqual(summary.lettersAcknowledged);
    // The agenda's invitation tasks are audited as nexus.task too; the follow-ups have their own ledger keys.
    const followUps = audit.filter((r) => r.action === 'nexus.task' && r.ledgerKey?.startsWith('nexus-task:note:'));
    expect(followUps).toHaveLength(summary.tasksCreated);
    expect(followUps.every((r) => r.noteId)).toBe(true);
    expect(count('after-meeting.done')).toBe(summary.notesDone);
    const text = JSON.stringify(audit);
    expect(text).not.toMatch(/\b\d{6}-?\d{4}\b/); // no CPR-shaped number
    expect(text).not.toMatch(/Prøvesen|Jensen/); // seed surnames
  });

  it('prints no personal data in its summary', () => {
    expect(JSON.stringify(summary)).not.toMatch(/\b\d{10}\b|Prøvesen/);
  });
});
