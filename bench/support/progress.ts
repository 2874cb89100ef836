/** Progress lines for a person watching: stderr, with seconds since the bench started. */
const started = Date.now();

export function progress(line: string): void {
  process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
}
