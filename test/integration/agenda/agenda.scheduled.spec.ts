import { TEST_NOW } from '../../support/test-clock';
import { scheduledAgendaSuite } from './agenda-scheduled.suite';

scheduledAgendaSuite(TEST_NOW);
