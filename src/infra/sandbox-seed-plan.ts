import { DEFAULT_SEED_MEETING, loadSeed, shiftSeed } from '../../adapters/shared/sandbox-seed';
import type { Seed } from '../../schemas/sandbox-seed.schema';
import type { Clock } from '../common/clock';
import type { AppConfig } from '../config/config.schema';
import { loadDistricts } from '../config/districts';
import { daysBetween, nextHeldMeetingAt } from '../domain/meeting-calendar';
import { publicHolidayFilter } from '../domain/working-days';

export interface PlannedSeed {
  seed: Seed;
  /** Calendar days the default seed was moved by (0 for a SANDBOX_SEED file, which is used as written). */
  shiftDays: number;
}

/**
 * The sandbox's seed on the service's clock. The shipped default seed is written for one meeting
 * (DEFAULT_SEED_MEETING); it is moved so that meeting becomes the first district's next held meeting
 * at `clock.now()`, so the sandbox and `demo` work on any date (and at any TSM_NOW). A seed file
 * someone wrote (SANDBOX_SEED) is used as written: its dates are part of what it tests.
 */
export function plannedSandboxSeed(config: AppConfig, clock: Clock): PlannedSeed {
  if (config.SANDBOX_SEED) return { seed: loadSeed(config.SANDBOX_SEED), shiftDays: 0 };
  const [district] = loadDistricts(config);
  const target = nextHeldMeetingAt(district, clock.now(), publicHolidayFilter(config.AGENDA_SKIP_PUBLIC_HOLIDAYS)).date;
  const shiftDays = daysBetween(DEFAULT_SEED_MEETING, target);
  return { seed: shiftSeed(loadSeed(), shiftDays), shiftDays };
}
