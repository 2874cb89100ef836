import type { DestinationStream } from 'pino';

/**
 * A pino destination that keeps every line in memory, for tests that scan what the service logged
 * (personal data, secrets). Pass it to startService({ logDestination }).
 */
export class LogCapture implements DestinationStream {
  private readonly lines: string[] = [];

  write(line: string): void {
    this.lines.push(line);
  }

  text(): string {
    return this.lines.join('');
  }

  count(): number {
    return this.lines.length;
  }
}
