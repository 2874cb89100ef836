/**
 * The instants of the calendar where a date-dependent path can go wrong, each with the Solhøj meeting
 * that is "next" there (worked out by hand from the series: Thursdays every 14 days from 2026-01-15,
 * public holidays skipped). The clock-matrix specs start the service at each one (TSM_NOW).
 */
export interface MatrixInstant {
  label: string;
  now: string;
  /** The next held Solhøj meeting that has not begun at `now`. */
  meeting: string;
}

export const CLOCK_MATRIX: MatrixInstant[] = [
  { label: 'the day before a cut-off', now: '2026-12-13T12:00:00+01:00', meeting: '2026-12-17' },
  { label: 'the cut-off day at 16:01', now: '2026-12-14T16:01:00+01:00', meeting: '2026-12-17' },
  { label: 'a meeting day before 10:00', now: '2026-12-17T09:30:00+01:00', meeting: '2026-12-17' },
  { label: 'a meeting day after 10:00', now: '2026-12-17T10:30:00+01:00', meeting: '2026-12-31' },
  { label: 'the day after a meeting', now: '2026-12-18T12:00:00+01:00', meeting: '2026-12-31' },
  // Skærtorsdag 2027-03-25 is not held; summer time starts 2027-03-28.
  { label: 'the week summer time starts (after a holiday meeting)', now: '2027-03-26T12:00:00+01:00', meeting: '2027-04-08' },
  // Winter time starts 2027-10-31, between this instant and the cut-off (2027-11-01 16:00).
  { label: 'the week winter time starts', now: '2027-10-29T12:00:00+02:00', meeting: '2027-11-04' },
  { label: '24 December', now: '2026-12-24T12:00:00+01:00', meeting: '2026-12-31' },
  { label: 'a leap day in 2028', now: '2028-02-29T12:00:00+01:00', meeting: '2028-03-09' },
];
