import { childrenFlowSuite } from '../integration/children/children-flow.suite';
import { CLOCK_MATRIX } from './clock-matrix';

/** The children's flow (intake, deadlines, reminders, acceptance, agreement, follow-up) at each instant. */
for (const { now } of CLOCK_MATRIX) childrenFlowSuite(now);
