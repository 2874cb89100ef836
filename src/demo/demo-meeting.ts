import type { FollowUpLabels } from '../domain/after-meeting.rules';

/**
 * What the demo's meeting concludes for the citizen at each agenda position: realistic conclusion
 * items (fictional, no names) that exercise every follow-up: letters to the GP, home care tasks,
 * organisations to attach and re-visitations. Deterministic, so a run can be checked by its numbers.
 */
const CONCLUSIONS = [
  'Borgeren profiterer af hverdagsrehabilitering. Forløbet forlænges 4 uger med fokus på forflytning og personlig hygiejne.',
  'Faldrisikoen er høj. Ergoterapeuten vurderer hjælpemidler i hjemmet; træning 2 gange ugentligt.',
  'Stigende kognitiv svækkelse. Demenskoordinatoren kontakter de pårørende; tilsynet om aftenen øges.',
  'Målene for § 83a-forløbet er nået. Forløbet afsluttes, og hjælpen tilpasses det nuværende funktionsniveau.',
  'Medicinhåndteringen er uafklaret. Sygeplejen overtager doseringen midlertidigt; egen læge orienteres.',
  'Borgeren ønsker mere socialt samvær. Der henvises til aktivitetstilbud i lokalcentret.',
];

const HOME_CARE_TASKS = [
  'Hjælp til bad øges til 2 gange ugentligt. Opdatér indsats og instruks.',
  'Tilsyn kl. 21 tilføjes. Observér for uro og desorientering, og dokumentér i Nexus.',
  'Støttestrømper af og på dagligt. Opdatér instruksen.',
];

const ATTACH = ['Demensspecialister, Sygeplejersker', 'Hjælpemiddelterapeuter'];

export function demoConclusion(position: number, labels: FollowUpLabels): Record<string, string> {
  return {
    'Konklusion og aftaler': `${CONCLUSIONS[position % CONCLUSIONS.length]} Borgers kontaktperson opdaterer mål og indsatser i Nexus inden 14 dage.`,
    [labels.sendToGp]: position % 2 === 0 ? 'Ja' : 'Nej',
    [labels.homeCareTask]: position % 3 === 0 ? HOME_CARE_TASKS[(position / 3) % HOME_CARE_TASKS.length] : '',
    [labels.attachOrganisations]: position % 4 === 1 ? ATTACH[0] : position % 4 === 3 ? ATTACH[1] : '',
    [labels.revisitation]: position % 5 === 2 ? 'Ja' : 'Nej',
  };
}
