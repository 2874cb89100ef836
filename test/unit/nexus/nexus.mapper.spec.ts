import { copenhagenDay, formatNexusDate, parseNexusDate } from '../../../adapters/nexus/nexus.dates';
import { NexusLinkResolver } from '../../../adapters/nexus/nexus.links';
import {
  describeNexusBody,
  formReferenceNodes,
  itemText,
  sameName,
  setItemText,
  toCitizen,
  toNote,
  toRelation,
} from '../../../adapters/nexus/nexus.mapper';
import { IntegrationError } from '../../../src/common/errors';

function thrown(fn: () => unknown): IntegrationError {
  try {
    fn();
  } catch (err) {
    if (err instanceof IntegrationError) return err;
    throw err;
  }
  throw new Error('expected a throw');
}

const form = (over: Record<string, unknown> = {}) => ({
  id: 5001,
  version: 3,
  formDefinition: { id: 1, title: 'Samlet faglig vurdering' },
  patient: { id: 1001 },
  observationTimestamp: '2026-12-02T23:00:00.000+0000',
  createDate: '2026-11-23T08:15:00.000+0000',
  updateDate: '2026-11-24T10:00:00.000+0000',
  workflowState: { id: 1, name: 'Kladde' },
  items: [
    { id: 1, type: 'text', label: 'Emne', value: 'Tekst' },
    { id: 2, type: 'radioGroup', label: 'Send til egen læge', value: { id: 1, name: 'Ja' } },
    { id: 3, type: 'text', label: 'Tidspunkt', value: null },
  ],
  tags: [
    { id: 7, name: 'ÆS – Tværfagligt samarbejdsmøde', active: true },
    { id: 8, name: 'Gammel', active: false },
  ],
  ...over,
});

describe('Nexus dates', () => {
  it.each([
    ['2024-03-18T11:53:12.000+0000', '2024-03-18T11:53:12.000Z'],
    ['2024-03-18T11:53:12+0100', '2024-03-18T10:53:12.000Z'],
    ['2024-03-18T11:53:12.5+01:00', '2024-03-18T10:53:12.500Z'],
    ['2024-03-18T11:53:12Z', '2024-03-18T11:53:12.000Z'],
    ['2024-03-18 11:53', '2024-03-18T10:53:00.000Z'], // no offset: Copenhagen wall time (winter)
    ['2024-07-01T12:00:00', '2024-07-01T10:00:00.000Z'], // summer time
    ['2026-12-03', '2026-12-02T23:00:00.000Z'],
  ])('parses %s', (wire, iso) => {
    expect(new Date(parseNexusDate(wire)!).toISOString()).toBe(iso);
  });

  it.each(['', 'yesterday', '2024-02-31T10:00:00Z', '2024-13-01', '2024-03-18T25:00:00Z', null, {}, undefined])('rejects %p', (v) => {
    expect(parseNexusDate(v)).toBeUndefined();
  });

  it('finds the Copenhagen calendar day, across midnight and DST', () => {
    expect(copenhagenDay(Date.parse('2026-12-02T23:00:00Z'))).toBe('2026-12-03');
    expect(copenhagenDay(Date.parse('2026-12-02T22:59:59Z'))).toBe('2026-12-02');
    expect(copenhagenDay(Date.parse('2026-06-30T22:30:00Z'))).toBe('2026-07-01');
  });

  it('formats like Nexus and parses back', () => {
    const ms = Date.parse('2026-11-23T08:15:00Z');
    expect(formatNexusDate(ms)).toBe('2026-11-23T08:15:00.000+0000');
    expect(parseNexusDate(formatNexusDate(ms))).toBe(ms);
  });
});

