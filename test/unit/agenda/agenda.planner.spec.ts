import type { QueueGateway } from '../../../queues/queue.gateway';
import { loadDistricts } from '../../../src/config/districts';
import { loadConfig } from '../../../src/config/load-config';
import { AgendaPlanner } from '../../../src/workflows/agenda/agenda.planner';
import type { AgendaStore } from '../../../src/workflows/agenda/agenda.store';
import { WorkingDayCalendar } from '../../../src/domain/working-days';

/** Records what the planner asks of the queues; the real upsert is exercised in the integration test. */
class RecordingGateway {
  calls: Array<{ op: 'upsert' | 'enqueue'; id: string; spec?: unknown; name: string; payload: unknown; delayMs?: number }> = [];
  removed: string[] = [];

  async upsertScheduler(id: string, spec: unknown, name: string, payload: unknown): Promise<void> {
    this.calls.push({ op: 'upsert', id, spec, name, payload });
  }

  async removeScheduler(_queue: string, id: string): Promise<boolean> {
    this.removed.push(id);
    return false;
  }

  async enqueue(name: string, payload: unknown, opts: { jobId?: string; delayMs?: number }): Promise<string> {
    this.calls.push({ op: 'enqueue', id: opts.jobId!, name, payload, ...(opts.delayMs !== undefined ? { delayMs: opts.delayMs } : {}) });
    return opts.jobId!;
  }
}

const districts = loadDistricts(loadConfig({}));
const solhoej = districts.find((d) => d.id === 'solhoej')!;

function planner(nowIso: string, collected: string[] = [], cancelled?: (date: string) => string | null) {
  const gateway = new RecordingGateway();
  const store = {
    wasCollected: async (d: string, date: string, phase: string) => collected.includes(`${d}/${date}/${phase}`),
  } as unknown as AgendaStore;
  const p = new AgendaPlanner(gateway as unknown as QueueGateway, store, districts, '5 0 * * *', () => new Date(nowIso), cancelled);
  return { p, gateway };
}

/** The delay from the planner's clock to the instant a collect is due. */
const delay = (now: string, at: string) => Date.parse(at) - Date.parse(now);

