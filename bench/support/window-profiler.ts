import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

/**
 * A V8 CPU profile of this process's main thread over a window the bench chooses (the timed run),
 * not its whole life: `--cpu-prof` would also charge the start-up and the agenda's walk before the
 * clock starts. Worker threads (PDF rendering) are not in it; they run beside the main thread.
 */
export class WindowProfiler {
  private readonly session = new Session();

  private post<T = unknown>(method: string, params: object = {}): Promise<T> {
    return new Promise((resolve, reject) => this.session.post(method, params, (err, res) => (err ? reject(err) : resolve(res as T))));
  }

  async start(sampleIntervalUs = 500): Promise<void> {
    this.session.connect();
    await this.post('Profiler.enable');
    await this.post('Profiler.setSamplingInterval', { interval: sampleIntervalUs });
    await this.post('Profiler.start');
  }

  /** Stops sampling and writes the profile (a .cpuprofile for Chrome DevTools or speedscope). */
  async stop(file: string): Promise<void> {
    const { profile } = await this.post<{ profile: object }>('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    this.session.disconnect();
  }
}
