import { TEST_NOW } from '../../support/test-clock';
import { childrenFlowSuite } from './children-flow.suite';

childrenFlowSuite(TEST_NOW);
