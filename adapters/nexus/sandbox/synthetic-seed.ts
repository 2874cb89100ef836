import type { Seed } from '../../../schemas/sandbox-seed.schema';

export interface SyntheticSeedOptions {
  citizens: number;
  /** Meeting day (YYYY-MM-DD, Copenhagen); every citizen gets one tagged draft note for it. */
  meetingDate: string;
  formTitle: string;
  tag: string;
  /** Extra locked notes of the same title per citizen (older meetings), to size the pathway tree. */
  olderNotesPerCitizen?: number;
}

/**
 * A district of any size for load and call-count measurements: fictitious citizens (CPR numbers
 * with valid dates), each with one note for the meeting and optional older locked notes.
 */
export function syntheticSeed(o: SyntheticSeedOptions): Seed {
  const older = o.olderNotesPerCitizen ?? 0;
  let noteId = 800_000;
  const citizens: Seed['citizens'] = [];
  for (let i = 0; i < o.citizens; i++) {
    const id = 600_000 + i;
    const day = String((i % 28) + 1).padStart(2, '0');
    const month = String((Math.floor(i / 28) % 12) + 1).padStart(2, '0');
    const year = String(30 + (Math.floor(i / 336) % 25)).padStart(2, '0');
    const serial = String(1000 + (i % 3000)).padStart(4, '0');
    const notes: Seed['citizens'][number]['notes'] = [];
    for (let k = 0; k < older; k++) {
      notes.push({
        id: noteId++,
        formTitle: o.formTitle,
        tags: [o.tag],
        observationTimestamp: `2025-${String((k % 12) + 1).padStart(2, '0')}-10T00:00:00+01:00`,
        createDate: `2025-${String((k % 12) + 1).padStart(2, '0')}-01T09:00:00+01:00`,
        state: 'Låst',
        items: { Forløbstype: 'Rehabilitering (§ 83a)', Emne: 'Tidligere møde' },
      });
    }
    notes.push({
      id: noteId++,
      formTitle: o.formTitle,
      tags: [o.tag],
      observationTimestamp: `${o.meetingDate}T00:00:00+01:00`,
      createDate: `${o.meetingDate}T00:00:00+01:00`.replace(/-\d{2}T/, '-01T'),
      state: 'Kladde',
      items: { Forløbstype: i % 2 ? 'Kompleks' : 'Rehabilitering (§ 83a)', Prioritet: String((i % 5) + 1), Emne: 'Syntetisk borger' },
    });
    citizens.push({
      id,
      cpr: `${day}${month}${year}${serial}`,
      firstName: 'Syntetisk',
      lastName: `Borger${i}`,
      conditions: [],
      organizations: [1],
      notes,
    });
  }
  return { organizations: [{ id: 1, name: 'Visitator' }], citizens };
}
