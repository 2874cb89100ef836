import type { NexusPort } from '../../adapters/nexus/nexus.port';
import { AuditService } from '../audit/audit.service';
import { IntegrationError, PermanentError, RetryableError } from '../common/errors';
import { District, findDistrict } from '../config/districts';
import { Agenda, buildAgenda, CitizenFacts } from '../domain/agenda.builder';
import { meetingId } from '../domain/after-meeting.rules';
import { isIsoDate } from '../domain/meeting-calendar';
import { rootLogger } from '../logging/logger';
import { agendaSize } from '../metrics/metrics';
import { AgendaStore, StoredAgenda } from './agenda.store';

export interface CollectResult {
  district: District;
  agenda: Agenda;
  /** Present when the snapshot was stored (not in a dry run). */
  stored?: StoredAgenda;
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
  ) {}

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
    if (!isIsoDate(meetingDate)) throw new PermanentError(`meeting date must be YYYY-MM-DD, got ${JSON.stringify(meetingDate)}`, 'AGENDA_BAD_DATE');
    const district = this.district(districtId);
    const names = district.nexus;
    const notes = await this.nexus.findMeetingNotes({
      observationDate: meetingDate, formTitle: names.formTitle, tag: names.tag, citizenList: names.citizenList, citizenView: names.citizenView,
    });
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
      rules: { ...district, formTitle: names.formTitle, tag: names.tag, organisations: names.organisations },
      notes,
      citizens: new Map(facts),
    });
    this.log.info({ district: district.id, meetingDate, notes: notes.length, itemCount: agenda.items.length, excludedCount: agenda.excluded.length, warnings: agenda.warnings }, 'agenda collected');
    if (!opts.store || !this.store) return { district, agenda };

    const stored = await this.store.save(district.id, agenda);
    const labels = { district: district.id, meeting_date: meetingDate };
    agendaSize.set({ ...labels, kind: 'items' }, agenda.items.length);
    agendaSize.set({ ...labels, kind: 'excluded' }, agenda.excluded.length);
    agendaSize.set({ ...labels, kind: 'warnings' }, agenda.warnings.length + agenda.items.reduce((n, i) => n + i.warnings.length, 0));
    await this.audit?.record({
      action: 'agenda.collect', system: 'nexus', outcome: 'ok', meetingId: meetingId(district.id, meetingDate),
      externalIds: { items: String(agenda.items.length), excluded: String(agenda.excluded.length), fingerprint: stored.fingerprint },
    });
    return { district, agenda, stored };
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
