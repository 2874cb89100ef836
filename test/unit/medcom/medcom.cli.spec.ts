import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseInbound, ParsedMessage } from '../../../adapters/medcom/receipt.parser';
import { runMedcomPreview } from '../../../src/cli/medcom.command';
import { letterIdempotencyKey } from '../../../src/domain/after-meeting.rules';
import { letterIdFor } from '../../../adapters/medcom/letter-ids';
import { officialXdis91Xsd } from '../../support/medcom-fixtures';
import { officialXdis91Collector } from '../../support/xmllint';

const seed = {
  citizens: [
    {
      id: 1001, cpr: '0101401234', firstName: 'Anna', lastName: 'Jensen', gp: { ydernummer: '024015' },
      notes: [{
        id: 5001, formTitle: 'Samlet faglig vurdering', observationTimestamp: '2026-12-03T00:00:00+01:00', createDate: '2026-11-27T09:15:00+01:00',
        items: { Emne: 'Fald og medicin', Vurdering: 'Borgeren falder & ønsker <gennemgang>.', 'Send til egen læge': 'Ja' },
      }],
    },
    { id: 1002, cpr: '0202501234', firstName: 'Bo', lastName: 'Berg', notes: [{ id: 5002, formTitle: 'Samlet faglig vurdering', observationTimestamp: '2026-12-03T00:00:00+01:00', createDate: '2026-11-27T09:15:00+01:00', items: {} }] },
  ],
  practices: [{ ydernummer: '024015', name: 'Lægerne på Torvet', ean: '5790001234567', sor: '123451000016001', formats: ['fhir-json', 'xdis91'] }],
};

const ID_SECRET = 'cli-spec-id-secret-0123456789abcdef';
const SANDBOX_SENDER = { senderEan: '5790000123456', secret: ID_SECRET };

function preview(args: { note: string; format?: string }, env: Record<string, string> = {}) {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'seed-')), 'seed.json');
  writeFileSync(file, JSON.stringify(seed));
  const out: Buffer[] = [];
  const err: string[] = [];
  const io = { stdout: (b: Buffer) => out.push(b), stderr: (s: string) => err.push(s), env: { LOG_LEVEL: 'silent', MEDCOM_ID_SECRET: ID_SECRET, ...env } };
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
    const communication = bundle.entry.find((e: { resource: { resourceType: string } }) => e.resource.resourceType === 'Communication').resource;
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
    expect((parseInbound(r.out) as ParsedMessage).letterIds).toEqual([letterIdFor(SANDBOX_SENDER, letterIdempotencyKey({ noteId: 5001, noteVersion: 1 }, '024015'), 'xdis91')]);
  });

  it('gives the same note from two senders different letter, envelope, Bundle and Communication ids; the same sender gets the same ids again', async () => {
    const ids = async (senderEan: string) => {
      const r = await preview({ note: '5001' }, { MEDCOM_SENDER_EAN: senderEan });
      expect(r.code).toBe(0);
      const bundle = JSON.parse(r.out.toString('utf8'));
      const res = (type: string) => bundle.entry.find((e: { resource: { resourceType: string } }) => e.resource.resourceType === type).resource;
      return { bundle: bundle.id as string, header: res('MessageHeader').id as string, communication: JSON.stringify(res('Communication').identifier) };
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
    expect(await preview({ note: '5001', format: 'pdf' })).toMatchObject({ code: 2, err: expect.stringContaining('--format must be one of') });
    expect(await preview({ note: 'abc' })).toMatchObject({ code: 2 });
    const noGp = await preview({ note: '5002' });
    expect(noGp).toMatchObject({ code: 1, err: expect.stringContaining('no GP is registered') });
    expect(noGp.err).not.toContain('0202501234');
    expect(noGp.out).toHaveLength(0);
  });
});
