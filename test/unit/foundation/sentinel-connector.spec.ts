import { EventEmitter } from 'node:events';
import Redis, { SentinelConnector } from 'ioredis';
import { loadConfig } from '../../../src/config/load-config';
import { sentinelOptions, StreamBoundSentinelConnector } from '../../../src/infra/redis-options';

type Stream = Awaited<ReturnType<SentinelConnector['connect']>>;
interface Detector {
  cleanup: jest.Mock;
}
const detectorOf = (c: StreamBoundSentinelConnector) => c as unknown as { failoverDetector: Detector | null };

/**
 * The failover detector lives exactly as long as the connection it watches (issue 21: a detector
 * left over from a dead primary ended a reconnecting client for good, and one left after quit()
 * kept three sentinel subscribers reconnecting forever). The Redis side is ioredis' own connector
 * (stubbed here); the failover itself is test/integration/foundation/redis-sentinel.spec.ts.
 */
describe('StreamBoundSentinelConnector', () => {
  const options = sentinelOptions(loadConfig({ REDIS_SENTINELS: '127.0.0.1:26379', REDIS_SENTINEL_NAME: 'mymaster' }));
  let stream: EventEmitter;

  beforeEach(() => {
    // A socket as far as the connector uses one: events, and writes it may cork (redis-write-coalescing.ts).
    stream = Object.assign(new EventEmitter(), { write: () => true, cork: () => undefined, uncork: () => undefined });
    jest.spyOn(SentinelConnector.prototype, 'connect').mockImplementation(async () => stream as unknown as Stream);
  });
  afterEach(() => jest.restoreAllMocks());

  it('is what every sentinel client of the service connects with', () => {
    expect(options.Connector).toBe(StreamBoundSentinelConnector);
    const client = new Redis({ ...options, lazyConnect: true });
    expect((client as unknown as { connector: unknown }).connector).toBeInstanceOf(StreamBoundSentinelConnector);
    client.disconnect();
  });

  it('drops a detector left from the previous connection before asking the sentinels again', async () => {
    const connector = new StreamBoundSentinelConnector(options);
    const stale: Detector = { cleanup: jest.fn() };
    detectorOf(connector).failoverDetector = stale;
    await connector.connect(() => undefined);
    expect(stale.cleanup).toHaveBeenCalledTimes(1);
    expect(detectorOf(connector).failoverDetector).toBeNull();
  });

  it("drops the connection's detector when the connection closes (a dead primary, quit)", async () => {
    const connector = new StreamBoundSentinelConnector(options);
    await connector.connect(() => undefined);
    // ioredis starts the detector once the connection is up.
    const live: Detector = { cleanup: jest.fn() };
    detectorOf(connector).failoverDetector = live;
    expect(live.cleanup).not.toHaveBeenCalled();
    stream.emit('close');
    expect(live.cleanup).toHaveBeenCalledTimes(1);
    expect(detectorOf(connector).failoverDetector).toBeNull();
  });

  it('cleans a detector up once when it disconnects the client itself (+switch-master), not again at the close', async () => {
    const connector = new StreamBoundSentinelConnector(options);
    await connector.connect(() => undefined);
    const live: Detector = { cleanup: jest.fn() };
    detectorOf(connector).failoverDetector = live;
    connector.disconnect();
    stream.emit('close');
    // A second cleanup would disconnect ended sentinel clients again, each leaving a 2 s timer behind.
    expect(live.cleanup).toHaveBeenCalledTimes(1);
  });
});
