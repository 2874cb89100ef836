/**
 * Why an outbound call is made, for the call budget (tsm_nexus_calls_total{purpose}). A workflow
 * gets a view of the Nexus port that counts its calls under its purpose (`NexusPort.forPurpose`,
 * taken once where the workflow is wired); the adapter only reads the label, so it stays free of
 * workflow knowledge. Calls through the plain port count as "other".
 *
 * Why a view and not an AsyncLocalStorage around the work: on Node 20 one AsyncLocalStorage turns
 * on promise hooks for the whole process, and every promise (axios, ioredis, BullMQ) then pays for
 * them — measured ≈ 25 % more CPU on an HTTP + Redis loop (docs/benchmark.md, "CPU round 3").
 */
export type CallPurpose = 'agenda' | 'watch' | 'sweep' | 'steps' | 'tasks' | 'other';
