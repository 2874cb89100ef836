import { Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import type { AppConfig } from '../../src/config/config.schema';
import { CONFIG } from '../../src/config/tokens';
import { NexusClient } from './nexus.client';
import { NEXUS_PORT } from './nexus.port';

/** Releases the client's breaker timers when the app stops. */
class NexusClientCloser implements OnApplicationShutdown {
  constructor(@Inject(NEXUS_PORT) private readonly client: NexusClient) {}

  onApplicationShutdown(): void {
    this.client.shutdown();
  }
}

/**
 * Nexus adapter: NEXUS_PORT backed by NexusClient, built from the config the app booted with
 * (already pointed at the sandbox when no real Nexus is configured). Building it never calls
 * Nexus: token and home resource are fetched on first use, and a config without an endpoint
 * fails each call with NEXUS_NOT_CONFIGURED instead of the boot.
 */
@Module({
  providers: [
    { provide: NEXUS_PORT, inject: [CONFIG], useFactory: (config: AppConfig) => NexusClient.fromConfig(config) },
    NexusClientCloser,
  ],
  exports: [NEXUS_PORT],
})
export class NexusModule {}
