// ioredis's index exports the sentinel connector but not the standalone one; the lock pins ioredis,
// and a move of this file fails the type check, not production.
import StandaloneConnector, { type StandaloneConnectionOptions } from 'ioredis/built/connectors/StandaloneConnector';

type NetStream = Awaited<ReturnType<StandaloneConnector['connect']>>;

/**
 * The commands one event-loop iteration writes on a Redis connection leave in one socket write.
 *
 * ioredis writes every command to its socket at once, so each command costs a system call, and on
 * loopback the kernel's delivery to Redis as well; in the worker (bound by its main thread at no
 * latency) those writes were the largest single cost beside HTTP (docs/benchmark.md, "CPU round 3").
 * The socket is corked at the first write and uncorked in the loop's check phase (`setImmediate`),
 * which is Node's own pattern for batching a stream's writes (`writable.cork()`): the same bytes in
 * the same order, so commands, replies and their order are exactly as before, BullMQ's scripts
 * included. Uncorking at the check phase rather than on the next tick also joins the writes of all
 * the I/O callbacks one poll phase runs (replies, HTTP answers, timers), a third fewer socket writes
 * in the bench, for at most one loop iteration's delay. Unlike ioredis's auto-pipelining it changes
 * nothing but how the bytes are handed to the kernel.
 */
export function coalesceWrites(stream: NetStream): NetStream {
  let corked = false;
  const write = stream.write.bind(stream);
  stream.write = ((...args: Parameters<NetStream['write']>) => {
    if (!corked) {
      corked = true;
      stream.cork();
      setImmediate(() => {
        corked = false;
        stream.uncork();
      });
    }
    return write(...(args as [never]));
  }) as NetStream['write'];
  return stream;
}

/** ioredis' standalone connector, with each connection's writes coalesced per event-loop turn. */
export class CoalescingConnector extends StandaloneConnector {
  /** ioredis hands a Connector the client's options (its ConnectorConstructor types them unknown). */
  constructor(options: unknown) {
    super(options as StandaloneConnectionOptions);
  }

  override async connect(...args: Parameters<StandaloneConnector['connect']>): Promise<NetStream> {
    return coalesceWrites(await super.connect(...args));
  }
}
