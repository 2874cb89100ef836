import { NexusClient } from '../../adapters/nexus/nexus.client';
import type { RunningNexusSandbox } from '../../adapters/nexus/sandbox/nexus-sandbox';

/** The names a synthetic Nexus sandbox is started with (the shipped district's, seed 001). */
export const SANDBOX_NAMES = {
  citizenList: 'Tværfagligt samarbejdsmøde – notater og aftaler',
  citizenView: '- Alt',
  formTitle: 'Samlet faglig vurdering',
  tag: 'ÆS – Tværfagligt samarbejdsmøde',
  timeItemLabel: 'Tidspunkt',
  lockedState: 'Låst',
  draftState: 'Kladde',
  taskTypes: ['Opgave'],
};

/** A NexusClient on a running sandbox, as the service configures one (4 calls at a time). */
export function sandboxNexusClient(sandbox: RunningNexusSandbox): NexusClient {
  return new NexusClient({
    connection: { baseUrl: sandbox.baseUrl, tokenUrl: sandbox.tokenUrl, clientId: sandbox.clientId, clientSecret: sandbox.clientSecret },
    names: {
      citizenList: SANDBOX_NAMES.citizenList,
      citizenView: SANDBOX_NAMES.citizenView,
      timeItemLabel: SANDBOX_NAMES.timeItemLabel,
      lockedAction: SANDBOX_NAMES.lockedState,
    },
    timeoutMs: 10_000,
    concurrency: 4,
  });
}