describe('Nexus mapper', () => {
  it('maps a form to a note: items by label as text, active tags, ISO dates', () => {
    expect(toNote(form(), { lockedState: 'Låst' })).toEqual({
      id: 5001,
      version: 3,
      citizenId: 1001,
      formTitle: 'Samlet faglig vurdering',
      state: 'Kladde',
      locked: false,
      createDate: '2026-11-23T08:15:00.000Z',
      updateDate: '2026-11-24T10:00:00.000Z',
      observationTimestamp: '2026-12-02T23:00:00.000Z',
      items: { Emne: 'Tekst', 'Send til egen læge': 'Ja', Tidspunkt: '' },
      tags: ['ÆS – Tværfagligt samarbejdsmøde'],
    });
  });

  it('marks a note locked by state name or locked flag, and takes the citizen from context when the form lacks it', () => {
    expect(toNote(form({ workflowState: { id: 3, name: 'Låst' } }), { lockedState: 'Låst' }).locked).toBe(true);
    expect(toNote(form({ locked: true }), { lockedState: 'Låst' }).locked).toBe(true);
    expect(toNote(form({ patient: undefined }), { lockedState: 'Låst', citizenId: 42 }).citizenId).toBe(42);
  });

  it.each([
    ['version', { version: undefined }, '"version"'],
    ['title', { formDefinition: {} }, '"formDefinition.title"'],
    ['state', { workflowState: null }, '"workflowState.name"'],
    ['patient', { patient: undefined }, '"patient"'],
    ['createDate', { createDate: 'not a date' }, '"createDate"'],
    ['observation', { observationTimestamp: undefined }, '"observationTimestamp"'],
    ['id', { id: 'x' }, 'numeric id'],
  ])('a form without a valid %s is NEXUS_BAD_RESPONSE naming the field, not a crash', (_n, over, field) => {
    const err = thrown(() => toNote(form(over), { lockedState: 'Låst' }));
    expect(err).toMatchObject({ code: 'NEXUS_BAD_RESPONSE', errorClass: 'permanent', system: 'nexus' });
    expect(err.message).toContain(field);
    expect(err.message).not.toContain('Tekst');
  });

  it('rejects garbage instead of a form', () => {
    expect(thrown(() => toNote('<html>maintenance</html>', { lockedState: 'Låst' })).code).toBe('NEXUS_BAD_RESPONSE');
  });

  it('reads item values of every shape as text', () => {
    expect(itemText([{ name: 'A' }, { name: 'B' }])).toBe('A, B');
    expect(itemText(4)).toBe('4');
    expect(itemText({ text: 'fri tekst' })).toBe('fri tekst');
    expect(itemText({ unknown: 1 })).toBe('');
  });

  it('sets a text item in place and refuses a form without the item', () => {
    const f = form();
    setItemText(f, 'Tidspunkt', '10:10');
    expect(toNote(f, { lockedState: 'Låst' }).items.Tidspunkt).toBe('10:10');
    expect(thrown(() => setItemText(form(), 'Ukendt', 'x')).code).toBe('NEXUS_BAD_RESPONSE');
  });

  it('maps a patient with a dashed CPR and active conditions only', () => {
    const patient = {
      id: 1,
      firstName: 'Anna',
      lastName: 'Prøvesen',
      fullName: 'Anna Prøvesen',
      patientIdentifier: { identifier: '070338-1412', type: 'cpr' },
    };
    const conditions = [
      { id: 1, name: 'Demens', state: { code: 'PCActive' } },
      { id: 2, name: 'Tryksår', state: { code: 'PCInactive' } },
      { id: 3, name: 'Underernæring' },
    ];
    expect(toCitizen(patient, conditions)).toEqual({
      id: 1,
      cpr: '0703381412',
      firstName: 'Anna',
      lastName: 'Prøvesen',
      fullName: 'Anna Prøvesen',
      conditions: ['Demens', 'Underernæring'],
    });
    const err = thrown(() => toCitizen({ ...patient, patientIdentifier: { identifier: '12' } }, []));
    expect(err).toMatchObject({ code: 'NEXUS_BAD_RESPONSE' });
    expect(err.message).not.toContain('Anna');
  });

  it('maps a relation and keeps its remove link', () => {
    const wire = { id: 9, organization: { id: 11, name: 'Demensspecialister' }, effectiveAtPresent: true };
    expect(toRelation(wire, 1001, 'https://x/remove')).toEqual({
      id: 9,
      citizenId: 1001,
      organisation: { id: 11, name: 'Demensspecialister' },
      removeHref: 'https://x/remove',
    });
    expect(thrown(() => toRelation({ id: 9 }, 1001, undefined)).code).toBe('NEXUS_BAD_RESPONSE');
  });

  it('collects form references from a nested pathway tree once each', () => {
    const ref = (id: number) => ({ type: 'formDataV2Reference', formDataId: id, name: 'Samlet faglig vurdering', _links: {} });
    const tree = [
      { type: 'patientPathwayReference', children: [ref(1), { type: 'patientPathwayReference', children: [ref(2), ref(1)] }] },
      ref(3),
    ];
    expect(formReferenceNodes(tree).map((n) => n.formDataId)).toEqual([1, 2, 3]);
    expect(formReferenceNodes({ unexpected: true })).toEqual([]);
  });

  it('compares names trimmed, case- and space-insensitively', () => {
    expect(sameName('  demensspecialister ', 'Demensspecialister')).toBe(true);
    expect(sameName('Pleje og  Omsorg – terapeuter', 'pleje og omsorg – terapeuter')).toBe(true);
    expect(sameName(undefined, 'x')).toBe(false);
  });

  it('describes error bodies without personal data', () => {
    expect(describeNexusBody({ message: 'Borger 0703381412 findes ikke', reason: 'PatientNotFound' })).toBe('PatientNotFound');
    expect(describeNexusBody({ message: 'Borger 070338-1412 er låst af 12345678' })).toBe('Borger xxxxxx-xxxx er låst af #');
    expect(describeNexusBody({ error: 'invalid_client', error_description: 'x' })).toBe('invalid_client');
    expect(describeNexusBody('Service Unavailable\nstack trace 0703381412')).toBe('Service Unavailable');
    expect(describeNexusBody('<html><body>502</body></html>')).toBe('html error page');
    expect(describeNexusBody({ message: 'x'.repeat(200) })!.length).toBeLessThanOrEqual(80);
    expect(describeNexusBody({})).toBeUndefined();
    expect(describeNexusBody('')).toBeUndefined();
  });
});

