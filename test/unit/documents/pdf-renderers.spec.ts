import { createHash } from 'node:crypto';
import { PDFDocument } from 'pdf-lib';
import { PermanentError } from '../../../src/common/errors';
import { renderFormPdf } from '../../../src/documents/form-pdf.renderer';
import { NotePdfInput, renderNotePdf } from '../../../src/documents/note-pdf.renderer';
import { drawnText } from '../../support/pdf-text';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const note = (over: Partial<NotePdfInput> = {}): NotePdfInput => ({
  title: 'Samlet faglig vurdering – Tværfagligt samarbejdsmøde',
  meetingDate: '2026-12-03',
  citizen: { name: 'Åse Ærø Østergård', cpr: '0101401234' },
  items: {
    Forløbstype: 'Rehabilitering (§ 83a)',
    Prioritet: '1',
    'Aftaler og mål': 'Træning 2 × ugentligt; opfølgning på møde – næste gang.',
  },
  locked: true,
  state: 'Låst',
  sourceIds: ['Nexus note 5001 v3'],
  ...over,
});

describe('renderNotePdf', () => {
  it('gives the same bytes (same sha256) for the same input', async () => {
    const [a, b] = await Promise.all([renderNotePdf(note()), renderNotePdf(note())]);
    expect(a.subarray(0, 5).toString()).toBe('%PDF-');
    expect(sha(a)).toBe(sha(b));
  });

  it('gives different bytes when the content, the lock state or the source changes', async () => {
    const base = sha(await renderNotePdf(note()));
    const changed = [
      await renderNotePdf(note({ items: { Forløbstype: 'Rehabilitering (§ 83a)', Prioritet: '2' } })),
      await renderNotePdf(note({ locked: false, state: 'Kladde' })),
      await renderNotePdf(note({ sourceIds: ['Nexus note 5001 v4'] })),
      await renderNotePdf(note({ meetingDate: '2026-12-17' })),
    ].map(sha);
    expect(new Set([base, ...changed]).size).toBe(5);
  });

  it('draws Danish letters, § and – as themselves, with the citizen, date, state and footer', async () => {
    const text = drawnText(await renderNotePdf(note())).join('\n');
    expect(text).toContain('Samlet faglig vurdering – Tværfagligt samarbejdsmøde');
    expect(text).toContain('Borger: Åse Ærø Østergård, CPR-nr. 010140-1234');
    expect(text).toContain('Mødedato: 03.12.2026');
    expect(text).toContain('Status: Låst (notatet er låst)');
    expect(text).toContain('Rehabilitering (§ 83a)');
    expect(text).toContain('Træning 2 × ugentligt; opfølgning på møde – næste gang.');
    expect(text).toContain('Kilde: Nexus note 5001 v3');
    expect(text).toContain('Side 1 af 1');
  });

  it('replaces characters outside WinAnsi instead of failing', async () => {
    const pdf = await renderNotePdf(note({ items: { Bemærkning: 'Score ≥ 5 → henvis. Ősz 😀 done\u0007' } }));
    const text = drawnText(pdf).join('\n');
    expect(text).toContain('Score >= 5 -> henvis. Osz ? done');
  });

  it('wraps long text inside the margins and continues on new pages with a footer on each', async () => {
    const long = Array.from({ length: 60 }, (_, i) => `Sætning ${i + 1} om borgerens forløb, aftaler og opfølgning.`).join(' ');
    const items = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`Felt ${i + 1}`, long]));
    const pdf = await renderNotePdf(note({ items: { ...items, Kode: 'x'.repeat(400) } }));
    const doc = await PDFDocument.load(pdf);
    const pages = doc.getPageCount();
    expect(pages).toBeGreaterThan(2);
    const text = drawnText(pdf);
    expect(text).toEqual(expect.arrayContaining([`Side 1 af ${pages}`, `Side ${pages} af ${pages}`]));
    // Lines are wrapped: no drawn line is longer than a printed line can be.
    expect(Math.max(...text.map((t) => t.length))).toBeLessThan(130);
    expect(text.filter((t) => /^x+$/.test(t)).join('')).toHaveLength(400);
  });

  it('writes fixed metadata from the input, not the clock', async () => {
    const doc = await PDFDocument.load(await renderNotePdf(note()), { updateMetadata: false });
    expect(doc.getCreationDate()?.toISOString()).toBe('2026-12-03T00:00:00.000Z');
    expect(doc.getModificationDate()?.toISOString()).toBe('2026-12-03T00:00:00.000Z');
    expect(doc.getProducer()).toBe('tsm-bridge');
    expect(doc.getTitle()).toBe('Samlet faglig vurdering – Tværfagligt samarbejdsmøde');
  });

  it('rejects bad input with a classified error', async () => {
    await expect(renderNotePdf(note({ meetingDate: '03-12-2026' }))).rejects.toBeInstanceOf(PermanentError);
    await expect(renderNotePdf(note({ meetingDate: '2026-02-30' }))).rejects.toMatchObject({ code: 'PDF_BAD_INPUT' });
    await expect(renderNotePdf(note({ citizen: { name: 'X', cpr: '12' } }))).rejects.toMatchObject({ code: 'PDF_BAD_INPUT' });
  });
});

describe('renderFormPdf', () => {
  const form = {
    title: 'Anmodningsskema – Samarbejdsmøde',
    date: '2026-11-02',
    intro: ['Enhed: Sundhedstjenesten'],
    sections: [
      { heading: 'Barnet', fields: { Institution: 'Solhøj Skole', Klasse: '3.b' } },
      { heading: 'Bekymring', fields: [{ label: 'Beskrivelse', value: 'Trivsel i skolen – fravær.' }] },
    ],
    sourceIds: ['anmodning R-2026-0042'],
  };

  it('is deterministic and prints sections with Danish text', async () => {
    const [a, b] = await Promise.all([renderFormPdf(form), renderFormPdf(form)]);
    expect(sha(a)).toBe(sha(b));
    const text = drawnText(a).join('\n');
    expect(text).toContain('Anmodningsskema – Samarbejdsmøde');
    expect(text).toContain('Dato: 02.11.2026');
    expect(text).toContain('Solhøj Skole');
    expect(text).toContain('Trivsel i skolen – fravær.');
    expect(sha(await renderFormPdf({ ...form, date: '2026-11-03' }))).not.toBe(sha(a));
  });
});
