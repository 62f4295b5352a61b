// The demo's console login (`npm start` prints it): made once with the hub's CLI, the same login
// on every start, and it signs in to the console of the demo hub.
import { afterAll, describe, expect, it } from 'vitest';
import { ensureDemoAdmin } from '../../../main/demo/demo-admin.js';
import { HUB_ENGINE } from '../../support/hub-engine.js';
import { ROOT, seedDemo } from '../../support/processes.js';
import { removeDir, startHubProcess, tempDataDir } from '../hub/harness.js';
import { ConsoleClient } from './console-client.js';

// The demo (`npm start`) keeps its hub in a SQLite data dir: its CLI calls take `--data` only.
describe.skipIf(HUB_ENGINE === 'postgres')('the demo admin', () => {
  const dir = tempDataDir();
  afterAll(() => removeDir(dir));

  it('is made once, printed the same on every start, and signs in to the console', async () => {
    seedDemo(dir);
    const first = ensureDemoAdmin(ROOT, dir);
    const second = ensureDemoAdmin(ROOT, dir);
    expect(second).toEqual(first);
    expect(first.password.length).toBeGreaterThanOrEqual(12);
    const hub = await startHubProcess(dir);
    try {
      const client = new ConsoleClient(hub.url);
      const answer = await client.signIn(first.email, first.password);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ user: { role: 'admin', allStores: true } });
    } finally {
      expect(await hub.stop()).toBe(0);
    }
  }, 120_000);
});
