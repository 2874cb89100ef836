import type { NexusNote } from '../../../adapters/nexus/nexus.port';
import type { District } from '../../config/districts';
import type { Agenda } from '../../domain/agenda.builder';
import { meetingStartInstant } from '../../domain/meeting-calendar';
import type { AfterMeetingStore, WatchedNote } from './after-meeting.store';

/**
 * The agenda's hand-over to the after-meeting watch (the href store): each agenda item's note (with
 * the self link the collect just walked) and citizen, under the meeting's start (first slot,
 * Copenhagen time) and follow-up window. The targeted watch reads exactly these notes, one GET
 * each, and only once the meeting has begun.
 */
export class AgendaWatchList {
  constructor(
    private readonly store: Pick<AfterMeetingStore, 'watchMeeting'>,
    private readonly followUpMs: number,
  ) {}

  async register(district: District, agenda: Pick<Agenda, 'meetingDate' | 'items'>, notes: readonly NexusNote[]): Promise<WatchedNote[]> {
    const startsAt = meetingStartInstant(district, agenda.meetingDate).getTime();
    const byId = new Map(notes.map((n) => [n.id, n]));
    const watched = agenda.items.map((i): WatchedNote => {
      const n = byId.get(i.noteId);
      return {
        noteId: i.noteId,
        citizenId: i.citizenId,
        source: 'agenda',
        ...(n?.selfHref ? { noteHref: n.selfHref } : {}),
      };
    });
    await this.store.watchMeeting(
      { districtId: district.id, meetingDate: agenda.meetingDate, startsAt, endsAt: startsAt + this.followUpMs },
      watched,
    );
    return watched;
  }
}
