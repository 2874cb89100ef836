import type { AcceptSummary } from '../children.intake';
import { formatDateDa, formatDateTimeDa } from '../children.messages';
import { invitePlace } from '../children.invitations';

/**
 * The pages behind the accept link in the unit's mail: Danish, no CPR, no names, no home address;
 * plain HTML without scripts (helmet's CSP applies), one form that POSTs back to the same URL.
 */
const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string[]): string {
  return [
    '<!doctype html>',
    '<html lang="da"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer"><meta name="robots" content="noindex">',
    `<title>${esc(title)}</title></head>`,
    '<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 2em auto; padding: 0 1em; line-height: 1.5">',
    `<h1>${esc(title)}</h1>`,
    ...body,
    '</body></html>',
    '',
  ].join('\n');
}

function details(s: AcceptSummary, unitName: string): string[] {
  const lastDay = formatDateDa(new Date(Date.parse(s.acceptanceDeadline) - 1).toISOString());
  return [
    '<dl>',
    `<dt>Ekstern enhed</dt><dd>${esc(unitName)}</dd>`,
    `<dt>Tidspunkt</dt><dd>${esc(formatDateTimeDa(s.proposedStart))} (ca. 1 time)</dd>`,
    `<dt>Sted</dt><dd>${esc(invitePlace(s))}</dd>`,
    `<dt>Svarfrist</dt><dd>${esc(lastDay)}</dd>`,
    `<dt>Reference</dt><dd>${esc(s.id)}</dd>`,
    '</dl>',
  ];
}

/** GET: what is accepted, and the button (or that it is accepted already). */
export function acceptFormPage(s: AcceptSummary, unitName: string): string {
  if (s.acceptedAt) return acceptedPage(s, unitName, true);
  return page('Acceptér samarbejdsmøde', [
    `<p>${esc(unitName)} er bedt om at deltage i et samarbejdsmøde om et barn. Oplysningerne om barnet står i det anmodningsskema, der er vedhæftet mailen.</p>`,
    ...details(s, unitName),
    '<p>Når du accepterer, registreres det, at en fagperson fra enheden deltager i mødet.</p>',
    '<form method="post"><button type="submit" style="font-size: 1.1em; padding: .5em 1.2em">Acceptér mødet</button></form>',
  ]);
}

/** POST (or GET once accepted): the meeting is accepted. */
export function acceptedPage(s: AcceptSummary, unitName: string, before: boolean): string {
  return page(before ? 'Mødet er allerede accepteret' : 'Tak – mødet er accepteret', [
    `<p>${before ? 'Mødet blev accepteret' : 'Mødet er accepteret'} ${esc(formatDateTimeDa(s.acceptedAt!))}. Den lokale leder kan se det.</p>`,
    ...details(s, unitName),
  ]);
}

/** A refused link: the code and the Danish text. */
export function acceptErrorPage(code: string, da: string): string {
  return page('Linket kan ikke bruges', [`<p>${esc(da)}</p>`, `<p><small>Fejlkode: ${esc(code)}</small></p>`]);
}
