import Redis from 'ioredis';
import { AfterMeetingStore } from '../../../src/workflows/after-meeting/after-meeting.store';

/**
 * The store's one-command writes (issue 20) against a real Redis: what the watch asks before
 * enqueueing, marking a version enqueued (versions only grow, the watch list entry goes with it),
 * and the flow's completion time set once.
 */
describe('AfterMeetingStore (real Redis)', () => {
  const redis = new Redis(process.env.TEST_REDIS_URL!);
  const store = new AfterMeetingStore(redis, `amstore${process.pid}x${Date.now().toString(36)}`);
  const meeting = { districtId: 'solhoej', meetingDate: '2026-12-03' };
  afterAll(() => redis.quit());

  it('marks versions enqueued: the latest and the meeting versions only grow, whatever the order', async () => {
    expect(await store.enqueueState({ noteId: 7001, noteVersion: 3 })).toEqual({ processed: false });
    await store.markEnqueued({ noteId: 7001, noteVersion: 4, ...meeting, noteHref: '/formData/7001', citizenId: 9001 });
    await store.markEnqueued({ noteId: 7001, noteVersion: 3, ...meeting }); // a watch that finished late
    expect(await store.enqueueState({ noteId: 7001, noteVersion: 3 })).toEqual({ processed: true, latest: 4 });
    expect(await store.enqueueState({ noteId: 7001, noteVersion: 5 })).toEqual({ processed: false, latest: 4 });
    expect(await store.meetingNotes(meeting.districtId, meeting.meetingDate)).toEqual([{ noteId: 7001, noteVersion: 4 }]);
    expect(await store.meetingsBetween('2026-12-03', '2026-12-03')).toEqual([meeting]);
    expect(await store.noteLocation({ noteId: 7001, noteVersion: 4 })).toEqual({ selfHref: '/formData/7001', citizenId: 9001 });
    expect(await store.record({ noteId: 7001, noteVersion: 3 })).toMatchObject({ ...meeting, taskIds: [] });
  });

  it("drops the note from its meeting's watch list in the same write, only when asked", async () => {
    const at = { ...meeting, startsAt: 0, endsAt: 1 };
    await store.watchMeeting(at, [
      { noteId: 7101, citizenId: 9101, source: 'agenda' },
      { noteId: 7102, citizenId: 9102, source: 'agenda' },
    ]);
    await store.markEnqueued({ noteId: 7101, noteVersion: 1, ...meeting, unwatch: true });
    await store.markEnqueued({ noteId: 7102, noteVersion: 1, ...meeting });
    expect((await store.watchedNotes(meeting)).map((n) => n.noteId)).toEqual([7102]);
    expect(await store.wasOnAgenda(7101)).toBe(true);
  });

  it("keeps the first completion time when the flow's parent runs again, and returns the record", async () => {
    const ref = { noteId: 7201, noteVersion: 2 };
    await store.markEnqueued({ ...ref, ...meeting });
    await store.setResult(ref, { documentId: 'D1', taskIds: ['T1', 'T2'] });
    expect(await store.markDone(ref, '2026-12-03T11:00:00.000Z')).toMatchObject({
      documentId: 'D1',
      taskIds: ['T1', 'T2'],
      doneAt: '2026-12-03T11:00:00.000Z',
    });
    expect((await store.markDone(ref, '2026-12-04T08:00:00.000Z'))?.doneAt).toBe('2026-12-03T11:00:00.000Z');
    expect(await store.doneAtMany([ref])).toEqual(['2026-12-03T11:00:00.000Z']);
  });
});
