import { z } from 'zod';
import { GP_MESSAGE_FORMATS } from '../src/domain/gp-message-formats';

/**
 * The sandbox seed format shared by the Nexus, eDoc and GP-directory simulators. The shape is a
 * contract (other tools write such files): keep every field below accepted as it is. Optional
 * fields beyond the contract default sensibly.
 */
const isoWithOffset = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/, 'an ISO 8601 timestamp with offset');

export const seedNoteSchema = z.object({
  id: z.number().int().positive(),
  formTitle: z.string().min(1),
  tags: z.array(z.string()).default([]),
  observationTimestamp: isoWithOffset,
  createDate: isoWithOffset,
  state: z.string().min(1).default('Kladde'),
  items: z.record(z.string(), z.string()).default({}),
});

export const seedCitizenSchema = z.object({
  id: z.number().int().positive(),
  cpr: z.string().regex(/^\d{10}$/, '10 digits'),
  firstName: z.string().min(1),
  lastName: z.string().min(1),
  conditions: z.array(z.string()).default([]),
  organizations: z.array(z.number().int()).default([]),
  gp: z.object({ ydernummer: z.string().regex(/^\d{6}$/, '6 digits') }).optional(),
  edocCase: z.string().optional(),
  /** Not in the base contract: which district's citizen list holds the citizen (default: the first district). */
  district: z.string().optional(),
  notes: z.array(seedNoteSchema).default([]),
});

export const seedSchema = z.object({
  organizations: z.array(z.object({ id: z.number().int(), name: z.string().min(1) })).default([]),
  citizens: z.array(seedCitizenSchema).default([]),
  /** Not in the base contract: GP practices for the directory sandbox, by ydernummer. */
  practices: z
    .array(
      z.object({
        ydernummer: z.string().regex(/^\d{6}$/),
        name: z.string().min(1),
        ean: z.string().regex(/^\d{13}$/),
        sor: z.string().min(1),
        formats: z.array(z.enum(GP_MESSAGE_FORMATS)).default(['xdis91']),
        converted: z.boolean().optional(),
      }),
    )
    .optional(),
});

export type Seed = z.infer<typeof seedSchema>;
export type SeedCitizen = z.infer<typeof seedCitizenSchema>;
export type SeedNote = z.infer<typeof seedNoteSchema>;
