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
 * What the protocol needs at least, per endpoint, to finish a batch of locked notes, and why we make
 * more. Nexus has no "locked since" query: the watch must walk the citizen list (per citizen its
 * record, view and pathway tree; per locked note the form), which already returns every note and
 * citizen the steps need. Tasks need the form's assignment types, a prototype and its assignees once
 * per note, then one POST per task. eDoc needs the case search and the upload; MedCom one file.
 */
export function callsPerNote(r: PipelineScenarioResult): CallsPerNoteRow[] {
  const n = r.pipeline.notes;
  const calls = r.pipeline.calls.nexus;
  const count = (k: string) => calls[k] ?? 0;
  const notesWithTasks = r.stages['nexus.note-tasks']?.jobs ?? 0;
  const tasks = count('POST /assignments');
  const row = (endpoint: string, minimum: number, why: string): CallsPerNoteRow => ({
    system: 'nexus', endpoint, perNote: count(endpoint) / n, minimumPerNote: minimum / n, why: count(endpoint) > minimum ? why : '',
  });
  // Once per batch: token, home resource, preferences, the list and its content.
  const perBatch = ['POST /token', 'GET /', 'GET /preferences', 'GET /preferences/CITIZEN_LIST/:id', 'GET /preferences/CITIZEN_LIST/:id/content'];
  const batchCalls = perBatch.reduce((a, e) => a + count(e), 0);
  const rows: CallsPerNoteRow[] = [
    {
      system: 'nexus', endpoint: 'once per batch: token, home, preferences, list, list content', perNote: batchCalls / n, minimumPerNote: perBatch.length / n,
      why: batchCalls > perBatch.length ? 'token renewed, or the list walked more than once' : '',
    },
    row('GET /patients', Math.ceil(n / 50), 'more list pages than needed (50 ids per call)'),
    row('GET /patients/:id', n, 'each step that needs the citizen (filing, letter) reads it again; the walk had just read it'),
    row('GET /patients/:id/conditions', 0, 'reading a citizen also reads their conditions, which only the agenda needs'),
    row('GET /patients/:id/preferences', n, ''),
    row('GET /patients/:id/preferences/CITIZEN_PATHWAY/:view', n, ''),
    row('GET /patients/:id/preferences/CITIZEN_PATHWAY/:view/references', n, ''),
    row('GET /formData/:id', n, 'each step re-reads the note to check it is still the locked version it was made for; task creation reads the form again per task'),
    row('GET /formData/:id/availableAssignmentTypes', notesWithTasks, 'navigated again for every task of a note, not once per note'),
    row('GET /assignments/prototype', notesWithTasks, 'navigated again for every task of a note, not once per note'),
    row('GET /assignments/organizationAssignees', notesWithTasks, 'navigated again for every task of a note, not once per note'),
    row('POST /assignments', tasks, ''),
  ];
  const known = new Set([...perBatch, ...rows.map((x) => x.endpoint)]);
  for (const [endpoint, c] of Object.entries(calls)) {
    if (!known.has(endpoint)) rows.push({ system: 'nexus', endpoint, perNote: c / n, minimumPerNote: 0, why: 'not part of the after-meeting protocol' });
  }
  const edoc = r.pipeline.calls.edoc;
  rows.push(
    { system: 'edoc', endpoint: 'SearchCaseFile', perNote: (edoc.SearchCaseFile ?? 0) / n, minimumPerNote: 1, why: (edoc.SearchCaseFile ?? 0) > n ? 'case searched more than once per note' : '' },
    { system: 'edoc', endpoint: 'CreateDocumentAndDocumentVersion', perNote: (edoc.CreateDocumentAndDocumentVersion ?? 0) / n, minimumPerNote: 1, why: '' },
  );
  for (const [op, c] of Object.entries(edoc)) {
    if (op !== 'SearchCaseFile' && op !== 'CreateDocumentAndDocumentVersion') rows.push({ system: 'edoc', endpoint: op, perNote: c / n, minimumPerNote: 0, why: 'reconciling an unknown outcome' });
  }
  const letters = r.stages['medcom.send-note']?.jobs ?? 0;
  rows.push({
    system: 'medcom', endpoint: 'letter file to the VANS out-folder', perNote: r.pipeline.calls.vansMessages / n, minimumPerNote: letters / n,
    why: r.pipeline.calls.vansMessages > letters ? 'resends' : '',
  });
  return rows.filter((x) => x.perNote > 0 || x.minimumPerNote > 0);
}
