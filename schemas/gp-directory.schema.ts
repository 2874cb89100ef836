import { z } from 'zod';
import { GP_MESSAGE_FORMATS } from '../src/domain/gp-message-formats';

/** One GP practice as the directory knows it (the sandbox seed's `practices` rows have the same shape). */
export const gpPracticeSchema = z.object({
  ydernummer: z.string().regex(/^\d{6}$/, '6 digits'),
  name: z.string().min(1),
  ean: z.string().regex(/^\d{13}$/, '13 digits (EAN/GLN location number)'),
  sor: z.string().regex(/^\d{1,18}$/, 'a SOR code (digits)'),
  formats: z.array(z.enum(GP_MESSAGE_FORMATS)).min(1).default(['xdis91']),
  converted: z.boolean().optional(),
  fhirEnvelope: z.boolean().optional(),
});

/**
 * GP_DIRECTORY_FILE: a stand-in for the national register of which GP each citizen is listed with
 * ("sikrede"-registret), until the municipality connects a real lookup. CPR → ydernummer, plus the
 * practices' addressing data.
 */
export const gpDirectoryFileSchema = z.object({
  practices: z.array(gpPracticeSchema),
  gpByCpr: z.record(z.string().regex(/^\d{10}$/, 'CPR keys are 10 digits'), z.string().regex(/^\d{6}$/, '6 digits')).default({}),
});

export type GpDirectoryFile = z.infer<typeof gpDirectoryFileSchema>;
