/**
 * The day the test suite lives on, whatever the calendar says: the Thursday a week before the default
 * seed's Solhøj meeting (2026-12-03), before its cut-off (2026-11-30 16:00). Every service a test
 * starts runs on a clock that starts here (TSM_NOW), unless the test names another instant.
 * The clock-matrix spec runs the date-sensitive paths at other instants.
 */
export const TEST_NOW = '2026-11-26T09:00:00+01:00';
