import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseInbound, ParsedMessage } from '../../../adapters/medcom/receipt.parser';
import { runMedcomPreview } from '../../../src/cli/medcom.command';
import { letterIdempotencyKey } from '../../../src/domain/after-meeting.rules';
import { letterIdFor } from '../../../adapters/medcom/letter-identity';
import { officialXdis91Xsd } from '../../support/medcom-fixtures';
import { officialXdis91Collector } from '../../support/xmllint';
import { PRODUCTION_ENV } from '../../support/production-env';

const seed = {
  citizens: [
    {
      id: 1001,
      cpr: '0101401234',
      firstName: 'Anna',
      lastName: 'Jensen',
      gp: { ydernummer: '024015' },
      notes: [
        {
          id: 5001,
          formTitle: 'Samlet faglig vurdering',
          observationTimestamp: '2026-12-03T00:00:00+01:00',
          createDate: '2026-11-27T09:15:00+01:00',
          items: { Emne: 'Fald og medicin', Vurdering: 'Borgeren falder & ønsker <gennemgang>.', 'Send til egen læge': 'Ja' },
        },
      ],
    },
    {
      id: 1003,
      cpr: '0303601234',
      firstName: 'Ζωή',
      lastName: 'Παπαδοπούλου',
      gp: { ydernummer: '024016' },
      notes: [
        {
          id: 5003,
          formTitle: 'Samlet faglig vurdering',
          observationTimestamp: '2026-12-03T00:00:00+01:00',
          createDate: '2026-11-27T09:15:00+01:00',
          items: { Vurdering: 'Œdem på begge ben.' },
        },
      ],
    },
    {
      id: 1004,
      cpr: '0404701234',
      firstName: 'Ζωή',
      lastName: 'Παπαδοπούλου',
      gp: { ydernummer: '024015' },
      notes: [
        {
          id: 5004,
          formTitle: 'Samlet faglig vurdering',
          observationTimestamp: '2026-12-03T00:00:00+01:00',
          createDate: '2026-11-27T09:15:00+01:00',
          items: { Vurdering: 'Ok.' },
        },
      ],
    },
    {
      id: 1002,
      cpr: '0202501234',
      firstName: 'Bo',
      lastName: 'Berg',
      notes: [
        {
          id: 5002,
          formTitle: 'Samlet faglig vurdering',
          observationTimestamp: '2026-12-03T00:00:00+01:00',
          createDate: '2026-11-27T09:15:00+01:00',
          items: {},
        },
      ],
    },
  ],
  practices: [
    { ydernummer: '024015', name: 'Lægerne på Torvet', ean: '5790001234567', sor: '123451000016001', formats: ['fhir-json', 'xdis91'] },
    { ydernummer: '024016', name: 'Lægehuset Ved Åen', ean: '5790001234574', sor: '123451000016002', formats: ['xdis91'] },
  ],
};

const ID_SECRET = 'cli-spec-id-secret-0123456789abcdef';
const SANDBOX_SENDER = { senderEan: '5790000123456', secret: ID_SECRET };

function preview(args: { note: string; format?: string }, env: Record<string, string> = {}) {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'seed-')), 'seed.json');
  writeFileSync(file, JSON.stringify(seed));
  const out: Buffer[] = [];
  const err: string[] = [];
  const io = {
    stdout: (b: Buffer) => out.push(b),
    stderr: (s: string) => err.push(s),
    env: { LOG_LEVEL: 'silent', MEDCOM_ID_SECRET: ID_SECRET, ...env },
  };
  return runMedcomPreview({ seed: file, ...args }, io).then((code) => ({ code, out: Buffer.concat(out), err: err.join('') }));
}

