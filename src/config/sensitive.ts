import { z } from 'zod';

/** Registry of config fields that are secrets: never printed, and their values are redacted from logs. */
export const sensitiveRegistry = z.registry<{ sensitive: true }>();

export function sensitive<T extends z.ZodType>(schema: T): T {
  sensitiveRegistry.add(schema, { sensitive: true });
  return schema;
}
