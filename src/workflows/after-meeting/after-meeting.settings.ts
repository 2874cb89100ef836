import type { AppConfig } from '../../config/config.schema';
import { District, findDistrict } from '../../config/districts';
import type { FollowUpLabels, FollowUpOrganisations } from '../../domain/after-meeting.rules';

/** The after-meeting settings drawn from the one config and the districts file. */
export interface AfterMeetingSettings {
  labels: FollowUpLabels;
  organisations(districtId: string): FollowUpOrganisations;
  taskDueDays: number;
  taskType: string;
  lookbackMs: number;
  /** How long a running watch holds its lease without renewing it: a crashed worker's watch is over after this. */
  watchLeaseMs: number;
  documentType: string;
  /** How long after a meeting's start the targeted watch reads its notes (WATCH_FOLLOW_UP_DAYS). */
  followUpMs: number;
  /** A task search plus a create, each bounded by the Nexus timeout, with room to spare. */
  taskLockTtlMs: number;
  /** GP_LETTER_EXCLUDED_ITEMS: form items never put into the GP letter. */
  gpLetterExcludedItems: readonly string[];
  /** The coordinator's unlocked-notes task: working days after the meeting, and at most this many (issue 17). */
  unlockedTask: { afterWorkingDays: number; maxTasks: number };
}

export function afterMeetingSettings(config: AppConfig, districts: readonly District[]): AfterMeetingSettings {
  return {
    labels: {
      sendToGp: config.NEXUS_ITEM_SEND_TO_GP,
      homeCareTask: config.NEXUS_ITEM_HOMECARE_TASK,
      attachOrganisations: config.NEXUS_ITEM_ATTACH_ORGANISATIONS,
      revisitation: config.NEXUS_ITEM_REVISITATION,
    },
    organisations: (districtId) => {
      const d = findDistrict(districts, districtId);
      return {
        homeCare: config.NEXUS_ORG_HOMECARE,
        coordinator: d?.nexus.organisations.coordinator ?? config.NEXUS_ORG_COORDINATOR,
        visitator: d?.nexus.organisations.visitator ?? config.NEXUS_ORG_VISITATOR,
      };
    },
    taskDueDays: config.FOLLOWUP_TASK_DUE_DAYS,
    taskType: config.NEXUS_TASK_TYPE,
    lookbackMs: config.WATCH_LOOKBACK_HOURS * 3_600_000,
    watchLeaseMs: config.QUEUE_LOCK_MS,
    followUpMs: config.WATCH_FOLLOW_UP_DAYS * 86_400_000,
    documentType: config.EDOC_DOCUMENT_TYPE,
    taskLockTtlMs: config.NEXUS_TIMEOUT_MS * 2 + 5_000,
    gpLetterExcludedItems: config.GP_LETTER_EXCLUDED_ITEMS,
    unlockedTask: { afterWorkingDays: config.AFTER_MEETING_UNLOCKED_TASK_DAYS, maxTasks: config.AFTER_MEETING_UNLOCKED_TASK_MAX },
  };
}
