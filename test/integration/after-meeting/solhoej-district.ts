import type { District } from '../../../src/config/districts';

/** The district, follow-up labels and organisations the after-meeting workflow specs run with. */
export const labels = {
  sendToGp: 'Send til egen læge',
  homeCareTask: 'Opgave til hjemmeplejen',
  attachOrganisations: 'Tilknyt organisation',
  revisitation: 'Revisitation',
};
export const orgs = { homeCare: 'Hjemmeplejen', coordinator: 'Koordinerende rolle', visitator: 'Visitator' };
export const district = {
  id: 'solhoej',
  name: 'Solhøj',
  firstMeetingDate: '2026-11-19',
  cadenceDays: 14,
  startTime: '10:00',
  cutoffDays: 3,
  cutoffTime: '16:00',
  morningTime: '07:00',
  nexus: {
    citizenList: 'Liste Solhøj',
    citizenView: '- Alt',
    formTitle: 'Samlet faglig vurdering',
    tag: 'ÆS – Tværfagligt samarbejdsmøde',
    organisations: {
      coordinator: 'Koordinerende rolle',
      visitator: 'Visitator',
      dementia: 'Demensspecialister',
      nurses: ['Sygeplejersker'],
    },
  },
} as District;
