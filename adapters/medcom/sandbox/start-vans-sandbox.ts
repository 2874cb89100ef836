import type { AppConfig } from '../../../src/config/config.schema';
import { VansSandbox } from './vans-sandbox';
import { startVansSandboxHttp, VansSandboxHttp } from './vans-sandbox.http';

export interface RunningVansSandbox {
  sandbox: VansSandbox;
  http: VansSandboxHttp;
  stop(): Promise<void>;
}

/** The VANS sandbox on the given folders, with its fault knobs and control port from the config. */
export async function startVansSandbox(config: AppConfig, dirs: { outDir: string; inDir: string }): Promise<RunningVansSandbox> {
  const sandbox = new VansSandbox({
    ...dirs,
    seed: config.SANDBOX_RANDOM_SEED,
    requireFhirEnvelope: config.SANDBOX_VANS_REQUIRE_ENVELOPE,
    faults: {
      delayMs: config.SANDBOX_VANS_DELAY_MS,
      dropRate: config.SANDBOX_VANS_DROP_RATE,
      negativeRate: config.SANDBOX_VANS_NEGATIVE_RATE,
      vansNegativeRate: config.SANDBOX_VANS_VANS_NEGATIVE_RATE,
      duplicateRate: config.SANDBOX_VANS_DUPLICATE_RATE,
      garbageRate: config.SANDBOX_VANS_GARBAGE_RATE,
    },
  });
  await sandbox.start();
  const http = await startVansSandboxHttp(sandbox, config.SANDBOX_HOST, config.SANDBOX_VANS_PORT ?? 0);
  return {
    sandbox,
    http,
    stop: async () => {
      await http.close();
      await sandbox.stop();
    },
  };
}
