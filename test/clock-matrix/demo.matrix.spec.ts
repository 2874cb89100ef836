import { runDemo } from '../../src/demo/demo-cycle';
import { CLOCK_MATRIX } from './clock-matrix';

/**
 * `demo` on any date: the default seed moves to the next meeting on the demo's clock (TSM_NOW), and
 * the whole cycle (agenda, meeting, watch, eDoc, letters, receipts, tasks) reconciles there.
 */
describe('demo at each instant of the clock matrix', () => {
  it.each(CLOCK_MATRIX)(
    '$label ($now): meeting $meeting reconciles',
    async ({ now, meeting }) => {
      const summary = await runDemo({ now, redisUrl: process.env.TEST_REDIS_URL, logLevel: 'silent', timeoutMs: 90_000 });
      expect(summary.problems).toEqual([]);
      expect(summary).toMatchObject({ reconciled: true, district: 'solhoej', meetingDate: meeting, deadLetters: 0, edocDuplicates: 0 });
      expect(summary.agendaItems).toBeGreaterThan(5);
      expect(summary.excluded).toBeGreaterThan(0); // the seed's late and duplicate notes moved with it
      expect(summary.notesDone).toBe(summary.agendaItems);
    },
    120_000,
  );
});
