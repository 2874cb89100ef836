import type { NexusNote, NexusPort } from '../../../adapters/nexus/nexus.port';
import { AuditService } from '../../audit/audit.service';
import { IntegrationError, PermanentError, RetryableError } from '../../common/errors';
import { District, findDistrict } from '../../config/districts';
import { Agenda, buildAgenda, CitizenFacts, OFF_DATE_DAYS, TrackValues } from '../../domain/agenda.builder';
import { addCalendarDays } from '../../common/local-time';
import { meetingId } from '../../domain/after-meeting.rules';
import { isIsoDate, isMeetingDate } from '../../domain/meeting-calendar';
import { rootLogger } from '../../logging/logger';
import type { AppConfig } from '../../config/config.schema';
import { publicHolidayFilter } from '../../domain/working-days';
import { agendaSize } from '../../metrics/metrics';
import { AgendaStore, StoredAgenda } from './agenda.store';

/** Settings the agenda rules take besides the district (issue 17). */
export interface CollectSettings {
  /** AGENDA_TRACK_VALUES: explicit "Forløbstype" values per track. */
  trackValues?: TrackValues;
  /** NEXUS_TIME_ITEM_LABEL: where the coordinator's (and this service's) time is. */
  timeItem?: string;
  /** Why a series date is not held (a public holiday), or null: its notes are reported on the next held meeting. */
  cancelled?: (date: string) => string | null;
}

/** The collect settings from the service's configuration. */
export function collectSettings(
  c: Pick<AppConfig, 'AGENDA_TRACK_VALUES' | 'NEXUS_TIME_ITEM_LABEL' | 'AGENDA_SKIP_PUBLIC_HOLIDAYS'>,
): CollectSettings {
  return {
    trackValues: c.AGENDA_TRACK_VALUES,
    timeItem: c.NEXUS_TIME_ITEM_LABEL,
    cancelled: publicHolidayFilter(c.AGENDA_SKIP_PUBLIC_HOLIDAYS),
  };
}

export interface CollectResult {
  district: District;
  agenda: Agenda;
  /** Present when the snapshot was stored (not in a dry run). */
  stored?: StoredAgenda;
  /** The notes as read (their self links feed the after-meeting watch list). */
  notes?: NexusNote[];
}

/**
 * Reads one meeting's candidate notes and their citizens' conditions and relations from Nexus and
 * builds the agenda. With `store`, the snapshot is kept for the publish step.
 */
export class CollectAgenda {
  private readonly log = rootLogger().child({ component: 'agenda-collect' });

  constructor(
    private readonly nexus: NexusPort,
    private readonly districts: readonly District[],
    private readonly store: AgendaStore | null,
    private readonly audit: AuditService | null,
    private readonly settings: CollectSettings = {},
  ) {}

  /**
   * The series meetings right before this one that were not held, newest first until one was: notes
   * dated on them were meant for a meeting that never came, so this (the next held) meeting reports them.
   */
  private skippedBefore(district: District, meetingDate: string): string[] {
    const cancelled = this.settings.cancelled;
    if (!cancelled || !isMeetingDate(district, meetingDate)) return [];
    const skipped: string[] = [];
    for (
      let d = addCalendarDays(meetingDate, -district.cadenceDays);
      isMeetingDate(district, d) && cancelled(d) !== null;
      d = addCalendarDays(d, -district.cadenceDays)
    ) {
      skipped.push(d);
      if (skipped.length >= 26) break; // a year of cancelled meetings is a configuration error, not a reason to loop
    }
    return skipped;
  }

  district(districtId: string): District {
    const d = findDistrict(this.districts, districtId);
    if (!d) throw new PermanentError(`unknown district ${JSON.stringify(districtId)}`, 'AGENDA_UNKNOWN_DISTRICT');
    return d;
  }

  async collect(districtId: string, meetingDate: string, opts: { store: boolean }): Promise<CollectResult> {
    try {
      return await this.collectOnce(districtId, meetingDate, opts);
    } catch (err) {
      throw transientInCollect(err);
    }
  }