describe('tsm-bridge medcom preview', () => {
  it("writes the GP practice's preferred format by default, with the letter id the flow will use", async () => {
    const r = await preview({ note: '5001' });
    expect(r).toMatchObject({ code: 0, err: '' });
    const bundle = JSON.parse(r.out.toString('utf8'));
    expect(bundle.resourceType).toBe('Bundle');
    const header = bundle.entry[0].resource;
    expect(header.id).toBe(letterIdFor(SANDBOX_SENDER, letterIdempotencyKey({ noteId: 5001, noteVersion: 1 }, '024015'), 'fhir-json'));
    const communication = bundle.entry.find(
      (e: { resource: { resourceType: string } }) => e.resource.resourceType === 'Communication',
    ).resource;
    expect(communication.topic.text).toBe('Fald og medicin');
    expect(communication.payload[0].contentString).toContain('Vurdering:\nBorgeren falder & ønsker <gennemgang>.');
    expect(communication.payload[0].contentString).not.toContain('Send til egen læge');
  });

  it('writes XDIS91 as the ISO-8859-1 bytes that would be sent', async () => {
    const r = await preview({ note: '5001', format: 'xdis91' });
    expect(r.code).toBe(0);
    expect(r.out.subarray(0, 43).toString('latin1')).toBe('<?xml version="1.0" encoding="ISO-8859-1"?>');
    expect(r.out.includes(Buffer.from('ønsker', 'latin1'))).toBe(true);
    const official = officialXdis91Collector(officialXdis91Xsd());
    official.add(r.out);
    expect(official.verify()).toBe('');
    expect((parseInbound(r.out) as ParsedMessage).letterIds).toEqual([
      letterIdFor(SANDBOX_SENDER, letterIdempotencyKey({ noteId: 5001, noteVersion: 1 }, '024015'), 'xdis91'),
    ]);
  });

  it('gives the same note from two senders different letter, envelope, Bundle and Communication ids; the same sender gets the same ids again', async () => {
    const ids = async (senderEan: string) => {
      const r = await preview({ note: '5001' }, { MEDCOM_SENDER_EAN: senderEan });
      expect(r.code).toBe(0);
      const bundle = JSON.parse(r.out.toString('utf8'));
      const res = (type: string) =>
        bundle.entry.find((e: { resource: { resourceType: string } }) => e.resource.resourceType === type).resource;
      return {
        bundle: bundle.id as string,
        header: res('MessageHeader').id as string,
        communication: JSON.stringify(res('Communication').identifier),
      };
    };
    const a = await ids('5790000123456');
    const b = await ids('5798000012345');
    expect(b.bundle).not.toBe(a.bundle);
    expect(b.header).not.toBe(a.header);
    expect(b.communication).not.toBe(a.communication);
    expect(await ids('5790000123456')).toEqual(a);
    // Not derivable from the note id alone: another installation (secret) gets other ids.
    const other = await preview({ note: '5001' }, { MEDCOM_ID_SECRET: 'another-installation-secret-0123456789' });
    expect(JSON.parse(other.out.toString('utf8')).entry[0].resource.id).not.toBe(a.header);
  });

  it('exit 2 for an unknown note or format, 1 when the GP is unknown (without the CPR)', async () => {
    expect(await preview({ note: '4242' })).toMatchObject({ code: 2, err: expect.stringContaining('note 4242 is not in the seed file') });
    expect(await preview({ note: '5001', format: 'pdf' })).toMatchObject({
      code: 2,
      err: expect.stringContaining('--format must be one of'),
    });
    expect(await preview({ note: 'abc' })).toMatchObject({ code: 2 });
    const noGp = await preview({ note: '5002' });
    expect(noGp).toMatchObject({ code: 1, err: expect.stringContaining('no GP is registered') });
    expect(noGp.err).not.toContain('0202501234');
    expect(noGp.out).toHaveLength(0);
  });

  it('a Greek patient name is never written as ? in XDIS91: exit 1 with NAME_NOT_REPRESENTABLE, without the name', async () => {
    // The practice takes XDIS91 only: the default format is refused too.
    for (const args of [{ note: '5003' }, { note: '5003', format: 'xdis91' }, { note: '5004', format: 'xdis91' }]) {
      const r = await preview(args);
      expect(r).toMatchObject({
        code: 1,
        err: expect.stringMatching(/^error: \[NAME_NOT_REPRESENTABLE\] Patientens navn indeholder tegn/),
      });
      expect(r.out).toHaveLength(0);
      expect(r.err).not.toMatch(/Ζωή|Παπα|0303601234/);
    }
    // A practice that also takes FHIR gets the name as written.
    const fhir = await preview({ note: '5004' });
    expect(fhir.code).toBe(0);
    expect(fhir.out.toString('utf8')).toContain('Παπαδοπούλου');
  });

  describe('boot guard: sandbox sender or author values with a real VANS', () => {
    const real = (extra: Record<string, string> = {}): Record<string, string> => ({
      MEDCOM_OUT_DIR: '/srv/vans/out',
      MEDCOM_IN_DIR: '/srv/vans/in',
      MEDCOM_SENDER_EAN: '5798000012349',
      MEDCOM_SENDER_SOR: '481271000016009',
      MEDCOM_SENDER_ID: '461',
      MEDCOM_SENDER_NAME: 'Odense Kommune Ældre',
      MEDCOM_AUTHOR_GIVEN_NAME: 'Visitationen',
      MEDCOM_AUTHOR_FAMILY_NAME: 'Odense',
      MEDCOM_AUTHOR_ROLE: 'Visitator',
      MEDCOM_AUTHOR_PHONE: '66131372',
      ...extra,
    });

    it('exit 2 with one line naming the variable while MEDCOM_OUT_DIR is set', async () => {
      const r = await preview({ note: '5001' }, { MEDCOM_OUT_DIR: '/srv/vans/out' });
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^Invalid configuration: MEDCOM_SENDER_EAN: the sandbox value "5790000123456" while MEDCOM_OUT_DIR is set/);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.out).toHaveLength(0);
      for (const key of [
        'MEDCOM_SENDER_SOR',
        'MEDCOM_SENDER_ID',
        'MEDCOM_SENDER_NAME',
        'MEDCOM_AUTHOR_GIVEN_NAME',
        'MEDCOM_AUTHOR_PHONE',
      ]) {
        const { [key]: _real, ...rest } = real();
        const one = await preview({ note: '5001' }, rest);
        expect(one).toMatchObject({ code: 2, err: expect.stringMatching(new RegExp(`^Invalid configuration: ${key}: the sandbox value`)) });
      }
    });

    it('exit 2 for an EAN that fails the GS1 check digit, and in production without MEDCOM_OUT_DIR', async () => {
      expect(await preview({ note: '5001' }, real({ MEDCOM_SENDER_EAN: '5798000012346' }))).toMatchObject({
        code: 2,
        err: expect.stringMatching(/^Invalid configuration: MEDCOM_SENDER_EAN: 5798000012346 fails the GS1 check digit/),
      });
      const prod = PRODUCTION_ENV;
      expect(await preview({ note: '5001' }, prod)).toMatchObject({
        code: 2,
        err: expect.stringMatching(/MEDCOM_SENDER_EAN: .* while NODE_ENV is production/),
      });
    });

    it("real values pass; the sandbox values pass when the folders are the VANS simulator's (MEDCOM_VANS_SANDBOX) or unset", async () => {
      expect((await preview({ note: '5001' }, real({ GP_DIRECTORY_FILE: '' }))).code).not.toBe(2);
      expect((await preview({ note: '5001' }, { MEDCOM_OUT_DIR: '/srv/vans/out', MEDCOM_VANS_SANDBOX: 'true' })).code).toBe(0);
      expect((await preview({ note: '5001' })).code).toBe(0);
    });
  });
});
