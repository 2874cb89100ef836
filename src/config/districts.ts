import { readFileSync } from 'node:fs';
import { districtsFileSchema } from '../../schemas/districts.schema';
import { shippedFile } from '../infra/project-root';
import type { AppConfig } from './config.schema';
import { ConfigError } from './load-config';

/** A district's meeting series with every Nexus name resolved (file value, else the NEXUS_* default). */
export interface District {
  id: string;
  name: string;
  firstMeetingDate: string;
  cadenceDays: number;
  startTime: string;
  slotMinutes: number;
  trackMinutes: number;
  cutoffDays: number;
  cutoffTime: string;
  morningTime: string;
  teamsUrl: string;
  location?: string;
  inviteMailboxes: string[];
  nexus: {
    citizenList: string;
    citizenView: string;
    formTitle: string;
    tag: string;
    organisations: { coordinator: string; visitator: string; dementia: string; nurses: string[] };
  };
}

/** The districts file shipped with the sources; DISTRICTS_FILE replaces it. */
export const DEFAULT_DISTRICTS_FILE = shippedFile('src', 'config', 'districts.default.json');

type NamesConfig = Pick<
  AppConfig,
  | 'DISTRICTS_FILE'
  | 'TEAMS_MEETING_URL'
  | 'NEXUS_CITIZEN_LIST'
  | 'NEXUS_CITIZEN_VIEW'
  | 'NEXUS_FORM_TITLE'
  | 'NEXUS_TAG'
  | 'NEXUS_ORG_COORDINATOR'
  | 'NEXUS_ORG_VISITATOR'
  | 'NEXUS_ORG_DEMENTIA'
  | 'NEXUS_ORG_NURSES'
>;

/** Reads and validates the districts file; a bad file stops the boot with one line naming the field. */
export function loadDistricts(config: NamesConfig): District[] {
  const file = config.DISTRICTS_FILE ?? DEFAULT_DISTRICTS_FILE;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`Invalid configuration: DISTRICTS_FILE: cannot read ${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  const parsed = districtsFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`Invalid configuration: DISTRICTS_FILE ${file}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data.districts.map((d) => ({
    ...d,
    teamsUrl: d.teamsUrl ?? config.TEAMS_MEETING_URL,
    nexus: {
      citizenList: d.nexus.citizenList ?? config.NEXUS_CITIZEN_LIST,
      citizenView: d.nexus.citizenView ?? config.NEXUS_CITIZEN_VIEW,
      formTitle: d.nexus.formTitle ?? config.NEXUS_FORM_TITLE,
      tag: d.nexus.tag ?? config.NEXUS_TAG,
      organisations: {
        coordinator: d.nexus.organisations.coordinator ?? config.NEXUS_ORG_COORDINATOR,
        visitator: d.nexus.organisations.visitator ?? config.NEXUS_ORG_VISITATOR,
        dementia: d.nexus.organisations.dementia ?? config.NEXUS_ORG_DEMENTIA,
        nurses:
          typeof d.nexus.organisations.nurses === 'string'
            ? [d.nexus.organisations.nurses]
            : (d.nexus.organisations.nurses ?? config.NEXUS_ORG_NURSES),
      },
    },
  }));
}

/** The district with this id, or undefined. */
export function findDistrict(districts: readonly District[], id: string): District | undefined {
  return districts.find((d) => d.id === id);
}
