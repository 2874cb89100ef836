/**
 * Asks `/health/live` again and again while some work runs and keeps how long each answer took.
 * The service under test runs in this same process, so a blocked event loop shows up here as a slow
 * answer (or none): the figure issue 14 (C1) set is that the API answers within 1 s throughout.
 */
export class LivenessProbe {
  private readonly latencies: number[] = [];
  private readonly failures: string[] = [];
  private running = true;
  private readonly loop: Promise<void>;

  private constructor(
    private readonly baseUrl: string,
    private readonly everyMs: number,
  ) {
    this.loop = this.run();
  }

  static start(baseUrl: string, everyMs = 50): LivenessProbe {
    return new LivenessProbe(baseUrl, everyMs);
  }

  /** Stops asking; resolves with the answers seen (count, slowest, failures). */
  async stop(): Promise<{ answers: number; slowestMs: number; failures: string[] }> {
    this.running = false;
    await this.loop;
    return { answers: this.latencies.length, slowestMs: Math.round(Math.max(0, ...this.latencies)), failures: this.failures };
  }

  /** Answers seen so far. */
  get answers(): number {
    return this.latencies.length;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const t0 = performance.now();
      try {
        const res = await fetch(`${this.baseUrl}/health/live`, { signal: AbortSignal.timeout(10_000) });
        await res.text();
        if (res.status !== 200) this.failures.push(`HTTP ${res.status}`);
      } catch (err) {
        this.failures.push(String((err as Error)?.message ?? err));
      }
      const answered = performance.now();
      await new Promise((r) => setTimeout(r, this.everyMs));
      // The answer's latency, plus however late the pause between two asks ended: a loop blocked
      // between asks delays the next one, and counts as well.
      this.latencies.push(answered - t0 + Math.max(0, performance.now() - answered - this.everyMs));
    }
  }
}
