import { RunningNexusSandbox, startNexusSandbox } from '../../../adapters/nexus/sandbox/nexus-sandbox';
import { NexusSandboxControl } from '../../../adapters/nexus/sandbox/nexus-sandbox.control';
import { syntheticSeed } from '../../../adapters/nexus/sandbox/synthetic-seed';
import { SANDBOX_NAMES, sandboxNexusClient } from '../../support/nexus-sandbox-client';

/**
 * How many HTTP calls findMeetingNotes costs for N citizens on the list, measured at the sandbox
 * (/_sandbox/stats). Expected, for a client that has not talked to Nexus yet:
 *   1 token + 1 home + 1 preferences + 1 list + 1 content        (5, fixed)
 *   + ⌈ids per page / 50⌉ per list page                          (patients?ids=…)
 *   + 4 per citizen: self, patientPreferences, view, pathwayReferences
 *   + 1 per form reference whose name is the form title (every such note, any date)
 */
const names = SANDBOX_NAMES;
const meetingDate = '2026-12-03';

async function measure(citizens: number, opts: { olderNotesPerCitizen?: number; pageSize?: number } = {}) {
  const sandbox: RunningNexusSandbox = await startNexusSandbox({
    seed: syntheticSeed({
      citizens,
      meetingDate,
      formTitle: names.formTitle,
      tag: names.tag,
      olderNotesPerCitizen: opts.olderNotesPerCitizen,
    }),
    names,
    pageSize: opts.pageSize,
  });
  const client = sandboxNexusClient(sandbox);
  const control = new NexusSandboxControl(sandbox.url);
  try {
    const notes = await client.findMeetingNotes({ observationDate: meetingDate, formTitle: names.formTitle, tag: names.tag });
    const cold = await control.stats();
    await control.reset();
    await client.findMeetingNotes({ observationDate: meetingDate, formTitle: names.formTitle, tag: names.tag });
    const warm = await control.stats();
    return { notes: notes.length, cold, warm };
  } finally {
    client.shutdown();
    await sandbox.stop();
  }
}

describe('findMeetingNotes call count', () => {
  it.each([30, 130])('N = %i citizens, one note each: 5 + ⌈N/50⌉ + 5N calls', async (n) => {
    const { notes, cold, warm } = await measure(n);
    expect(notes).toBe(n);
    expect(cold.total).toBe(5 + Math.ceil(n / 50) + 5 * n);
    expect(cold.calls['GET /patients']).toBe(Math.ceil(n / 50));
    expect(cold.calls['GET /formData/:id']).toBe(n);
    // A warm client has its token and home resource: two calls less.
    expect(warm.total).toBe(cold.total - 2);
  });

  it('older notes of the same form cost one call each (the reference tree does not say which meeting)', async () => {
    const { notes, cold } = await measure(30, { olderNotesPerCitizen: 2 });
    expect(notes).toBe(30);
    expect(cold.total).toBe(5 + 1 + 4 * 30 + 3 * 30);
  });

  it('splits list pages of more than 50 ids into ≤ 50-id calls', async () => {
    const { notes, cold } = await measure(130, { pageSize: 120 });
    expect(notes).toBe(130);
    // Pages of 120 and 10 ids → 3 + 1 calls; the sandbox answers 414 to longer id lists.
    expect(cold.calls['GET /patients']).toBe(4);
  });
});
