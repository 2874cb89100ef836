import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ExternalUnitId } from '../../domain/children-meeting.rules';
import { shippedFile } from '../../infra/project-root';

/** The external units' central mailboxes ("centrale postkasser"), which receive the request forms. */
export interface ExternalUnit {
  id: ExternalUnitId;
  name: string;
  mailbox: string;
}

const unitSchema = z.strictObject({ name: z.string().min(1), mailbox: z.email() });
const unitsFileSchema = z.strictObject({ sundhedstjenesten: unitSchema, ke: unitSchema });

export const DEFAULT_UNITS_FILE = shippedFile('src', 'workflows', 'children', 'children-units.json');

export class ChildrenUnits {
  private constructor(private readonly units: Record<ExternalUnitId, ExternalUnit>) {}

  /** Reads CHILDREN_UNITS_FILE (or the shipped sandbox file); a bad file stops the boot with its path and the field. */
  static load(file = DEFAULT_UNITS_FILE): ChildrenUnits {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new Error(`children units file ${file}: ${(err as Error).message}`);
    }
    const parsed = unitsFileSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`children units file ${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    const d = parsed.data;
    return new ChildrenUnits({
      sundhedstjenesten: { id: 'sundhedstjenesten', ...d.sundhedstjenesten },
      ke: { id: 'ke', ...d.ke },
    });
  }

  get(id: ExternalUnitId): ExternalUnit {
    return this.units[id];
  }
}
