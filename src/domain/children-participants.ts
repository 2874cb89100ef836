/**
 * Who a children's meeting reaches ("Lokal leder sender aftaleskemaet til alle mødedeltagere"): the
 * participants named on the agreement form, the parents named on the request and the meeting leader
 * the local leader delegated to, merged by name. Those with an address get the form by mail; the
 * others are listed for the local leader, who sends it by other means. Pure: no I/O, no clock.
 */
export interface Person {
  name: string;
  email?: string;
  role?: string;
}

export interface Audience {
  /** One entry per distinct address (lower-cased), in the order first seen. */
  mailboxes: string[];
  /** Participants without an address: names (and role) for the local leader's mail, never for logs. */
  unreached: Array<{ name: string; role?: string }>;
}

/** Names compare case-folded with runs of whitespace as one space. */
export function foldName(name: string): string {
  return name.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleLowerCase('da-DK');
}

/**
 * The agreement form's participants first (their order), then request parents and the meeting leader
 * not already named. A person named twice keeps the first address given for them.
 */
export function meetingAudience(input: { participants: readonly Person[]; parents?: readonly Person[]; meetingLeader?: Person }): Audience {
  const people: Person[] = [];
  const byName = new Map<string, Person>();
  const add = (p: Person, role?: string) => {
    const key = foldName(p.name);
    const known = byName.get(key);
    if (known) {
      if (!known.email && p.email) known.email = p.email;
      return;
    }
    const entry = { name: p.name, email: p.email, role: p.role ?? role };
    byName.set(key, entry);
    people.push(entry);
  };
  for (const p of input.participants) add(p);
  for (const p of input.parents ?? []) add(p, 'forælder');
  if (input.meetingLeader) add(input.meetingLeader, 'mødeleder');

  const mailboxes: string[] = [];
  const unreached: Audience['unreached'] = [];
  for (const p of people) {
    if (p.email) {
      const box = p.email.trim().toLowerCase();
      if (!mailboxes.includes(box)) mailboxes.push(box);
    } else {
      unreached.push(p.role ? { name: p.name, role: p.role } : { name: p.name });
    }
  }
  return { mailboxes, unreached };
}

/**
 * Reminders go to the meeting leader when the local leader delegated ("Indkaldelse, mødeledelse og
 * opfølgning kan uddelegeres til lokale fagpersoner"), with the local leader in copy; otherwise to
 * the local leader. `extra` (e.g. the unit's mailbox) is always addressed.
 */
export function reminderRecipients(p: { localLeader?: string; meetingLeader?: string; extra?: readonly string[] }): {
  to: string[];
  cc: string[];
} {
  const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
  const has = (list: string[], box: string) => list.some((x) => same(x, box));
  const to = [...(p.extra ?? [])];
  const cc: string[] = [];
  const local = p.localLeader?.trim() || undefined;
  const leader = p.meetingLeader?.trim() || undefined;
  if (leader) {
    if (!has(to, leader)) to.push(leader);
    if (local && !has(to, local)) cc.push(local);
  } else if (local && !has(to, local)) {
    to.push(local);
  }
  return { to, cc };
}
