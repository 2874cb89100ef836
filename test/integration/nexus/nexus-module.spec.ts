import 'reflect-metadata';
import { Global, INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NexusModule } from '../../../adapters/nexus/nexus.module';
import { NEXUS_PORT, NexusPort } from '../../../adapters/nexus/nexus.port';
import { startConfiguredNexusSandbox } from '../../../adapters/nexus/sandbox/nexus-sandbox.start';
import type { AppConfig } from '../../../src/config/config.schema';
import { loadConfig } from '../../../src/config/load-config';
import { CONFIG } from '../../../src/config/tokens';

async function boot(config: AppConfig): Promise<INestApplicationContext> {
  @Global()
  @Module({ providers: [{ provide: CONFIG, useValue: config }], exports: [CONFIG] })
  class ConfigModule {}
  @Module({ imports: [ConfigModule, NexusModule] })
  class TestApp {}
  return NestFactory.createApplicationContext(TestApp, { logger: false });
}

describe('NexusModule', () => {
  it('provides NEXUS_PORT built from the config, talking to the sandbox it points at', async () => {
    const base = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
    const { sandbox, env } = await startConfiguredNexusSandbox(base);
    const app = await boot({ ...base, ...env });
    try {
      const nexus = app.get<NexusPort>(NEXUS_PORT);
      await expect(nexus.getCitizen(1001)).resolves.toMatchObject({ id: 1001, cpr: '0703381412' });
    } finally {
      await app.close();
      await sandbox.stop();
    }
  });

  it('boots without any Nexus endpoint; calls then fail with a clear permanent error', async () => {
    const app = await boot(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }));
    try {
      await expect(app.get<NexusPort>(NEXUS_PORT).getNote(5001)).rejects.toMatchObject({
        code: 'NEXUS_NOT_CONFIGURED',
        errorClass: 'permanent',
      });
    } finally {
      await app.close();
    }
  });
});
