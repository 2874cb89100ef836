import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { agreementSchema, childrenRequestSchema } from '../../../schemas/children-request.schema';
import { renderFormPdf } from '../../../src/documents/form-pdf.renderer';
import { agreementFormDocument, requestFormDocument } from '../../../src/workflows/children/children.documents';
import {
  acceptanceReminderMail,
  agreementMail,
  followUpReminderMail,
  requestToUnitMail,
} from '../../../src/workflows/children/children.messages';
import { ChildrenUnits } from '../../../src/workflows/children/children.units';
import type { ChildrenRequestRecord, MeetingRecord } from '../../../src/workflows/children/children.store';

const units = ChildrenUnits.load();
const ke = units.get('ke');
const form = childrenRequestSchema.parse({
  child: { cpr: '140519-4321', name: 'Alma Testbarn' },
  consentGiven: true,
  localUnit: { name: 'Solhøj Børnehus', type: 'dagtilbud' },
  localLeader: { name: 'Lene Leder', email: 'lene@solhoej.example' },
  externalUnits: ['KE'],
  proposedStart: '2026-03-23T10:00:00+01:00',
  place: { type: 'dagtilbud', address: 'Skovvej 1' },
  description: 'Bekymring for trivsel – æøå ÆØÅ “citat” ≥ 2 🙂',
});
const record = {
  id: '3f1c2f9e-1111-4a5b-9c3d-000000000001',
  receivedAt: '2026-03-18T10:00:00.000Z',
  proposedStart: '2026-03-23T09:00:00.000Z',
  deadlineAt: '2026-04-01T22:00:00.000Z',
  unit: 'ke',
  localUnitType: 'dagtilbud',
  placeType: 'dagtilbud',
} as ChildrenRequestRecord;

describe('request form document', () => {
  it('holds the form in labelled fields, dated by receipt, with our reference in the footer', () => {
    const doc = requestFormDocument(form, record, ke);
    expect(doc).toMatchObject({ title: 'Anmodningsskema – Samarbejdsmøde', date: '2026-03-18', sourceIds: [`anmodning ${record.id}`] });
    const fields = Object.fromEntries(
      doc.sections.flatMap((s) => (Array.isArray(s.fields) ? s.fields : [])).map((f) => [f.label, f.value]),
    );
    expect(fields).toMatchObject({
      'CPR-nummer': '140519-4321',
      Navn: 'Alma Testbarn',
      'Forældrenes samtykke': 'Givet',
      'Ekstern enhed': 'Kompetenceenheden (KE)',
      'Foreslået tidspunkt': 'mandag den 23. marts 2026 kl. 10.00',
      Svarfrist: 'onsdag den 1. april 2026',
    });
  });

  it('renders to the same PDF bytes every time, whatever the characters', async () => {
    const a = await renderFormPdf(requestFormDocument(form, record, ke));
    const b = await renderFormPdf(requestFormDocument(form, record, ke));
    expect(a.subarray(0, 5).toString()).toBe('%PDF-');
    expect(a.equals(b)).toBe(true);
  });

  it('agreement document: participants, agreements, follow-up, dated by the meeting', async () => {
    const agreement = agreementSchema.parse({
      participants: [{ name: 'Lene Leder', role: 'lokal leder', email: 'lene@solhoej.example' }, { name: 'Mor' }],
      agreements: 'Vi afprøver faste overgange.',
      followUpMeetingDate: '2026-04-16T09:30:00+02:00',
    });
    const m = {
      id: `${record.id}-m2`,
      requestId: record.id,
      seq: 2,
      scheduledStart: '2026-04-16T07:30:00.000Z',
      heldAt: '2026-04-16T07:30:00.000Z',
    } as MeetingRecord;
    const doc = agreementFormDocument(agreement, m, ke);
    expect(doc.date).toBe('2026-04-16');
    expect(doc.intro).toEqual(['Opfølgende møde nr. 1 med Kompetenceenheden (KE), torsdag den 16. april 2026 kl. 09.30']);
    const fields = doc.sections.flatMap((s) => (Array.isArray(s.fields) ? s.fields : []));
    expect(fields).toEqual(
      expect.arrayContaining([
        { label: 'Lene Leder', value: 'lokal leder' },
        { label: 'Mor', value: '–' },
        { label: 'Opfølgende møde', value: 'torsdag den 16. april 2026 kl. 09.30' },
      ]),
    );
    expect((await renderFormPdf(doc)).equals(await renderFormPdf(doc))).toBe(true);
  });
});

describe('mails', () => {
  it('carry ids, units and times only: no CPR, names or case text', () => {
    const texts = [
      requestToUnitMail({
        requestId: record.id,
        unit: ke,
        proposedStart: record.proposedStart,
        placeType: 'hjem',
        deadlineAt: record.deadlineAt,
        workingDays: 10,
        attachments: 2,
      }),
      acceptanceReminderMail({
        requestId: record.id,
        unit: ke,
        receivedAt: record.receivedAt,
        proposedStart: record.proposedStart,
        workingDays: 10,
        deadlineAt: record.deadlineAt,
      }),
      agreementMail({ meetingId: `${record.id}-m1`, heldAt: record.proposedStart }),
      followUpReminderMail({ requestId: record.id, firstMeetingAt: record.proposedStart, days: 90 }),
    ].map((m) => m.subject + '\n' + m.body);
    for (const t of texts) {
      expect(t).toContain(record.id);
      for (const s of ['140519', 'Alma', 'Lene', 'Bekymring']) expect(t).not.toContain(s);
    }
    expect(texts[0]).toContain('svar senest onsdag den 1. april 2026');
    expect(texts[0]).toContain('i barnets hjem');
    expect(texts[0]).toContain('sammen med 2 bilag');
  });
});

describe('units file', () => {
  it('the shipped file names both units with a mailbox', () => {
    expect(units.get('sundhedstjenesten')).toMatchObject({
      id: 'sundhedstjenesten',
      name: 'Sundhedstjenesten',
      mailbox: expect.stringContaining('@'),
    });
    expect(ke.name).toBe('Kompetenceenheden (KE)');
  });

  it.each([
    ['not JSON', '{', /children units file .*units\.json/],
    ['a unit missing', JSON.stringify({ ke: { name: 'KE', mailbox: 'ke@x.example' } }), /sundhedstjenesten/],
    [
      'a bad mailbox',
      JSON.stringify({ ke: { name: 'KE', mailbox: 'nope' }, sundhedstjenesten: { name: 'S', mailbox: 's@x.example' } }),
      /ke\.mailbox/,
    ],
  ])('refuses %s, naming the file and the field', (_what, content, message) => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'tsm-units-')), 'units.json');
    writeFileSync(file, content);
    expect(() => ChildrenUnits.load(file)).toThrow(message);
  });
});
