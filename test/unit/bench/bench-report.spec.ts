import { callsPerNote, OPEN_LINK_WHY } from '../../../bench/pipeline/calls-per-note';
import { medianRound, type PipelineScenarioResult } from '../../../bench/pipeline/pipeline.bench';
import { diffCalls, percentile } from '../../../bench/support/stats';
import { table } from '../../../bench/support/table';

/** A pipeline result for 100 notes of which 60 asked for tasks (80 tasks) and 50 for a letter. */
function result(
  nexus: Record<string, number>,
  edoc: Record<string, number> = { SearchCaseFile: 100, CreateDocumentAndDocumentVersion: 100 },
): PipelineScenarioResult {
  const run = {
    notes: 100,
    seconds: 1,
    notesPerSecond: 100,
    p50Ms: 1,
    p99Ms: 1,
    maxMs: 1,
    calls: { nexus, edoc, vansMessages: 50 },
    cpuMsPerNote: 1,
  };
  return {
    scenario: { name: 't', notes: 100, nexusLatencyMs: 0, edocLatencyMs: 0 },
    pipeline: run,
    bare: run,
    ratio: 1,
    cpuRatio: 1,
    sameCalls: true,
    callDifferences: {},
    jobsPerNote: 3,
    stages: { 'nexus.note-tasks': { jobs: 60, meanMs: 1 }, 'medcom.send-note': { jobs: 50, meanMs: 1 } },
    callTimes: {},
    memory: [],
  };
}

/** The targeted watch's minimum: a token, one read of each note by its stored link, one citizen read per note. */
const walk = { 'POST /token': 1, 'GET /patients/:id': 100, 'GET /formData/:id': 100 };

describe('bench: calls per note against the protocol minimum', () => {
  it('reports no extra call when the run made exactly the minimum', () => {
    const rows = callsPerNote(
      result({
        ...walk,
        'GET /formData/:id/availableAssignmentTypes': 60,
        'GET /assignments/prototype': 60,
        'GET /assignments/organizationAssignees': 60,
        'POST /assignments': 80,
        'GET /organizations': 1,
      }),
    );
    expect(rows.filter((r) => r.perNote > r.minimumPerNote + 1e-9)).toEqual([]);
    expect(rows.every((r) => r.why === '')).toBe(true);
    expect(rows.find((r) => r.system === 'medcom')).toMatchObject({ perNote: 0.5, minimumPerNote: 0.5 });
  });

  it('explains each kind of extra call and lists calls outside the protocol', () => {
    const rows = callsPerNote(
      result(
        {
          ...walk,
          'POST /token': 2,
          'GET /patients/:id': 250,
          'GET /patients/:id/conditions': 150,
          'GET /formData/:id': 350,
          'GET /formData/:id/availableAssignmentTypes': 80,
          'GET /assignments/prototype': 80,
          'GET /assignments/organizationAssignees': 80,
          'POST /assignments': 80,
          'GET /organizations': 3,
        },
        { SearchCaseFile: 100, CreateDocumentAndDocumentVersion: 100, SearchDocument: 4 },
      ),
    );
    const by = (endpoint: string) => rows.find((r) => r.endpoint === endpoint)!;
    expect(by('GET /patients/:id')).toMatchObject({ perNote: 2.5, minimumPerNote: 1 });
    expect(by('GET /patients/:id/conditions')).toMatchObject({ perNote: 1.5, minimumPerNote: 0 });
    expect(by('GET /assignments/prototype')).toMatchObject({ perNote: 0.8, minimumPerNote: 0.6 });
    expect(by('POST /assignments').why).toBe('');
    expect(by('once per batch: token, home').why).toMatch(/home resource/);
    // The walk (a sweep) is not part of the targeted protocol: each of its calls is extra and explained.
    const walked = callsPerNote(result({ ...walk, 'GET /patients/:id/preferences': 100 }));
    expect(walked.find((r) => r.endpoint === 'GET /patients/:id/preferences')).toMatchObject({
      perNote: 1,
      minimumPerNote: 0,
      why: 'the walk ran (a sweep)',
    });
    expect(by('GET /organizations')).toMatchObject({ perNote: 0.03, minimumPerNote: 0.01, why: expect.stringMatching(/read again/) });
    expect(callsPerNote(result({ ...walk, 'GET /other': 5 })).find((r) => r.endpoint === 'GET /other')).toMatchObject({
      why: 'not part of the after-meeting protocol',
    });
    expect(by('SearchDocument')).toMatchObject({ system: 'edoc', why: 'reconciling an unknown outcome' });
    // One search per filing fetches the new document's Links.OpenDocument (the create answer has the id only).
    const edocRow = (searches: number) =>
      callsPerNote(result(walk, { SearchCaseFile: 100, CreateDocumentAndDocumentVersion: 100, SearchDocument: searches })).find(
        (r) => r.endpoint === 'SearchDocument',
      )!;
    expect(edocRow(100)).toMatchObject({ perNote: 1, minimumPerNote: 0, why: OPEN_LINK_WHY });
    expect(edocRow(100).why).toMatch(/Links\.OpenDocument for the audit: the create answer carries only the id/);
    expect(edocRow(104).why).toBe(`${OPEN_LINK_WHY}; the rest reconcile an unknown outcome`);
    for (const r of rows) if (r.perNote > r.minimumPerNote + 1e-9) expect(r.why).not.toBe('');
  });
});

