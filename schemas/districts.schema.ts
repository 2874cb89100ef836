import { z } from 'zod';

/**
 * The meeting series file: one entry per district that holds a "Tværfagligt samarbejdsmøde".
 * Times are wall-clock times in Europe/Copenhagen. Nexus names left out fall back to the NEXUS_*
 * config values (the seed documents' names), so a municipality only writes what differs.
 */
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time HH:MM (24 h)');

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD')
  .refine((s) => new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s, 'a real calendar date');

const nexusNames = z
  .object({
    citizenList: z.string().min(1).optional(),
    citizenView: z.string().min(1).optional(),
    formTitle: z.string().min(1).optional(),
    tag: z.string().min(1).optional(),
    organisations: z
      .object({
        coordinator: z.string().min(1).optional(),
        visitator: z.string().min(1).optional(),
        dementia: z.string().min(1).optional(),
        nurses: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
      })
      .default({}),
  })
  .default({ organisations: {} });

export const districtSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]{1,40}$/, 'lower-case letters, digits and dashes'),
    name: z.string().min(1).max(60),
    firstMeetingDate: isoDate,
    cadenceDays: z.number().int().min(1).max(366).default(14),
    startTime: hhmm.default('10:00'),
    slotMinutes: z.number().int().min(1).max(120).default(10),
    /** Length of each part: the rehab hour, then the complex hour. */
    trackMinutes: z.number().int().min(1).max(480).default(60),
    cutoffDays: z.number().int().min(0).max(30).default(3),
    /** When the agenda is collected on the cut-off day (D − cutoffDays). */
    cutoffTime: hhmm.default('16:00'),
    /** When it is collected again on the meeting day, before the meeting. */
    morningTime: hhmm.default('07:00'),
    /** Teams meeting link for external participants; TEAMS_MEETING_URL when absent. */
    teamsUrl: z.url().optional(),
    /** Physical meeting place shown in the calendar invitation (no personal data). */
    location: z.string().min(1).max(200).optional(),
    /** Mailboxes that receive the Teams calendar invitation (unit mailboxes, not people). */
    inviteMailboxes: z.array(z.string().min(3)).min(1),
    nexus: nexusNames,
  })
  .refine((d) => d.morningTime < d.startTime, { message: 'morningTime must be before startTime', path: ['morningTime'] });

export const districtsFileSchema = z
  .object({ districts: z.array(districtSchema).min(1) })
  .refine((f) => new Set(f.districts.map((d) => d.id)).size === f.districts.length, {
    message: 'district ids must be unique',
    path: ['districts'],
  });

export type DistrictInput = z.infer<typeof districtSchema>;
export type DistrictsFile = z.infer<typeof districtsFileSchema>;
