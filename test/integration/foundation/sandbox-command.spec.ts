import axios from 'axios';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileGpDirectory } from '../../../adapters/directory/file-gp-directory';
import { loadSeed } from '../../../adapters/shared/sandbox-seed';
import { startStandaloneSandboxes } from '../../../src/cli/sandbox.command';
import { loadConfig } from '../../../src/config/load-config';
import { freePort } from '../../../src/infra/embedded-redis';

describe('tsm-bridge sandbox (standalone simulators)', () => {
  it('runs every simulator on the fixed ports with the given client credentials, printing no secret', async () => {
    const [nexusPort, edocPort] = [await freePort(), await freePort()];
    const data = mkdtempSync(path.join(os.tmpdir(), 'tsm-sandbox-cmd-'));
    const config = loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: data,
      SANDBOX_NEXUS_PORT: String(nexusPort),
      SANDBOX_EDOC_PORT: String(edocPort),
      NEXUS_CLIENT_ID: 'compose-client',
      NEXUS_CLIENT_SECRET: 'compose-nexus-secret',
      EDOC_USER: 'compose-edoc',
      EDOC_PASSWORD: 'compose-edoc-password',
      MEDCOM_OUT_DIR: path.join(data, 'medcom-out'), // set, as in compose: the VANS simulator runs anyway
      MEDCOM_IN_DIR: path.join(data, 'medcom-in'),
    });
    const { running, settings } = await startStandaloneSandboxes(config);
    try {
      const printed = settings.join('\n');
      expect(printed).toContain(`NEXUS_BASE_URL=http://127.0.0.1:${nexusPort}/`);
      expect(printed).toContain(`NEXUS_TOKEN_URL=http://127.0.0.1:${nexusPort}/`);
      expect(printed).toContain(`EDOC_URL=http://127.0.0.1:${edocPort}/`);
      expect(printed).toMatch(/^SANDBOX_VANS_PORT=\d+$/m);
      expect(printed).toContain(`GP_DIRECTORY_FILE=${path.join(data, 'sandbox', 'gp-directory.json')}`);
      // A client with a "real" VANS reads the GPs from that file: the seed's citizens are addressable.
      const seed = loadSeed();
      const citizen = seed.citizens.find((c) => c.gp)!;
      const directory = FileGpDirectory.fromFile(path.join(data, 'sandbox', 'gp-directory.json'));
      expect((await directory.practiceFor(citizen.cpr)).ydernummer).toBe(citizen.gp!.ydernummer);
      expect(printed).not.toContain('compose-nexus-secret');
      expect(printed).not.toContain('compose-edoc-password');

      // The configured credentials are the ones the simulators accept.
      const token = await axios.post(
        running.config.NEXUS_TOKEN_URL!,
        new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: 'compose-client',
          client_secret: 'compose-nexus-secret',
        }).toString(),
        { headers: { 'content-type': 'application/x-www-form-urlencoded' }, validateStatus: () => true },
      );
      expect(token.status).toBe(200);
      expect(token.data.access_token).toEqual(expect.any(String));
      const unauthorised = await axios.post(running.config.EDOC_URL!, '<x/>', {
        auth: { username: 'compose-edoc', password: 'wrong' },
        validateStatus: () => true,
      });
      const authorised = await axios.post(running.config.EDOC_URL!, '<x/>', {
        auth: { username: 'compose-edoc', password: 'compose-edoc-password' },
        validateStatus: () => true,
      });
      expect(unauthorised.status).toBe(401);
      expect(authorised.status).not.toBe(401);
    } finally {
      await running.stop();
    }
  });
});
