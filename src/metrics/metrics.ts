import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * All Prometheus metrics live in one registry. Labels are system/queue names and codes only:
 * never ids of citizens, never text.
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'tsm_' });

export const jobsGauge = new Gauge({
  name: 'tsm_jobs',
  help: 'Jobs by queue and state (sampled at scrape time)',
  labelNames: ['queue', 'state'] as const,
  registers: [metricsRegistry],
});

export const jobDuration = new Histogram({
  name: 'tsm_job_duration_seconds',
  help: 'Job processing time by queue and job name',
  labelNames: ['queue', 'job', 'outcome'] as const,
  buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [metricsRegistry],
});

export const jobFailures = new Counter({
  name: 'tsm_job_failures_total',
  help: 'Failed job attempts by queue and error class',
  labelNames: ['queue', 'job', 'error_class'] as const,
  registers: [metricsRegistry],
});

export const breakerState = new Gauge({
  name: 'tsm_breaker_state',
  help: 'Circuit breaker state per external system: 0 closed, 1 half-open, 2 open',
  labelNames: ['system'] as const,
  registers: [metricsRegistry],
});

export const outboundCalls = new Counter({
  name: 'tsm_outbound_http_calls_total',
  help: 'Outbound HTTP calls by system and status (status "error" for no response)',
  labelNames: ['system', 'status'] as const,
  registers: [metricsRegistry],
});

export const outboundDuration = new Histogram({
  name: 'tsm_outbound_http_duration_seconds',
  help: 'Outbound HTTP call duration by system',
  labelNames: ['system'] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [metricsRegistry],
});

export const sideEffects = new Counter({
  name: 'tsm_side_effects_total',
  help: 'External side effects by kind and outcome (done, reused, failed)',
  labelNames: ['kind', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const watchUnreadCitizens = new Counter({
  name: 'tsm_watch_unread_citizens_total',
  help: 'Citizens the locked-note watch could not read in a pass (read again on the next pass), by district',
  labelNames: ['district'] as const,
  registers: [metricsRegistry],
});

/** One row of the per-meeting note counts; set by the after-meeting workflow (see setMeetingNotesSource). */
export interface MeetingNotesRow {
  district: string;
  meetingDate: string;
  state: 'done' | 'pending' | 'failed';
  count: number;
}

let meetingNotesSource: (() => Promise<MeetingNotesRow[]>) | undefined;

/** Where tsm_meeting_notes reads its numbers when scraped (the after-meeting status service). */
export function setMeetingNotesSource(source: (() => Promise<MeetingNotesRow[]>) | undefined): void {
  meetingNotesSource = source;
}

export const meetingNotes = new Gauge({
  name: 'tsm_meeting_notes',
  help: 'Notes of recent meetings by after-meeting state (done, pending, failed), computed at scrape time',
  labelNames: ['district', 'meeting_date', 'state'] as const,
  registers: [metricsRegistry],
  // Computed from Redis when scraped, so the api process shows what the workers did.
  async collect() {
    if (!meetingNotesSource) return;
    let rows: MeetingNotesRow[];
    try {
      rows = await meetingNotesSource();
    } catch {
      return; // keep the last values rather than fail the whole scrape
    }
    this.reset();
    for (const r of rows) this.set({ district: r.district, meeting_date: r.meetingDate, state: r.state }, r.count);
  },
});

export const medcomLetters = new Counter({
  name: 'tsm_medcom_letters_total',
  help: 'MedCom letters by event (sent, resent, acknowledged, rejected, gave_up, timeout_rearmed) and format',
  labelNames: ['event', 'format'] as const,
  registers: [metricsRegistry],
});

export const medcomReceipts = new Counter({
  name: 'tsm_medcom_receipts_total',
  help: 'Files read from the VANS in-folder by type (XCTL03, XCTL02, XCTL01, fhir-ok, fhir-transient-error, fhir-fatal-error, message, malformed) and outcome (applied, duplicate, unmatched, failed)',
  labelNames: ['type', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const medcomReceiptsUnmatched = new Counter({
  name: 'tsm_medcom_receipts_unmatched_total',
  help: 'Receipts moved to unmatched/ without changing a letter, by type and code (RECEIPT_UNKNOWN_LETTER, RECEIPT_ENVELOPE_NOT_SENT, RECEIPT_SENDER_MISMATCH)',
  labelNames: ['type', 'code'] as const,
  registers: [metricsRegistry],
});

export const childrenIntake = new Counter({
  name: 'tsm_children_requests_total',
  help: "Children's meeting intake by outcome (created, duplicate, refused) and code (the refusal's code, or 'ok')",
  labelNames: ['outcome', 'code'] as const,
  registers: [metricsRegistry],
});

export const agendaSize = new Gauge({
  name: 'tsm_agenda_notes',
  help: 'The last collected agenda per district and meeting date: notes on it (items), left off (excluded) and warnings',
  labelNames: ['district', 'meeting_date', 'kind'] as const,
  registers: [metricsRegistry],
});

export const notifySent = new Counter({
  name: 'tsm_notify_messages_total',
  help: 'Notification mail by transport (smtp, outbox) and outcome (sent, deferred: 4xx or unreachable, refused: 5xx, fallback: written to the outbox)',
  labelNames: ['transport', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const nexusCalls = new Counter({
  name: 'tsm_nexus_calls_total',
  help: 'Requests sent to KMD Nexus (token included), by the purpose of the work that made them: agenda, watch, sweep, steps, tasks, other',
  labelNames: ['purpose'] as const,
  registers: [metricsRegistry],
});

export const watchLastPass = new Gauge({
  name: 'tsm_watch_last_pass_timestamp_seconds',
  help: 'When the locked-note watch last finished a pass over the district (unix seconds); stale = the watch is not running',
  labelNames: ['district'] as const,
  registers: [metricsRegistry],
});

let receiptsOverdueSource: (() => Promise<number>) | undefined;

/** Where tsm_medcom_receipts_overdue reads its number when scraped (the letter store). */
export function setReceiptsOverdueSource(source: (() => Promise<number>) | undefined): void {
  receiptsOverdueSource = source;
}

export const receiptsOverdue = new Gauge({
  name: 'tsm_medcom_receipts_overdue',
  help: 'MedCom letters whose receipt is past due and not yet handled (resent, given up), computed at scrape time',
  registers: [metricsRegistry],
  async collect() {
    if (!receiptsOverdueSource) return;
    try {
      this.set(await receiptsOverdueSource());
    } catch {
      // keep the last value rather than fail the whole scrape
    }
  },
});
