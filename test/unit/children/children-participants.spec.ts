import { meetingAudience, reminderRecipients } from '../../../src/domain/children-participants';

/** Who the agreement form and the reminders reach (issue 18: participants, delegation). */
describe('meetingAudience: every participant reached, the others listed for the local leader', () => {
  const lene = { name: 'Lene Leder', role: 'lokal leder', email: 'lene@solhoej.example' };
  const peter = { name: 'Peter Psykolog', email: 'Peter@KE.example' };
  const mor = { name: 'Mor Testbarn', role: 'forælder' };

  it.each([
    [
      'participants with an address get it; one without is listed',
      { participants: [lene, peter, mor] },
      ['lene@solhoej.example', 'peter@ke.example'],
      [{ name: 'Mor Testbarn', role: 'forælder' }],
    ],
    [
      "a parent's address from the request reaches the parent the agreement names without one (names fold)",
      { participants: [lene, mor], parents: [{ name: '  mor   TESTBARN ', email: 'mor@privat.example' }] },
      ['lene@solhoej.example', 'mor@privat.example'],
      [],
    ],
    [
      'a parent named only on the request is a participant too; without an address, listed',
      { participants: [lene], parents: [{ name: 'Far Testbarn' }] },
      ['lene@solhoej.example'],
      [{ name: 'Far Testbarn', role: 'forælder' }],
    ],
    [
      'the meeting leader gets it even when the form does not name them',
      { participants: [mor], meetingLeader: { name: 'Mette Mødeleder', email: 'mette@solhoej.example' } },
      ['mette@solhoej.example'],
      [{ name: 'Mor Testbarn', role: 'forælder' }],
    ],
    [
      'the same address twice is one recipient',
      { participants: [lene, { name: 'Lene L.', email: 'LENE@solhoej.example' }] },
      ['lene@solhoej.example'],
      [],
    ],
    [
      'nobody has an address: nothing to mail, everyone listed',
      { participants: [mor, { name: 'Far' }] },
      [],
      [{ name: 'Mor Testbarn', role: 'forælder' }, { name: 'Far' }],
    ],
  ])('%s', (_what, input, mailboxes, unreached) => {
    expect(meetingAudience(input)).toEqual({ mailboxes, unreached });
  });
});

describe('reminderRecipients: delegation to a meeting leader, the local leader in copy', () => {
  it.each([
    ['no delegation: the local leader', { localLeader: 'lene@x.dk' }, ['lene@x.dk'], []],
    [
      'delegated: the meeting leader, the local leader in copy',
      { localLeader: 'lene@x.dk', meetingLeader: 'mette@x.dk' },
      ['mette@x.dk'],
      ['lene@x.dk'],
    ],
    [
      'delegated to the leader herself: no copy to the same box',
      { localLeader: 'lene@x.dk', meetingLeader: 'LENE@x.dk' },
      ['LENE@x.dk'],
      [],
    ],
    [
      'with the unit mailbox first',
      { localLeader: 'lene@x.dk', meetingLeader: 'mette@x.dk', extra: ['ke@x.dk'] },
      ['ke@x.dk', 'mette@x.dk'],
      ['lene@x.dk'],
    ],
    ["the local leader's mailbox forgotten: the meeting leader alone", { meetingLeader: 'mette@x.dk' }, ['mette@x.dk'], []],
    ['no one', {}, [], []],
  ])('%s', (_what, input, to, cc) => {
    expect(reminderRecipients(input)).toEqual({ to, cc });
  });
});
