/**
 * The day the test suite lives on, whatever the calendar says: the Thursday a week before the default
 * seed's Solhøj meeting (2026-12-03), before its cut-off (2026-11-30 16:00). Every service a test
 * starts runs on a clock that starts here (TSM_NOW), unless the test names another instant.
 * The clock-matrix spec runs the date-sensitive paths at other instants.
 */
export const TEST_NOW = '2026-11-26T09:00:00+01:00';

/**
 * Fifteen seconds before the default seed's Solhøj meeting begins (2026-12-03, 10:00). A service
 * started here catches up the meeting morning's agenda collect at boot (which hands the agenda's
 * notes to the after-meeting watch), and the meeting begins while the test runs: after-meeting work
 * waits for that (issue 17), so tests of the whole after-meeting path start here.
 */
export const BEFORE_MEETING_START = '2026-12-03T09:59:45+01:00';
