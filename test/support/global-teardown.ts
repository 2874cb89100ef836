export default async function globalTeardown(): Promise<void> {
  const redis = (globalThis as { __tsmRedis?: { stop(): Promise<void> } }).__tsmRedis;
  await redis?.stop();
}