describe('NexusLinkResolver', () => {
  const links = new NexusLinkResolver('https://solhoej.nexus.kmd.dk/api/core/mobile/solhoej/v2/');

  it.each([
    [
      'https://solhoej.nexus.kmd.dk:443/api/core/mobile/solhoej/v2/patients?ids=1,2',
      'https://solhoej.nexus.kmd.dk/api/core/mobile/solhoej/v2/patients?ids=1,2',
    ],
    ['https://solhoej.nexus.kmd.dk/api/x', 'https://solhoej.nexus.kmd.dk/api/x'],
    ['/api/core/mobile/solhoej/v2/formData/1', 'https://solhoej.nexus.kmd.dk/api/core/mobile/solhoej/v2/formData/1'],
    ['formData/1', 'https://solhoej.nexus.kmd.dk/api/core/mobile/solhoej/v2/formData/1'],
    ['HTTPS://SOLHOEJ.NEXUS.KMD.DK/api/y', 'https://solhoej.nexus.kmd.dk/api/y'],
  ])('follows %s', (href, absolute) => {
    expect(links.resolve(href)).toBe(absolute);
  });

  it.each([
    'https://evil.example/api/core/mobile/solhoej/v2/',
    '//evil.example/steal',
    'http://solhoej.nexus.kmd.dk/api/x', // scheme downgrade
    'https://solhoej.nexus.kmd.dk:8443/api/x',
    'https://solhoej.nexus.kmd.dk@evil.example/api/x',
    'https://solhoej.nexus.kmd.dk.evil.example/api/x',
  ])('refuses %s with NEXUS_LINK_ORIGIN', (href) => {
    expect(thrown(() => links.resolve(href))).toMatchObject({ code: 'NEXUS_LINK_ORIGIN', errorClass: 'permanent' });
  });

  it('refuses an href that is not a URL as a bad response', () => {
    expect(thrown(() => links.resolve('http://[::1')).code).toBe('NEXUS_BAD_RESPONSE');
  });
});
