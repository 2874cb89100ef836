import { scheduledAgendaSuite } from '../integration/agenda/agenda-scheduled.suite';
import { CLOCK_MATRIX } from './clock-matrix';

/** The agenda planner, its delayed collects and the publication, on a service started at each instant. */
for (const { now, meeting } of CLOCK_MATRIX) scheduledAgendaSuite(now, meeting);
