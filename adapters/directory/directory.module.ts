import { Module } from '@nestjs/common';
import type { AppConfig } from '../../src/config/config.schema';
import { CONFIG } from '../../src/config/tokens';
import { loadSeed } from '../shared/sandbox-seed';
import { GP_DIRECTORY } from './directory.port';
import { FileGpDirectory } from './file-gp-directory';

/**
 * GP directory: GP_DIRECTORY_FILE when configured, otherwise the sandbox seed (SANDBOX_SEED or the
 * shipped default). A broken file stops the boot with a clear message rather than failing letters later.
 */
@Module({
  providers: [
    {
      provide: GP_DIRECTORY,
      inject: [CONFIG],
      useFactory: (config: AppConfig) =>
        config.GP_DIRECTORY_FILE ? FileGpDirectory.fromFile(config.GP_DIRECTORY_FILE) : FileGpDirectory.fromSeed(loadSeed(config.SANDBOX_SEED)),
    },
  ],
  exports: [GP_DIRECTORY],
})
export class DirectoryModule {}
