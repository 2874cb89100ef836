import { copenhagenDate, parseInstant } from '../../src/common/local-time';

/**
 * Nexus dates as they arrive on the wire: `2024-03-18T11:53:12.000+0000` (no colon in the offset),
 * sometimes `Z`, `+01:00`, no offset at all or a bare date, or epoch milliseconds. The time-zone
 * rules (offset-less = Copenhagen wall time) are the local-time module's; this file only knows the
 * wire's shapes.
 */

/** Epoch ms of a Nexus date, or undefined when it is not one. */
export function parseNexusDate(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  return parseInstant(value)?.getTime();
}

/** The calendar day (YYYY-MM-DD) in Copenhagen of an instant. */
export function copenhagenDay(epochMs: number): string {
  return copenhagenDate(epochMs);
}

/** Nexus's own wire style, used by the sandbox: UTC with a colon-less offset. */
export function formatNexusDate(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('Z', '+0000');
}

/**
 * A date the client writes to Nexus: UTC with `Z` (`2026-12-03T09:30:00.000Z`), as public clients
 * send form dates (Odense `udfyld_skema_felter` converts to UTC before it writes).
 */
export function toNexusWriteDate(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