describe('AgendaPlanner', () => {
  it('schedules each district’s next cut-off and morning collect as delayed jobs on its own clock, plus the daily re-plan', async () => {
    const { p, gateway } = planner('2026-11-23T12:00:00Z');
    const plans = await p.planAll();
    expect(plans).toEqual([
      {
        districtId: 'solhoej',
        meetingDate: '2026-12-03',
        cutoff: { at: '2026-11-30T15:00:00.000Z', plan: 'scheduled' },
        morning: { at: '2026-12-03T06:00:00.000Z', plan: 'scheduled' },
      },
      {
        districtId: 'nordvang',
        meetingDate: '2026-12-01',
        cutoff: { at: '2026-11-28T15:00:00.000Z', plan: 'scheduled' },
        morning: { at: '2026-12-01T06:00:00.000Z', plan: 'scheduled' },
      },
    ]);
    expect(gateway.calls).toEqual([
      { op: 'upsert', id: 'agenda.plan', spec: { pattern: '5 0 * * *', tz: 'Europe/Copenhagen' }, name: 'agenda.plan', payload: {} },
      {
        op: 'enqueue',
        id: 'agenda-collect-solhoej-2026-12-03-cutoff',
        delayMs: delay('2026-11-23T12:00:00Z', '2026-11-30T15:00:00Z'),
        name: 'agenda.collect',
        payload: { districtId: 'solhoej', meetingDate: '2026-12-03', phase: 'cutoff' },
      },
      {
        op: 'enqueue',
        id: 'agenda-collect-solhoej-2026-12-03-morning',
        delayMs: delay('2026-11-23T12:00:00Z', '2026-12-03T06:00:00Z'),
        name: 'agenda.collect',
        payload: { districtId: 'solhoej', meetingDate: '2026-12-03', phase: 'morning' },
      },
      {
        op: 'enqueue',
        id: 'agenda-collect-nordvang-2026-12-01-cutoff',
        delayMs: delay('2026-11-23T12:00:00Z', '2026-11-28T15:00:00Z'),
        name: 'agenda.collect',
        payload: { districtId: 'nordvang', meetingDate: '2026-12-01', phase: 'cutoff' },
      },
      {
        op: 'enqueue',
        id: 'agenda-collect-nordvang-2026-12-01-morning',
        delayMs: delay('2026-11-23T12:00:00Z', '2026-12-01T06:00:00Z'),
        name: 'agenda.collect',
        payload: { districtId: 'nordvang', meetingDate: '2026-12-01', phase: 'morning' },
      },
    ]);
    // The one-shot cron schedulers of earlier versions fired on the machine's calendar: planning removes them.
    expect(gateway.removed).toEqual([
      'agenda.cutoff.solhoej',
      'agenda.morning.solhoej',
      'agenda.cutoff.nordvang',
      'agenda.morning.nordvang',
    ]);
  });

  it('does not plan a meeting on a public holiday: the next held one gets the collects, and the skip is in the plan', async () => {
    const holidays = new WorkingDayCalendar();
    const { p, gateway } = planner('2027-04-30T12:00:00Z', [], (d) => holidays.publicHoliday(d));
    const [plan] = await p.planAll();
    expect(plan).toMatchObject({
      districtId: 'solhoej',
      meetingDate: '2027-05-20',
      skipped: [{ date: '2027-05-06', reason: 'Kristi Himmelfartsdag' }],
    });
    expect(gateway.calls.filter((c) => c.id === 'agenda-collect-solhoej-2027-05-20-cutoff').map((c) => c.payload)).toEqual([
      { districtId: 'solhoej', meetingDate: '2027-05-20', phase: 'cutoff' },
    ]);
    expect(gateway.calls.filter((c) => c.id.includes('2027-05-06'))).toEqual([]);
    // Without the holiday rule the same moment plans the holiday.
    expect(planner('2027-04-30T12:00:00Z').p.nextMeeting(solhoej)).toBe('2027-05-06');
  });

  it('plans the same job ids every time (restart-safe: BullMQ adds a job id once), due at the same instants', async () => {
    const a = planner('2026-11-23T12:00:00Z');
    const b = planner('2026-11-24T00:05:00Z');
    await a.p.planAll();
    await a.p.planAll();
    await b.p.planAll();
    const ids = (calls: typeof a.gateway.calls) => calls.map((c) => c.id);
    expect(ids(a.gateway.calls.slice(5))).toEqual(ids(a.gateway.calls.slice(0, 5)));
    expect(ids(b.gateway.calls)).toEqual(ids(a.gateway.calls.slice(0, 5)));
    const dueAt = (now: string, calls: typeof a.gateway.calls) =>
      calls.filter((c) => c.op === 'enqueue').map((c) => Date.parse(now) + c.delayMs!);
    expect(dueAt('2026-11-24T00:05:00Z', b.gateway.calls)).toEqual(dueAt('2026-11-23T12:00:00Z', a.gateway.calls.slice(0, 5)));
  });

  it('catches up a cut-off collect that did not run (worker down), under a deterministic job id', async () => {
    const { p, gateway } = planner('2026-12-01T10:00:00Z');
    const plan = await p.planDistrict(solhoej);
    expect(plan.cutoff).toEqual({ at: '2026-11-30T15:00:00.000Z', plan: 'caught-up' });
    expect(plan.morning.plan).toBe('scheduled');
    expect(gateway.calls[0]).toEqual({
      op: 'enqueue',
      id: 'agenda-collect-solhoej-2026-12-03-cutoff',
      name: 'agenda.collect',
      payload: { districtId: 'solhoej', meetingDate: '2026-12-03', phase: 'cutoff' },
    });
  });

  it('does not repeat a collect that already ran', async () => {
    const { p, gateway } = planner('2026-12-01T10:00:00Z', ['solhoej/2026-12-03/cutoff']);
    expect((await p.planDistrict(solhoej)).cutoff.plan).toBe('done');
    expect(gateway.calls.filter((c) => c.id.endsWith('-cutoff'))).toEqual([]);
  });

  it.each([
    ['2026-12-03T06:30:00Z', '2026-12-03', 'caught-up'], // after the 07:00 collect, before the 10:00 meeting
    ['2026-12-03T08:59:00Z', '2026-12-03', 'caught-up'],
    ['2026-12-03T09:00:00Z', '2026-12-17', 'scheduled'], // the meeting has begun: plan the next one
    ['2026-12-31T12:00:00Z', '2027-01-14', 'scheduled'],
  ])('at %s the meeting to plan is %s (morning: %s)', async (now, meetingDate, morning) => {
    const plan = await planner(now).p.planDistrict(solhoej);
    expect(plan.meetingDate).toBe(meetingDate);
    expect(plan.morning.plan).toBe(morning);
  });

  it.each([
    // a cut-off in winter time and one in summer time: 16:00 local stays 16:00 local
    ['2026-03-20T12:00:00Z', '2026-03-26', '2026-03-23T15:00:00.000Z'],
    ['2026-03-27T12:00:00Z', '2026-04-09', '2026-04-06T14:00:00.000Z'],
    ['2026-10-16T12:00:00Z', '2026-10-22', '2026-10-19T14:00:00.000Z'],
    ['2026-10-23T12:00:00Z', '2026-11-05', '2026-11-02T15:00:00.000Z'],
  ])('around DST (now %s): meeting %s, cut-off at 16:00 local = %s', async (now, meetingDate, at) => {
    const { p, gateway } = planner(now);
    const plan = await p.planDistrict(solhoej);
    expect(plan).toMatchObject({ meetingDate, cutoff: { at, plan: 'scheduled' } });
    expect(gateway.calls[0]).toMatchObject({ id: `agenda-collect-solhoej-${meetingDate}-cutoff`, delayMs: delay(now, at) });
  });

  it('treats a scheduled collect that fires after its meeting began as over; a manual one never', () => {
    const { p } = planner('2026-12-03T09:30:00Z');
    expect(p.isOver(solhoej, { districtId: 'solhoej', meetingDate: '2026-12-03', phase: 'morning' })).toBe(true);
    expect(p.isOver(solhoej, { districtId: 'solhoej', meetingDate: '2026-12-17', phase: 'cutoff' })).toBe(false);
    expect(p.isOver(solhoej, { districtId: 'solhoej', meetingDate: '2026-12-03', phase: 'manual' })).toBe(false);
  });
});
