import fc from 'fast-check';
import {
  agreementSchema,
  CHILDREN_LIMITS,
  childrenRequestSchema,
  decodedLength,
  followUpSchema,
} from '../../../schemas/children-request.schema';

const pdf = (bytes: number) => {
  const head = Buffer.from('%PDF-1.4\n');
  return Buffer.concat([head, Buffer.alloc(Math.max(0, bytes - head.length), 0x20)]).toString('base64');
};

const valid = {
  child: { cpr: '140519-4321' },
  consentGiven: true,
  localUnit: { name: 'Solhøj Skole', type: 'skole' },
  localLeader: { name: 'Lene Leder', email: 'lene@solhoej.example' },
  externalUnits: ['Sundhedstjenesten'],
  proposedStart: '2026-03-23T10:00:00+01:00',
  place: { type: 'skole', address: 'Skolevej 2' },
  description: 'Bekymring for trivsel.',
};

const issuePaths = (body: unknown) => {
  const r = childrenRequestSchema.safeParse(body);
  return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
};

describe('request form schema (anmodningsskema)', () => {
  it('accepts a complete form and defaults attachments and parents to none', () => {
    const r = childrenRequestSchema.parse(valid);
    expect(r.attachments).toEqual([]);
    expect(r.parents).toEqual([]);
    expect(r.meetingLeader).toBeUndefined();
    const full = childrenRequestSchema.parse({
      ...valid,
      meetingLeader: { name: 'Mette', email: 'mette@x.dk' },
      parents: [{ name: 'Mor', email: 'mor@x.dk' }, { name: 'Far' }],
    });
    expect(full.parents).toEqual([{ name: 'Mor', email: 'mor@x.dk' }, { name: 'Far' }]);
    expect(r.child.cpr).toBe('140519-4321');
  });

  it.each([
    ['CPR without a valid date', { child: { cpr: '320119-4321' } }, ['child.cpr']],
    ['CPR too short', { child: { cpr: '14051943' } }, ['child.cpr']],
    ['consent as a string', { consentGiven: 'yes' }, ['consentGiven']],
    ['unknown local unit type', { localUnit: { name: 'X', type: 'hospital' } }, ['localUnit.type']],
    ['leader without e-mail', { localLeader: { name: 'Lene' } }, ['localLeader.email']],
    ['bad e-mail', { localLeader: { name: 'Lene', email: 'not-a-mail' } }, ['localLeader.email']],
    ['start without offset', { proposedStart: '2026-03-23T10:00:00' }, ['proposedStart']],
    ['start not a date', { proposedStart: 'next monday' }, ['proposedStart']],
    ['place type unknown', { place: { type: 'kontor', address: 'x' } }, ['place.type']],
    ['empty description', { description: '   ' }, ['description']],
    ['description too long', { description: 'x'.repeat(CHILDREN_LIMITS.text + 1) }, ['description']],
    ['external units not a list', { externalUnits: 'KE' }, ['externalUnits']],
    ['unknown field (typo)', { consent: true }, ['']],
    ['requestId with a colon', { requestId: 'a:b' }, ['requestId']],
    ['meeting leader without e-mail', { meetingLeader: { name: 'Mette' } }, ['meetingLeader.email']],
    ['meeting leader with an unknown field', { meetingLeader: { name: 'Mette', email: 'm@x.dk', cpr: '1' } }, ['meetingLeader']],
    ['a parent without a name', { parents: [{ email: 'mor@x.dk' }] }, ['parents.0.name']],
    ['a parent with a bad e-mail', { parents: [{ name: 'Mor', email: 'mor' }] }, ['parents.0.email']],
    [
      'more than four parents',
      { parents: Array.from({ length: CHILDREN_LIMITS.parents + 1 }, (_, i) => ({ name: `P${i}` })) },
      ['parents'],
    ],
  ])('%s → 400', (_what, patch, paths) => {
    expect(issuePaths({ ...valid, ...patch })).toEqual(paths);
  });

  it.each([
    [
      'not a PDF',
      { filename: 'a.pdf', contentType: 'application/pdf', base64: Buffer.from('hello world!').toString('base64') },
      'attachments.0.base64',
    ],
    ['wrong content type', { filename: 'a.pdf', contentType: 'image/png', base64: pdf(100) }, 'attachments.0.contentType'],
    ['not base64', { filename: 'a.pdf', contentType: 'application/pdf', base64: 'JVBERi0%%%' }, 'attachments.0.base64'],
    ['path in file name', { filename: '../etc/a.pdf', contentType: 'application/pdf', base64: pdf(100) }, 'attachments.0.filename'],
    [
      'too large',
      { filename: 'a.pdf', contentType: 'application/pdf', base64: pdf(CHILDREN_LIMITS.attachmentBytes + 10) },
      'attachments.0.base64',
    ],
  ])('attachment %s → 400', (_what, attachment, at) => {
    expect(issuePaths({ ...valid, attachments: [attachment] })).toContain(at);
  });

  it('limits the number and the total size of attachments', () => {
    const small = { filename: 'a.pdf', contentType: 'application/pdf', base64: pdf(100) };
    expect(issuePaths({ ...valid, attachments: Array(CHILDREN_LIMITS.attachments + 1).fill(small) })).toEqual(['attachments']);
    const big = { filename: 'b.pdf', contentType: 'application/pdf', base64: pdf(1.9 * 1024 * 1024) };
    expect(issuePaths({ ...valid, attachments: [big, big] })).toEqual(['attachments']);
    expect(issuePaths({ ...valid, attachments: [big, small] })).toEqual([]);
  });

  it('counts decoded bytes from base64 without decoding', () => {
    for (const n of [0, 1, 2, 3, 10, 1000]) expect(decodedLength(Buffer.alloc(n).toString('base64'))).toBe(n);
  });

  it('never throws on arbitrary JSON, and never lets one through without the required fields', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (body) => {
        const r = childrenRequestSchema.safeParse(body);
        expect(r.success).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws when valid forms are mutated field by field', () => {
    const field = fc.constantFrom(...Object.keys(valid), 'attachments', 'requestId');
    fc.assert(
      fc.property(field, fc.jsonValue(), (key, value) => {
        const r = childrenRequestSchema.safeParse({ ...valid, [key]: value });
        if (r.success) expect(r.data.child.cpr).toMatch(/^\d{6}-?\d{4}$/);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('agreement form schema (aftaleskema)', () => {
  const agreement = { participants: [{ name: 'Lene Leder', email: 'lene@solhoej.example' }], agreements: 'Vi afprøver X.' };

  it('accepts a minimal form', () => {
    expect(agreementSchema.parse(agreement)).toMatchObject({ actions: [], agreements: 'Vi afprøver X.' });
  });

  it.each([
    ['no participants', { participants: [] }, 'participants'],
    ['no agreements', { agreements: '' }, 'agreements'],
    ['follow-up not a date-time', { followUpMeetingDate: '2026-04-02' }, 'followUpMeetingDate'],
    ['participant e-mail invalid', { participants: [{ name: 'A', email: 'x' }] }, 'participants.0.email'],
    ['action due not a date', { actions: [{ description: 'x', responsible: 'y', due: 'soon' }] }, 'actions.0.due'],
  ])('%s → 400', (_what, patch, at) => {
    const r = agreementSchema.safeParse({ ...agreement, ...patch });
    expect(r.success ? [] : r.error.issues.map((i) => i.path.join('.'))).toContain(at);
  });

  it('follow-up body needs a start', () => {
    expect(followUpSchema.safeParse({}).success).toBe(false);
    expect(followUpSchema.safeParse({ start: '2026-04-02T09:30:00+02:00' }).success).toBe(true);
  });
});
