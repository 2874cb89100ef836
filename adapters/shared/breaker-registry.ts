/** The three states of an opossum circuit breaker, as health checks and metrics name them. */
export type BreakerStateName = 'closed' | 'half-open' | 'open';

/** Every external system's breaker, so health checks and dashboards can report them together. */
const breakers = new Map<string, () => BreakerStateName>();

export function registerBreaker(system: string, state: () => BreakerStateName): void {
  breakers.set(system, state);
}

export function breakerStates(): Record<string, BreakerStateName> {
  return Object.fromEntries([...breakers.entries()].map(([k, f]) => [k, f()]));
}
