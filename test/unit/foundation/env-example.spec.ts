import { readFileSync } from 'node:fs';
import path from 'node:path';
import { envSchema } from '../../../src/config/config.schema';
import { isSensitive } from '../../../src/config/load-config';

/** .env.example is the operators' reference: it must list every variable with its real default. */
describe('.env.example', () => {
  const lines = readFileSync(path.join(__dirname, '..', '..', '..', '.env.example'), 'utf8').split('\n');
  const documented = new Map<string, { value: string; line: number }>();
  lines.forEach((l, i) => {
    const m = /^#?([A-Z][A-Z0-9_]*)=(.*)$/.exec(l);
    if (m) documented.set(m[1], { value: m[2], line: i });
  });
  const COMPOSE_ONLY = ['API_PORT'];
  const keys = Object.keys(envSchema.shape);
  const defaults = envSchema.parse({}) as Record<string, unknown>;

  it('documents every configuration variable, and nothing the service does not read', () => {
    expect(keys.filter((k) => !documented.has(k))).toEqual([]);
    expect([...documented.keys()].filter((k) => !keys.includes(k) && !COMPOSE_ONLY.includes(k))).toEqual([]);
  });

  it('shows each default as the service applies it', () => {
    const shown = (v: unknown) => (v === undefined ? '' : Array.isArray(v) ? v.join(',') : String(v));
    const wrong = keys.filter((k) => documented.get(k)!.value !== '' && documented.get(k)!.value !== shown(defaults[k]));
    const missing = keys.filter((k) => documented.get(k)!.value === '' && shown(defaults[k]) !== '');
    expect({ wrong, missing }).toEqual({ wrong: [], missing: [] });
  });

  it('marks every secret, in the comment right above it', () => {
    const unmarked = keys.filter(isSensitive).filter((k) => {
      let i = documented.get(k)!.line - 1;
      while (i >= 0 && lines[i].startsWith('# ') && !lines[i].includes('(secret)')) i--;
      return !(i >= 0 && lines[i].includes('(secret)'));
    });
    expect(unmarked).toEqual([]);
  });
});
