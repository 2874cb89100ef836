import { danishDate, noteToGpLetterContent } from '../../../src/domain/gp-letter.content';

const citizen = { firstName: 'Anna', lastName: 'Jensen' };

describe('noteToGpLetterContent', () => {
  it('takes the subject from Emne and lists the other non-empty items as sections, in form order', () => {
    const note = {
      id: 5001,
      formTitle: 'Samlet faglig vurdering',
      items: {
        Forløbstype: 'Rehabilitering (§ 83a)',
        Emne: '  Faldtendens og  medicin ',
        Prioritet: '1',
        'Send til egen læge': 'Ja',
        Tidspunkt: '10:10',
        Vurdering: 'Borgeren falder oftere.\r\nØnsker medicingennemgang.\n\n',
        Aftaler: '',
      },
    };
    const c = noteToGpLetterContent(note, citizen, '2026-12-03');
    expect(c.subject).toBe('Faldtendens og medicin');
    expect(c.text).toBe(
      'Samlet faglig vurdering fra tværfagligt samarbejdsmøde 03.12.2026 vedrørende Anna Jensen.\n\n' +
        'Forløbstype:\nRehabilitering (§ 83a)\n\n' +
        'Vurdering:\nBorgeren falder oftere.\nØnsker medicingennemgang.',
    );
  });

  it('falls back to a dated subject when the note has no Emne, and honours custom labels', () => {
    const note = { id: 1, formTitle: 'Samlet faglig vurdering', items: { Overskrift: 'Plan', Internt: 'x', Status: 'Stabil' } };
    expect(noteToGpLetterContent(note, citizen, '2026-01-05').subject).toBe('Tværfagligt samarbejdsmøde 05.01.2026');
    const c = noteToGpLetterContent(note, citizen, '2026-01-05', { subjectLabel: 'Overskrift', omitLabels: ['internt'] });
    expect(c.subject).toBe('Plan');
    expect(c.text.endsWith('Status:\nStabil')).toBe(true);
    expect(c.text).not.toContain('Internt');
  });

  it('rejects a malformed meeting date', () => {
    expect(() => danishDate('3/12/2026')).toThrow(RangeError);
  });
});
