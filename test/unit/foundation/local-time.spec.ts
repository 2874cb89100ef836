import fc from 'fast-check';
import {
  addCalendarDays,
  copenhagenDate,
  localCompactStamp,
  localIsoWithOffset,
  localParts,
  localToInstant,
  parseInstant,
  weekdayOf,
} from '../../../src/common/local-time';

// Instants from 2024 to 2031: eight spring and eight autumn changes.
const instants = fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2031, 11, 31) }).map((ms) => new Date(ms));

describe('local-time (Europe/Copenhagen, Luxon)', () => {
  it.each([
    // winter, summer, and the first/last instants on each side of both 2026 changes
    ['2026-01-15T08:59:59.000Z', '2026-01-15', 9, 59, 60],
    ['2026-07-01T08:00:00.000Z', '2026-07-01', 10, 0, 120],
    ['2026-03-29T00:59:59.000Z', '2026-03-29', 1, 59, 60],
    ['2026-03-29T01:00:00.000Z', '2026-03-29', 3, 0, 120],
    ['2026-10-25T00:59:59.000Z', '2026-10-25', 2, 59, 120],
    ['2026-10-25T01:00:00.000Z', '2026-10-25', 2, 0, 60],
    ['2026-12-31T23:30:00.000Z', '2027-01-01', 0, 30, 60],
  ])('%s is %s %d:%d local, offset %d', (iso, date, hour, minute, offset) => {
    const p = localParts(new Date(iso));
    expect([p.date, p.hour, p.minute, p.offsetMinutes]).toEqual([date, hour, minute, offset]);
    expect(copenhagenDate(new Date(iso))).toBe(date);
  });

  it('a wall time skipped by the spring change moves forward by the gap', () => {
    expect(localToInstant('2026-03-29', 2, 30).toISOString()).toBe('2026-03-29T01:30:00.000Z');
  });

  it('property: every instant maps to a local wall time that maps back to it (either instant in the repeated autumn hour)', () => {
    fc.assert(
      fc.property(instants, (t) => {
        const p = localParts(t);
        const back = localToInstant(p.date, p.hour, p.minute);
        const sameMinute = Math.floor(t.getTime() / 60_000) * 60_000;
        const q = localParts(back);
        const sameWall = q.date === p.date && q.hour === p.hour && q.minute === p.minute;
        // In the autumn's repeated hour a wall time names two instants an hour apart; either is right.
        return sameWall && (back.getTime() === sameMinute || Math.abs(back.getTime() - sameMinute) === 3_600_000);
      }),
      { numRuns: 2000 },
    );
  });

  it.each([['2026-10-25T00:00:00.000Z'], ['2026-10-25T00:30:00.000Z'], ['2026-10-25T01:30:00.000Z']])(
    'the repeated autumn hour: %s maps back to the same wall time',
    (iso) => {
      const p = localParts(new Date(iso));
      const q = localParts(localToInstant(p.date, p.hour, p.minute));
      expect([q.date, q.hour, q.minute]).toEqual([p.date, p.hour, p.minute]);
    },
  );

  it('property: the local day changes only at local midnight, and weekdays agree', () => {
    fc.assert(
      fc.property(instants, (t) => {
        const p = localParts(t);
        return weekdayOf(p.date) === p.weekday && addCalendarDays(p.date, 1) > p.date;
      }),
    );
  });

  it('property: an ISO timestamp with an offset parses to the same instant; local ISO round-trips', () => {
    fc.assert(
      fc.property(instants, (t) => {
        const whole = new Date(Math.floor(t.getTime() / 1000) * 1000);
        const nexusStyle = whole.toISOString().replace('Z', '+0000');
        return (
          parseInstant(whole.toISOString())?.getTime() === whole.getTime() &&
          parseInstant(nexusStyle)?.getTime() === whole.getTime() &&
          parseInstant(localIsoWithOffset(whole))?.getTime() === whole.getTime()
        );
      }),
    );
  });

  it('property: a timestamp without an offset is Copenhagen wall time (the one rule)', () => {
    fc.assert(
      fc.property(instants, (t) => {
        const p = localParts(t);
        const wall = `${p.date}T${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}:00`;
        return parseInstant(wall)?.getTime() === localToInstant(p.date, p.hour, p.minute).getTime();
      }),
    );
  });

  it.each([
    ['2026-11-26T09:15:00+01:00', '2026-11-26T08:15:00.000Z'],
    ['2026-11-26T09:15:00.5+0100', '2026-11-26T08:15:00.500Z'],
    ['2026-11-26T09:15:00', '2026-11-26T08:15:00.000Z'],
    ['2026-07-01T09:15', '2026-07-01T07:15:00.000Z'],
    ['2026-07-01', '2026-06-30T22:00:00.000Z'],
    ['2026-07-01T09:15:00Z', '2026-07-01T09:15:00.000Z'],
  ])('parseInstant(%s) = %s', (s, iso) => {
    expect(parseInstant(s)?.toISOString()).toBe(iso);
  });

  it.each(['2024-02-31T10:00:00Z', '2026-11-26T24:00:00Z', 'i morgen', '', '2026-11-26T09:15:00+1'])('parseInstant(%j) is null', (s) => {
    expect(parseInstant(s)).toBeNull();
  });

  it('requireOffset and requireTime refuse what a contract forbids', () => {
    expect(parseInstant('2026-11-26T09:15:00', { requireOffset: true })).toBeNull();
    expect(parseInstant('2026-11-26', { requireTime: true })).toBeNull();
  });

  it('formats MedCom shapes in Danish local time', () => {
    const t = new Date('2026-07-01T08:05:09.123Z');
    expect(localIsoWithOffset(t)).toBe('2026-07-01T10:05:09+02:00');
    expect(localCompactStamp(t)).toBe('20260701100509123');
  });
});