  private async collectOnce(districtId: string, meetingDate: string, opts: { store: boolean }): Promise<CollectResult> {
    if (!isIsoDate(meetingDate))
      throw new PermanentError(`meeting date must be YYYY-MM-DD, got ${JSON.stringify(meetingDate)}`, 'AGENDA_BAD_DATE');
    const district = this.district(districtId);
    const names = district.nexus;
    const skippedDates = this.skippedBefore(district, meetingDate);
    // Off-date notes are reported, so the query reaches back over the off-date window and skipped meetings.
    const observationFrom = [addCalendarDays(meetingDate, -OFF_DATE_DAYS), ...skippedDates].sort()[0];
    const notes = await this.nexus.findMeetingNotes({
      observationDate: meetingDate,
      observationFrom,
      formTitle: names.formTitle,
      tag: names.tag,
      citizenList: names.citizenList,
      citizenView: names.citizenView,
    });
    // What this service last wrote: a different (or unrecorded) valid time on a note is the coordinator's.
    const writtenTimes = this.store ? await this.store.publishedTimes(district.id, meetingDate) : new Map<number, string>();
    const citizenIds = [...new Set(notes.map((n) => n.citizenId))];
    // The client bounds concurrency (NEXUS_CONCURRENCY); asking for all at once lets it pipeline.
    const facts = await Promise.all(
      citizenIds.map(async (id): Promise<[number, CitizenFacts]> => {
        const [citizen, relations] = await Promise.all([this.nexus.getCitizen(id), this.nexus.getRelations(id)]);
        return [id, { conditions: citizen.conditions, organisations: relations.map((r) => r.organisation.name) }];
      }),
    );
    const agenda = buildAgenda({
      meetingDate,
      rules: {
        ...district,
        formTitle: names.formTitle,
        tag: names.tag,
        organisations: names.organisations,
        trackValues: this.settings.trackValues,
        timeItem: this.settings.timeItem,
      },
      notes,
      citizens: new Map(facts),
      writtenTimes,
      skippedDates,
    });
    this.log.info(
      {
        district: district.id,
        meetingDate,
        notes: notes.length,
        itemCount: agenda.items.length,
        excludedCount: agenda.excluded.length,
        warnings: agenda.warnings,
      },
      'agenda collected',
    );
    if (!opts.store || !this.store) return { district, agenda, notes };

    const stored = await this.store.save(district.id, agenda);
    const labels = { district: district.id, meeting_date: meetingDate };
    agendaSize.set({ ...labels, kind: 'items' }, agenda.items.length);
    agendaSize.set({ ...labels, kind: 'excluded' }, agenda.excluded.length);
    agendaSize.set({ ...labels, kind: 'warnings' }, agenda.warnings.length + agenda.items.reduce((n, i) => n + i.warnings.length, 0));
    await this.audit?.record({
      action: 'agenda.collect',
      system: 'nexus',
      outcome: 'ok',
      meetingId: meetingId(district.id, meetingDate),
      externalIds: { items: String(agenda.items.length), excluded: String(agenda.excluded.length), fingerprint: stored.fingerprint },
    });
    return { district, agenda, stored, notes };
  }
}

/**
 * Collect only reads, so running it again is harmless; and the scheduled collect is a one-shot job
 * whose dead letter means a meeting without an agenda. An answer that is not what Nexus promises
 * (an HTML page with status 200 from a proxy, JSON cut off in transfer) is most often a passing
 * fault in front of Nexus, so here it is retried with the queue's backoff like a 5xx or a timeout;
 * one that persists still ends in the dead letters, under the same code, after the queue's attempts.
 * Other permanent Nexus answers (a list, view or organisation not found, a foreign link) are
 * configuration or data faults and stay permanent.
 */
function transientInCollect(err: unknown): unknown {
  if (err instanceof IntegrationError && err.errorClass === 'permanent' && err.code === 'NEXUS_BAD_RESPONSE') {
    return new RetryableError(err.message, err.code, err.system, err.status);
  }
  return err;
}
