import type { PipelineScenarioResult } from './pipeline.bench';

export interface CallsPerNoteRow {
  system: 'nexus' | 'edoc' | 'medcom';
  endpoint: string;
  perNote: number;
  minimumPerNote: number;
  /** Why we make more calls than the protocol needs (empty when we make the minimum). */
  why: string;
}

/**
 * What the protocol needs at least, per endpoint, to finish a batch of locked agenda notes, and why
 * we make more. The agenda's collect walked the list before the meeting and stored each note's self
 * link (not counted here: that is the agenda's budget); after the meeting began, the targeted watch
 * reads each note once by that link, and that read serves every step's version check. Filing and
 * letter need the citizen's identity (one read per note), tasks the organisation list once (for the
 * names notes ask to attach), the form's assignment types, a prototype and its assignees once per
 * note, then one POST per task. eDoc needs the case
 * search and the upload; MedCom one file.
 */
export function callsPerNote(r: PipelineScenarioResult): CallsPerNoteRow[] {
  const n = r.pipeline.notes;
  const calls = r.pipeline.calls.nexus;
  const count = (k: string) => calls[k] ?? 0;
  const notesWithTasks = r.stages['nexus.note-tasks']?.jobs ?? 0;
  const tasks = count('POST /assignments');
  const row = (endpoint: string, minimum: number, why: string): CallsPerNoteRow => ({
    system: 'nexus',
    endpoint,
    perNote: count(endpoint) / n,
    minimumPerNote: minimum / n,
    why: count(endpoint) > minimum ? why : '',
  });
  // Once per batch: a token (the worker's first call) and the home resource (links by id).
  const perBatch = ['POST /token', 'GET /'];
  const batchCalls = perBatch.reduce((a, e) => a + count(e), 0);
  const rows: CallsPerNoteRow[] = [
    {
      system: 'nexus',
      endpoint: 'once per batch: token, home',
      perNote: batchCalls / n,
      minimumPerNote: 1 / n,
      why: batchCalls > 1 ? 'the home resource, for a citizen whose self link this process does not know yet' : '',
    },
    row('GET /patients', 0, 'a citizen whose self link this process does not know: looked up by id (50 per call at most)'),
    row(
      'GET /patients/:id',
      n,
      "a note's filing and letter share one read of the citizen's identity (SHARED_READ_MS); a step that ran later reads it again",
    ),
    row('GET /patients/:id/preferences', 0, 'the walk ran (a sweep)'),
    row('GET /patients/:id/preferences/CITIZEN_PATHWAY/:view', 0, 'the walk ran (a sweep)'),
    row('GET /patients/:id/preferences/CITIZEN_PATHWAY/:view/references', 0, 'the walk ran (a sweep)'),
    row(
      'GET /formData/:id',
      n,
      'a step (or a task) that ran after the shared-read moment (SHARED_READ_MS, TASK_NAVIGATION_MS) reads the note again',
    ),
    row('GET /formData/:id/availableAssignmentTypes', notesWithTasks, NAVIGATED_AGAIN),
    row('GET /assignments/prototype', notesWithTasks, NAVIGATED_AGAIN),
    row('GET /assignments/organizationAssignees', notesWithTasks, NAVIGATED_AGAIN),
    row('POST /assignments', tasks, ''),
    // The organisation list, for the names notes ask to attach: once per batch (ORGANISATIONS_FRESH_MS, 60 s).
    row(
      'GET /organizations',
      Math.min(count('GET /organizations'), 1),
      'read again: the batch ran longer than ORGANISATIONS_FRESH_MS (60 s), or reads of it failed',
    ),
  ];
  const known = new Set([...perBatch, ...rows.map((x) => x.endpoint)]);
  for (const [endpoint, c] of Object.entries(calls)) {
    if (!known.has(endpoint))
      rows.push({ system: 'nexus', endpoint, perNote: c / n, minimumPerNote: 0, why: 'not part of the after-meeting protocol' });
  }
  const edoc = r.pipeline.calls.edoc;
  rows.push(
    {
      system: 'edoc',
      endpoint: 'SearchCaseFile',
      perNote: (edoc.SearchCaseFile ?? 0) / n,
      minimumPerNote: 1,
      why: (edoc.SearchCaseFile ?? 0) > n ? 'case searched more than once per note' : '',
    },
    {
      system: 'edoc',
      endpoint: 'CreateDocumentAndDocumentVersion',
      perNote: (edoc.CreateDocumentAndDocumentVersion ?? 0) / n,
      minimumPerNote: 1,
      why: '',
    },
  );
  for (const [op, c] of Object.entries(edoc)) {
    if (op !== 'SearchCaseFile' && op !== 'CreateDocumentAndDocumentVersion')
      rows.push({
        system: 'edoc',
        endpoint: op,
        perNote: c / n,
        minimumPerNote: 0,
        why: op === 'SearchDocument' ? searchDocumentWhy(c, edoc.CreateDocumentAndDocumentVersion ?? 0) : 'reconciling an unknown outcome',
      });
  }
  const letters = r.stages['medcom.send-note']?.jobs ?? 0;
  rows.push({
    system: 'medcom',
    endpoint: 'letter file to the VANS out-folder',
    perNote: r.pipeline.calls.vansMessages / n,
    minimumPerNote: letters / n,
    why: r.pipeline.calls.vansMessages > letters ? 'resends' : '',
  });
  return rows.filter((x) => x.perNote > 0 || x.minimumPerNote > 0);
}

const NAVIGATED_AGAIN = "a note's tasks created more than TASK_NAVIGATION_MS apart navigate again";

/**
 * SearchDocument after a filing: eDoc's public create answer carries the new document's id only, so
 * the client fetches its Links.OpenDocument for the audit with one search by id (EDOC_OPEN_LINK_LOOKUP,
 * default on; the bare script makes the same call). Searches beyond one per filing reconcile an
 * attempt whose outcome was unknown; with the lookup off every search is one of those.
 */
export const OPEN_LINK_WHY =
  "the new document's Links.OpenDocument for the audit: the create answer carries only the id (EDOC_OPEN_LINK_LOOKUP=false skips it)";

function searchDocumentWhy(searches: number, creates: number): string {
  if (creates === 0 || searches < creates) return 'reconciling an unknown outcome';
  return searches > creates ? `${OPEN_LINK_WHY}; the rest reconcile an unknown outcome` : OPEN_LINK_WHY;
}
