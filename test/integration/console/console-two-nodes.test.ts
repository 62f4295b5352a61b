// The console's fleet behind a load balancer: a technician's page may come from either hub node,
// and a kiosk connected to the other node is online there too, with its version and its paper.
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consolePath, FleetResponseSchema } from '../../../shared/protocol/console.js';
import { HealthAckSchema } from '../../../shared/protocol/sync.js';
import { HUB_ENGINE } from '../../support/hub-engine.js';
import { PAPER_OUT } from '../../support/health-reports.js';
import { seedDemo } from '../../support/processes.js';
import { createStaff } from '../../support/staff.js';
import {
  DEMO,
  ask,
  connect,
  connected,
  credentialFor,
  removeDir,
  startHubProcess,
  tempDataDir,
  type HubProcess,
} from '../hub/harness.js';
import { ConsoleClient } from './console-client.js';

const PASSWORD = 'correct horse battery';

// Several nodes run on Postgres only (SQLite is one hub process).
describe.skipIf(HUB_ENGINE !== 'postgres')('the fleet on two hub nodes', () => {
  let dir: string;
  let nodes: HubProcess[] = [];
  let kiosk: Socket;

  beforeAll(async () => {
    dir = tempDataDir();
    seedDemo(dir);
    createStaff(dir, {
      email: 'tech@example.com',
      name: 'Tess',
      role: 'technician',
      stores: 'demo-store',
      password: PASSWORD,
    });
    nodes = [await startHubProcess(dir), await startHubProcess(dir)];
  });

  afterAll(async () => {
    kiosk.disconnect();
    for (const node of nodes) await node.stop();
    removeDir(dir);
  });

  it('shows a kiosk connected to one node as online on the other, with its version and paper', async () => {
    const [a, b] = nodes as [HubProcess, HubProcess];
    kiosk = connect(a.url, { ...(await credentialFor(a.url, DEMO.kiosk)), version: '7.1.0' });
    await connected(kiosk);
    HealthAckSchema.parse(await ask(kiosk, 'health', PAPER_OUT));
    for (const node of [a, b]) {
      const tech = new ConsoleClient(node.url);
      expect((await tech.signIn('tech@example.com', PASSWORD)).status).toBe(200);
      const fleet = FleetResponseSchema.parse(
        (await tech.get(consolePath('fleet', { storeId: 'demo-store' }))).body,
      );
      expect(fleet.devices.find((d) => d.device.id === 'demo-kiosk')).toMatchObject({
        connection: 'online',
        version: '7.1.0',
        printer: 'paper_out',
        flags: { quiet: false, outOfPaper: true },
      });
      // A desk that never connected is not taken for online anywhere.
      expect(fleet.devices.find((d) => d.device.id === 'demo-desk-1')?.connection).toBe('never');
    }
  });
});
