/** Outgoing notifications that are not MedCom: Teams invitations (ICS), unit mailboxes, reminders. */
export const NOTIFY_PORT = Symbol('NotifyPort');

export interface NotifyMessage {
  /** Deterministic id: sending the same id twice delivers once. */
  id: string;
  to: string[]; // mailbox names/addresses from config
  /** Copy recipients (Cc), e.g. the local leader on a reminder to the meeting leader. */
  cc?: string[];
  subject: string;
  body: string;
  attachments?: Array<{ filename: string; contentType: string; content: Buffer }>;
}

export interface NotifyPort {
  send(msg: NotifyMessage): Promise<{ deliveryId: string; duplicate: boolean }>;
}
