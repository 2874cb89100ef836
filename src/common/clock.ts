/**
 * The service's one source of "now". Every time-dependent path (schedulers, cut-offs, deadlines,
 * receipt clocks, retention) asks a Clock instead of `new Date()`, so tests and the sandbox can live
 * on a chosen day. Outside production, TSM_NOW starts the clock at that instant and it then runs
 * forward at the machine's pace; production refuses TSM_NOW at boot (see load-config).
 */
export interface Clock {
  now(): Date;
}

/** The Nest injection token for the service's Clock. */
export const CLOCK = Symbol('CLOCK');

/** The machine's clock, or, given `startAt`, a clock that shows `startAt` now and runs forward from there. */
export function systemClock(startAt?: Date): Clock {
  if (!startAt) return { now: () => new Date() };
  const offset = startAt.getTime() - Date.now();
  return { now: () => new Date(Date.now() + offset) };
}

/** The machine's clock, or one that starts at TSM_NOW (refused in production by loadConfig) and runs forward. */
export function serviceClock(config: { TSM_NOW?: string }): Clock {
  return systemClock(config.TSM_NOW ? new Date(config.TSM_NOW) : undefined);
}

/**
 * A running clock (like systemClock) that can also be moved forward at once: the demo "holds the
 * meeting" by moving its clock to the meeting's start, since nothing after-meeting happens before.
 */
export class SteerableClock implements Clock {
  private offset: number;
  constructor(startAt?: Date) {
    this.offset = startAt ? startAt.getTime() - Date.now() : 0;
  }
  now(): Date {
    return new Date(Date.now() + this.offset);
  }
  /** Moves the clock forward to `at` (never back: deadlines already set must not come again). */
  advanceTo(at: Date): void {
    const by = at.getTime() - this.now().getTime();
    if (by > 0) this.offset += by;
  }
}

/** A clock that only moves when told to: for unit tests. */
export class ManualClock implements Clock {
  private t: number;
  constructor(start: Date | string) {
    this.t = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.t);
  }
  set(at: Date | string): void {
    this.t = new Date(at).getTime();
  }
  advance(ms: number): void {
    this.t += ms;
  }
}
