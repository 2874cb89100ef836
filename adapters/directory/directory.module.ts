import { Module } from '@nestjs/common';
import type { AppConfig } from '../../src/config/config.schema';
import { CONFIG } from '../../src/config/tokens';
import { rootLogger } from '../../src/logging/logger';
import { loadSeed } from '../shared/sandbox-seed';
import { GP_DIRECTORY } from './directory.port';
import { FileGpDirectory } from './file-gp-directory';

/**
 * GP directory: GP_DIRECTORY_FILE when configured; the sandbox seed (SANDBOX_SEED or the shipped
 * default) only while MedCom itself runs on the VANS sandbox. With a real VANS and no directory file
 * every lookup fails (GP_UNKNOWN) – demo practices must never receive real letters. A broken file
 * stops the boot with a clear message rather than failing letters later.
 */
export function createGpDirectory(config: AppConfig): FileGpDirectory {
  if (config.GP_DIRECTORY_FILE) return FileGpDirectory.fromFile(config.GP_DIRECTORY_FILE);
  if (config.sandbox.medcom) return FileGpDirectory.fromSeed(loadSeed(config.SANDBOX_SEED));
  rootLogger().warn('MedCom uses a real VANS but GP_DIRECTORY_FILE is not set: no letter can be addressed');
  return new FileGpDirectory({ practices: [], gpByCpr: {} }, 'no GP directory configured: set GP_DIRECTORY_FILE');
}

@Module({
  providers: [{ provide: GP_DIRECTORY, inject: [CONFIG], useFactory: createGpDirectory }],
  exports: [GP_DIRECTORY],
})
export class DirectoryModule {}