describe('bench: statistics and table', () => {
  it('takes nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('diffs call counts per endpoint, leaving out unchanged ones', () => {
    expect(diffCalls({ a: 5, b: 2, c: 1 }, { a: 3, b: 2, d: 1 })).toEqual({ a: 2, c: 1, d: -1 });
  });

  it('aligns numbers right and text left under a header rule', () => {
    expect(
      table([
        ['name', 'n'],
        ['alpha', 1500],
        ['b', 2.25],
      ]).split('\n'),
    ).toEqual(['name       n', '-----  -----', 'alpha  1,500', 'b       2.25']);
  });
});

describe('bench: repeated pipeline vs bare rounds', () => {
  const round = (ratio: number, cpuRatio: number, extra: Partial<PipelineScenarioResult> = {}): PipelineScenarioResult => ({
    ...result({ 'GET /formData/:id': 100 }),
    ratio,
    cpuRatio,
    ...extra,
  });

  it('reports the median round and keeps every round, in the order they ran', () => {
    const rounds = [round(0.9, 0.8), round(0.6, 0.55, { jobsPerNote: 4 }), round(0.7, 0.66, { jobsPerNote: 5 })];
    const r = medianRound(rounds);
    expect(r).toMatchObject({ ratio: 0.7, cpuRatio: 0.66, jobsPerNote: 5 });
    expect(r.rounds?.map((x) => x.ratio)).toEqual([0.9, 0.6, 0.7]);
  });

  it('takes the lower middle round of an even count', () => {
    expect(medianRound([round(0.9, 0.8), round(0.6, 0.5), round(0.7, 0.6), round(0.8, 0.7)]).ratio).toBe(0.7);
  });

  it('says "same calls" only when every round made the same calls, and keeps the soak samples', () => {
    const differing = round(0.5, 0.5, { sameCalls: false, callDifferences: { 'nexus GET /formData/:id': 3 } });
    const soaked = round(0.8, 0.7, { memory: [{ notes: 1000, rssMb: 200, heapUsedMb: 60 }] });
    const r = medianRound([round(0.7, 0.6), differing, soaked]);
    expect(r).toMatchObject({ ratio: 0.7, sameCalls: false, callDifferences: { 'nexus GET /formData/:id': 3 } });
    expect(r.memory).toEqual([{ notes: 1000, rssMb: 200, heapUsedMb: 60 }]);
  });

  it('passes a single round through unchanged', () => {
    const one = round(0.75, 0.7);
    expect(medianRound([one])).toBe(one);
    expect(() => medianRound([])).toThrow('no rounds');
  });
});
