import { EdocCodeLists } from '../../adapters/edoc/edoc.code-lists';
import { startEdocSandbox } from '../../adapters/edoc/sandbox/edoc.sandbox';
import { startConfiguredNexusSandbox } from '../../adapters/nexus/sandbox/nexus-sandbox.start';
import { medcomDirs } from '../../adapters/medcom/medcom.settings';
import { startVansSandbox } from '../../adapters/medcom/sandbox/start-vans-sandbox';
import { Clock, serviceClock } from '../common/clock';
import type { AppConfig } from '../config/config.schema';
import { plannedSandboxSeed } from './sandbox-seed-plan';

export interface RunningSandboxes {
  /** The config with each sandboxed system's URL/paths filled in. */
  config: AppConfig;
  stop(): Promise<void>;
}

/**
 * Starts the built-in simulators for every system that has no real endpoint configured, on loopback
 * ports, and points the config at them: from there on the adapters cannot tell them from the real thing.
 */
export async function startSandboxes(config: AppConfig, clock: Clock = serviceClock(config)): Promise<RunningSandboxes> {
  const stops: Array<() => Promise<void>> = [];
  const cfg: AppConfig = { ...config };
  const { seed } = plannedSandboxSeed(config, clock);
  if (config.sandbox.nexus) {
    const nexus = await startConfiguredNexusSandbox(config, { seed, now: () => clock.now().getTime() });
    stops.push(nexus.sandbox.stop);
    Object.assign(cfg, nexus.env);
  }
  if (config.sandbox.edoc) {
    const edoc = await startEdocSandbox({
      seed,
      codes: EdocCodeLists.load(config.EDOC_CODE_LISTS_FILE),
      cprField: config.EDOC_CPR_SEARCH_FIELD,
      searchUser: { ns: config.EDOC_SEARCH_USER_ID_NS, position: config.EDOC_SEARCH_USER_ID_POSITION },
      host: config.SANDBOX_HOST,
      port: config.SANDBOX_EDOC_PORT,
      user: config.EDOC_USER,
      password: config.EDOC_PASSWORD,
      randomSeed: config.SANDBOX_RANDOM_SEED,
      faults: {
        latencyMs: config.SANDBOX_EDOC_LATENCY_MS,
        errorRate: config.SANDBOX_EDOC_ERROR_RATE,
        commitTimeoutRate: config.SANDBOX_EDOC_COMMIT_TIMEOUT_RATE,
      },
    });
    stops.push(edoc.stop);
    Object.assign(cfg, { EDOC_URL: edoc.url, EDOC_AUTH: 'basic', EDOC_USER: edoc.user, EDOC_PASSWORD: edoc.password });
  }
  if (config.sandbox.medcom) {
    // The VANS client's file drop under DATA_DIR/medcom, answered by the VANS sandbox.
    const dirs = medcomDirs(config);
    const vans = await startVansSandbox(config, dirs);
    stops.push(vans.stop);
    // MEDCOM_VANS_SANDBOX: processes given these folders know the simulator answers there (medcom.boot-guard).
    Object.assign(cfg, {
      MEDCOM_OUT_DIR: dirs.outDir,
      MEDCOM_IN_DIR: dirs.inDir,
      MEDCOM_VANS_SANDBOX: true,
      SANDBOX_VANS_PORT: vans.http.port,
    });
  }
  return {
    config: cfg,
    stop: async () => {
      for (const s of stops.reverse()) await s().catch(() => undefined);
    },
  };
}
