import type { AppConfig } from '../../../src/config/config.schema';
import { loadDistricts } from '../../../src/config/districts';
import type { Seed } from '../../../schemas/sandbox-seed.schema';
import { loadSeed } from '../../shared/sandbox-seed';
import { RunningNexusSandbox, startNexusSandbox } from './nexus-sandbox';
import type { SandboxNames } from './nexus-sandbox.state';
import { dialectDraftState } from './nexus-sandbox.wire';

/** The simulator speaks the same local names (list, view, title, tag, states, task type) as the client is configured with. */
export function sandboxNames(config: AppConfig): SandboxNames {
  return {
    citizenList: config.NEXUS_CITIZEN_LIST,
    citizenView: config.NEXUS_CITIZEN_VIEW,
    formTitle: config.NEXUS_FORM_TITLE,
    tag: config.NEXUS_TAG,
    timeItemLabel: config.NEXUS_TIME_ITEM_LABEL,
    lockedState: config.NEXUS_ACTION_LOCKED,
    draftState: dialectDraftState(config.SANDBOX_NEXUS_DIALECT, config.NEXUS_ACTION_DRAFT),
    taskTypes: [config.NEXUS_TASK_TYPE, 'Besked'],
  };
}

/** District id and name → that district's citizen list, so seeded `district` values land on the lists the agenda reads. */
function districtLists(config: AppConfig): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of loadDistricts(config)) {
    out[d.id] = d.nexus.citizenList;
    out[d.name] = d.nexus.citizenList;
  }
  return out;
}

/**
 * Starts the Nexus simulator from SANDBOX_SEED (or the shipped seed) with the env's fault knobs and
 * returns the config entries that point the client at it.
 */
export async function startConfiguredNexusSandbox(
  config: AppConfig,
  opts: { seed?: Seed; now?: () => number } = {},
): Promise<{ sandbox: RunningNexusSandbox; env: Partial<AppConfig> }> {
  const sandbox = await startNexusSandbox({
    seed: opts.seed ?? loadSeed(config.SANDBOX_SEED),
    ...(opts.now ? { now: opts.now } : {}),
    names: sandboxNames(config),
    districtLists: districtLists(config),
    host: config.SANDBOX_HOST,
    port: config.SANDBOX_NEXUS_PORT,
    // Fixed client credentials when configured: a standalone sandbox (docker-compose) and its clients share them.
    clientId: config.NEXUS_CLIENT_ID,
    clientSecret: config.NEXUS_CLIENT_SECRET,
    randomSeed: config.SANDBOX_RANDOM_SEED,
    dialect: config.SANDBOX_NEXUS_DIALECT,
    faults: {
      latencyMs: config.SANDBOX_NEXUS_LATENCY_MS,
      errorRate: config.SANDBOX_NEXUS_ERROR_RATE,
      conflictRate: config.SANDBOX_NEXUS_CONFLICT_RATE,
      timeoutRate: config.SANDBOX_NEXUS_TIMEOUT_RATE,
    },
  });
  return {
    sandbox,
    env: {
      NEXUS_BASE_URL: sandbox.baseUrl,
      NEXUS_TOKEN_URL: sandbox.tokenUrl,
      NEXUS_CLIENT_ID: sandbox.clientId,
      NEXUS_CLIENT_SECRET: sandbox.clientSecret,
      SANDBOX_NEXUS_URL: sandbox.url,
    },
  };
}

/** Base URL of the running Nexus simulator (its /_sandbox/* endpoints live there). */
export function nexusSandboxUrl(config: Pick<AppConfig, 'SANDBOX_NEXUS_URL'>): string {
  if (!config.SANDBOX_NEXUS_URL) throw new Error('no Nexus sandbox is running for this config (SANDBOX_NEXUS_URL unset)');
  return config.SANDBOX_NEXUS_URL;
}
