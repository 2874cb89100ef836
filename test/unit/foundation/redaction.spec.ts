import { Writable } from 'node:stream';
import { createLogger } from '../../../src/logging/logger';
import { maskCpr, redactFreeText } from '../../../src/logging/redact';

const FIXTURE_CPRS = ['0101401234', '311299-1234', '290204-5678'];

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { lines, stream };
}

describe('personal data redaction', () => {
  it('masks CPR-shaped strings with a valid date, with or without dash', () => {
    expect(maskCpr('cpr 0101401234 and 311299-1234')).toBe('cpr xxxxxxxxxx and xxxxxx-xxxx');
    expect(maskCpr('leap 290204-5678')).toBe('leap xxxxxx-xxxx');
  });

  it("redacts text from outside (a GP's refusal, a file name): CPRs masked, capitalised words gone", () => {
    expect(redactFreeText('Patienten Anna Prøvesen (070338-1412) er ikke tilmeldt; kontakt Ørsted-Hansen')).toBe(
      '[navn] [navn] [navn] (xxxxxx-xxxx) er ikke tilmeldt; kontakt [navn]',
    );
    expect(redactFreeText('0703381412 Anna Prøvesen.xml')).toBe('xxxxxxxxxx [navn] [navn].xml');
    // Codes, ids and lower-case words stay readable.
    expect(redactFreeText('XDIS91 ikke_specificeret vans-1234.xml')).toBe('XDIS91 ikke_specificeret vans-1234.xml');
  });

  it('leaves ids that are not dates alone', () => {
    expect(maskCpr('job 9912311234 note 5001 ts 1700000000')).toBe('job 9912311234 note 5001 ts 1700000000');
    expect(maskCpr('310299-1234')).toBe('310299-1234'); // 31 February is not a date
    expect(maskCpr('12345678901')).toBe('12345678901'); // eleven digits
  });

  it('keeps fixture CPRs, names and secrets out of every log line', () => {
    const { lines, stream } = capture();
    const log = createLogger({ level: 'info', destination: stream, secrets: ['s3cr3t-token-value'] });
    log.info({ cpr: '0101401234', citizen: { name: 'Anna Jensen', id: 1001 } }, 'looked up 0101401234');
    log.warn({ err: { message: 'failed for 311299-1234' } }, 'token s3cr3t-token-value rejected');
    log.error(`note for 290204-5678`);
    const out = lines.join('');
    for (const cpr of FIXTURE_CPRS) expect(out).not.toContain(cpr);
    expect(out).not.toContain('Anna Jensen');
    expect(out).not.toContain('s3cr3t-token-value');
    expect(out).toContain('"id":1001');
    expect(lines).toHaveLength(3);
  });
});
