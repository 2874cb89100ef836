import { boardActionIds, boardActionName, boardRefusal } from '../../../src/admin/board-hooks';
import { maskStrings, maskValue, safeJobName } from '../../../queues/dashboard';

describe('dashboard policy', () => {
  it('names the board actions operators use', () => {
    expect(boardActionName('put', '/api/queues/:queueName/:jobId/retry')).toBe('admin.board.retry');
    expect(boardActionName('put', '/api/queues/:queueName/:jobId/clean')).toBe('admin.board.remove');
    expect(boardActionName('put', '/api/queues/:queueName/retry/:queueStatus')).toBe('admin.board.retry-all');
    expect(boardActionName('put', '/api/queues/pause')).toBe('admin.board.pause-all');
  });

  it('refuses removing or editing a scheduler and cleaning the failed set, and nothing an operator needs', () => {
    expect(
      boardRefusal('put', '/api/queues/:queueName/job-schedulers/:schedulerId/remove', {
        queueName: 'medcom',
        schedulerId: 'medcom-inbox',
      }),
    ).toMatch(/scheduler/);
    expect(boardRefusal('patch', '/api/queues/:queueName/job-schedulers/:schedulerId', {})).toMatch(/scheduler/);
    expect(boardRefusal('put', '/api/queues/:queueName/clean/:queueStatus', { queueName: 'edoc', queueStatus: 'failed' })).toMatch(
      /dead letters/,
    );
    expect(
      boardRefusal('put', '/api/queues/:queueName/clean/:queueStatus', { queueName: 'edoc', queueStatus: 'completed' }),
    ).toBeUndefined();
    expect(boardRefusal('put', '/api/queues/:queueName/:jobId/clean', { queueName: 'edoc', jobId: 'x' })).toBeUndefined();
    expect(boardRefusal('put', '/api/queues/:queueName/job-schedulers/:schedulerId/run', {})).toBeUndefined();
  });

  it('still names an action it has never seen, from its route', () => {
    expect(boardActionName('post', '/api/queues/:queueName/new-thing')).toBe('admin.board.post-api-queues-queueName-new-thing');
  });

  it('records the ids a request acts on, jobs as <queue>/<jobId>', () => {
    expect(boardActionIds({ queueName: 'edoc', jobId: 'journal-5001-v3' })).toEqual({ queue: 'edoc', job: 'edoc/journal-5001-v3' });
    expect(boardActionIds({ queueName: 'edoc', queueStatus: 'failed' })).toEqual({ queue: 'edoc', status: 'failed' });
    expect(boardActionIds({ queueName: 'agenda', schedulerId: 'agenda-weekly' })).toEqual({ queue: 'agenda', scheduler: 'agenda-weekly' });
    expect(boardActionIds({ queueName: { evil: true } })).toEqual({});
  });

  it('shows known job names and masks anything else', () => {
    expect(safeJobName('maintenance.noop')).toBe('maintenance.noop');
    expect(safeJobName('lookup 0101401234')).toBe('[unknown job type]');
    expect(safeJobName(undefined)).toBe('[unknown job type]');
  });

  it('masks return values down to ids', () => {
    expect(maskValue({ noteId: 5001, text: 'Borger har faldet i hjemmet' })).toEqual({ noteId: 5001, text: '[masked]' });
    expect(maskValue(42)).toBe(42);
    expect(maskValue('Anna Jensen')).toBe('[masked]');
    expect(maskValue(['0101401234'])).toBe('[masked]');
    expect(maskValue(undefined)).toBeUndefined();
  });
});

describe('dashboard answers', () => {
  it('masks CPRs in every string and key, and leaves numbers alone', () => {
    const answer = {
      failedReason: 'lookup 010140-1234 failed',
      stacktrace: ['at x (0101401234)'],
      used_memory: 1201991234,
      byCpr: { '0101401234': 1 },
    };
    expect(maskStrings(answer)).toEqual({
      failedReason: 'lookup xxxxxx-xxxx failed',
      stacktrace: ['at x (xxxxxxxxxx)'],
      used_memory: 1201991234,
      byCpr: { xxxxxxxxxx: 1 },
    });
  });
});
