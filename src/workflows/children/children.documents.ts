import type { AgreementForm, ChildrenRequest } from '../../../schemas/children-request.schema';
import { localParts } from '../../common/local-time';
import type { FormPdfInput } from '../../documents/form-pdf.renderer';
import { formatDateDa, formatDateTimeDa } from './children.messages';
import type { ExternalUnit } from './children.units';
import type { ChildrenRequestRecord, MeetingRecord } from './children.store';

/**
 * The forms as the PDF renderer's input: title, intro lines and sections of labelled fields. Built
 * only from the stored form and stored times, never the clock, so the same form gives the same
 * bytes: DocumentJournal keys its exactly-once ledger on the PDF's hash.
 */
const UNIT_TYPE_DA = { dagtilbud: 'Dagtilbud', skole: 'Skole', sundhedspleje: 'Sundhedspleje' } as const;
const PLACE_DA = { dagtilbud: 'Dagtilbud', skole: 'Skole', hjem: 'Barnets hjem' } as const;

export const REQUEST_FORM_TITLE = 'Anmodningsskema – Samarbejdsmøde';
export const AGREEMENT_FORM_TITLE = 'Aftaleskema – Samarbejdsmøde';

export function requestFormDocument(form: ChildrenRequest, r: ChildrenRequestRecord, unit: ExternalUnit): FormPdfInput {
  return {
    title: REQUEST_FORM_TITLE,
    date: localParts(new Date(r.receivedAt)).date,
    intro: [`Anmodning til ${unit.name}`],
    sourceIds: [`anmodning ${r.id}`],
    sections: [
      {
        heading: 'Barnet/den unge',
        fields: [
          { label: 'CPR-nummer', value: form.child.cpr },
          ...(form.child.name ? [{ label: 'Navn', value: form.child.name }] : []),
          { label: 'Forældrenes samtykke', value: form.consentGiven ? 'Givet' : 'Ikke givet' },
        ],
      },
      {
        heading: 'Lokal enhed',
        fields: [
          { label: 'Enhed', value: `${form.localUnit.name} (${UNIT_TYPE_DA[form.localUnit.type]})` },
          { label: 'Lokal leder', value: form.localLeader.name },
          { label: 'Postkasse', value: form.localLeader.email },
          ...(form.meetingLeader
            ? [{ label: 'Mødeleder (uddelegeret)', value: `${form.meetingLeader.name}, ${form.meetingLeader.email}` }]
            : []),
        ],
      },
      ...((form.parents ?? []).length
        ? [
            {
              heading: 'Forældre',
              fields: form.parents.map((p, i) => ({ label: `Forælder ${i + 1}`, value: p.email ? `${p.name}, ${p.email}` : p.name })),
            },
          ]
        : []),
      {
        heading: 'Mødet',
        fields: [
          { label: 'Ekstern enhed', value: unit.name },
          { label: 'Foreslået tidspunkt', value: formatDateTimeDa(r.proposedStart) },
          { label: 'Sted', value: `${PLACE_DA[form.place.type]}: ${form.place.address}` },
          { label: 'Svarfrist', value: formatDateDa(new Date(Date.parse(r.deadlineAt) - 1).toISOString()) },
        ],
      },
      { heading: 'Beskrivelse', fields: [{ label: 'Hvad skal mødet hjælpe med, og hvad er prøvet lokalt', value: form.description }] },
      ...(form.attachments.length
        ? [{ heading: 'Bilag', fields: form.attachments.map((a, i) => ({ label: `Bilag ${i + 1}`, value: a.filename })) }]
        : []),
    ],
  };
}

export function agreementFormDocument(form: AgreementForm, m: MeetingRecord, unit: ExternalUnit): FormPdfInput {
  const heldAt = m.heldAt ?? m.scheduledStart;
  const followUpStart = form.followUpMeetingDate;
  return {
    title: AGREEMENT_FORM_TITLE,
    date: localParts(new Date(heldAt)).date,
    intro: [`${m.seq === 1 ? 'Indledende møde' : `Opfølgende møde nr. ${m.seq - 1}`} med ${unit.name}, ${formatDateTimeDa(heldAt)}`],
    sourceIds: [`møde ${m.id}`],
    sections: [
      {
        heading: 'Deltagere',
        fields: form.participants.map((p) => ({
          label: p.name,
          value: [p.role, p.organisation].filter(Boolean).join(', ') || '–',
        })),
      },
      ...(form.background ? [{ heading: 'Baggrund', fields: [{ label: 'Bekymring og hidtidige tiltag', value: form.background }] }] : []),
      { heading: 'Aftaler', fields: [{ label: 'Hvad er aftalt', value: form.agreements }] },
      ...(form.actions.length
        ? [
            {
              heading: 'Hvem gør hvad',
              fields: form.actions.map((a) => ({
                label: a.responsible,
                value: a.due ? `${a.description} (senest ${a.due})` : a.description,
              })),
            },
          ]
        : []),
      {
        heading: 'Opfølgning',
        fields: [
          {
            label: 'Opfølgende møde',
            value: followUpStart ? formatDateTimeDa(followUpStart) : 'Ikke aftalt endnu. Lokal leder indkalder.',
          },
        ],
      },
    ],
  };
}
