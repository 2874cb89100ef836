import { localCompactStamp, localIsoWithOffset, localStamp } from '../../../src/common/local-time';

/**
 * MedCom timestamps are Danish local time: OIOXML as a date and hh:mm without zone, FHIR as
 * dateTime with the local offset (e.g. 2026-12-03T10:15:00+01:00). The zone arithmetic is the
 * local-time module's; these names say which MedCom field each shape is for.
 */
export { localStamp };

/** FHIR dateTime in Danish local time with its offset, to the second. */
export const fhirDateTime = (at: Date): string => localIsoWithOffset(at);

/** Compact local timestamp for file names: YYYYMMDDhhmmssSSS. */
export const fileStamp = (at: Date): string => localCompactStamp(at);
