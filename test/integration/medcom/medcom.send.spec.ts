import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MEDCOM_PORT, MedcomPort } from '../../../adapters/medcom/medcom.port';
import { AuditService } from '../../../src/audit/audit.service';
import type { RunningService } from '../../../src/main';
import { officialXdis91Xsd } from '../../support/medcom-fixtures';
import { gpLetter } from '../../support/medcom-letters';
import { officialXdis91Collector } from '../../support/xmllint';
import { eventually, startTestService } from '../../support/test-service';

describe('MedCom over the file drop and the VANS sandbox (real Redis)', () => {
  let svc: RunningService;
  let medcom: MedcomPort;
  beforeAll(async () => {
    svc = await startTestService('all', { MEDCOM_INBOX_POLL_MS: '50', SANDBOX_VANS_DELAY_MS: '10', MEDCOM_RECEIPT_TIMEOUT_MS: '60000' });
    medcom = svc.app.get(MEDCOM_PORT);
  });
  afterAll(async () => {
    // Every XDIS91 that reached the VANS sandbox must also satisfy MedCom's official schema.
    const official = officialXdis91Collector(officialXdis91Xsd());
    const received = path.join(svc.config.DATA_DIR, 'medcom', 'vans-sandbox', 'received');
    for (const f of readdirSync(received)) {
      const bytes = readFileSync(path.join(received, f));
      if (bytes.includes('XD9134L')) official.add(bytes);
    }
    await svc.stop();
    expect(official.count).toBeGreaterThan(0);
    expect(official.verify()).toBe('');
  });

  it.each(['xdis91', 'fhir-xml', 'fhir-json'] as const)('%s: a sent letter is acknowledged by a positive receipt', async (format) => {
    const letter = gpLetter({ format });
    const sent = await medcom.send(letter);
    expect(sent).toMatchObject({ format, state: 'sent', reused: false });
    await eventually(async () => (await medcom.status(sent.letterId))?.state === 'acknowledged');
    expect(await medcom.status(sent.letterId)).toMatchObject({ state: 'acknowledged', resends: 0, envelopeIds: [sent.envelopeId] });
    // The receipt's audit line is written just after the state changed.
    const audit = await eventually(async () => {
      const lines = await svc.app.get(AuditService).query({ noteId: letter.noteId });
      return lines.length >= 2 ? lines : null;
    });
    expect(audit!.map((a) => `${a.action}:${a.outcome}`)).toEqual(['medcom.send:ok', 'medcom.receipt:ok']);
  });
});

describe('FHIR in a VANSEnvelope end to end (MEDCOM_FHIR_ENVELOPE, a VANS that requires it)', () => {
  let svc: RunningService;
  beforeAll(async () => {
    svc = await startTestService('all', {
      MEDCOM_INBOX_POLL_MS: '50',
      SANDBOX_VANS_DELAY_MS: '10',
      MEDCOM_RECEIPT_TIMEOUT_MS: '60000',
      MEDCOM_FHIR_ENVELOPE: 'true',
      SANDBOX_VANS_REQUIRE_ENVELOPE: 'true',
    });
  });
  afterAll(() => svc.stop());

  it.each(['fhir-xml', 'fhir-json'] as const)('%s: enveloped, unwrapped by the VANS, acknowledged in an envelope, read', async (format) => {
    const medcom = svc.app.get<MedcomPort>(MEDCOM_PORT);
    const sent = await medcom.send(gpLetter({ format }));
    await eventually(async () => (await medcom.status(sent.letterId))?.state === 'acknowledged');
    const received = path.join(svc.config.DATA_DIR, 'medcom', 'vans-sandbox', 'received');
    expect(
      readdirSync(received)
        .map((f) => readFileSync(path.join(received, f), 'utf8'))
        .some((x) => x.includes('<VANSEnvelope>') && x.includes(sent.envelopeId)),
    ).toBe(true);
  });
});
