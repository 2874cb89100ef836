import axios from 'axios';
import os from 'node:os';
import { EdocClient } from '../../../adapters/edoc/edoc.client';
import { EdocCodeLists } from '../../../adapters/edoc/edoc.code-lists';
import { loadSeed } from '../../../adapters/shared/sandbox-seed';
import { startSandboxes } from '../../../src/infra/sandboxes';
import { testConfig } from '../../support/test-service';

describe('startSandboxes: the eDoc block', () => {
  it('starts the eDoc sandbox with the env fault knobs and points the config at it with basic auth', async () => {
    const config = testConfig({
      // Real-looking endpoints for the other systems so only the eDoc simulator starts here.
      NEXUS_BASE_URL: 'https://x.nexus.kmd.dk/api/core/mobile/x/v2/',
      NEXUS_TOKEN_URL: 'https://iam.nexus.kmd.dk/authx/realms/x/protocol/openid-connect/token',
      NEXUS_CLIENT_ID: 'id',
      NEXUS_CLIENT_SECRET: 'secret',
      MEDCOM_OUT_DIR: os.tmpdir(),
      SANDBOX_EDOC_LATENCY_MS: '5',
      SANDBOX_EDOC_ERROR_RATE: '0',
      SANDBOX_EDOC_COMMIT_TIMEOUT_RATE: '0.25',
    });
    expect(config.EDOC_URL).toBeUndefined();
    const running = await startSandboxes(config);
    try {
      const cfg = running.config;
      expect(cfg.EDOC_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/edoc\.asmx$/);
      expect(cfg.EDOC_AUTH).toBe('basic');
      expect(cfg.EDOC_USER).toBeTruthy();
      expect(cfg.EDOC_PASSWORD?.length).toBeGreaterThanOrEqual(16);
      const faults = (await axios.get(cfg.EDOC_URL!.replace('/edoc.asmx', '/_sandbox/faults'))).data;
      expect(faults).toMatchObject({ latencyMs: 5, errorRate: 0, commitTimeoutRate: 0.25 });

      const client = new EdocClient(cfg, EdocCodeLists.load());
      const seeded = loadSeed().citizens.find((c) => c.edocCase)!;
      await expect(client.findCase({ sequenceNumber: seeded.edocCase! })).resolves.toMatchObject({ sequenceNumber: seeded.edocCase });
      client.shutdown();
    } finally {
      await running.stop();
    }
  });
});
