// Fleet alerts reach people: a ticket machine that runs out of paper, and gets paper again, mails
// the store's technician and store manager once per change (a real hub process, a real SMTP
// server); a hub restart does not mail again; two nodes looking at the same change at once mail
// it once.
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetOf } from '../../../cloud/console/fleet.js';
import type { HubRepo } from '../../../cloud/db/hub-repo.js';
import { raiseFleetAlerts } from '../../../cloud/notify/fleet-alerts.js';
import { createStaff } from '../../../cloud/staff/staff.js';
import {
  HealthAckSchema,
  type DeviceCredential,
  type DeviceHealth,
} from '../../../shared/protocol/sync.js';
import { HUB_ENGINE, openTestHubRepo } from '../../support/hub-engine.js';
import { PAPER_OUT, READY } from '../../support/health-reports.js';
import { seedDemo } from '../../support/processes.js';
import {
  DEMO,
  ask,
  connectDevice,
  credentialFor,
  removeDir,
  startHubProcess,
  tempDataDir,
  type HubProcess,
} from '../hub/harness.js';
import { cli, fastDelivery } from '../notify/setup.js';
import { startMailServer, type MailServer } from '../notify/stand-ins.js';

const STORE = 'demo-store';
const PEOPLE = [
  { email: 'tech@store.test', role: 'technician', stores: [STORE] },
  { email: 'manager@store.test', role: 'store_manager', stores: [STORE] },
  // Not mailed: an agent works at a desk; an owner sees every store of the chain.
  { email: 'agent@store.test', role: 'agent', stores: [STORE] },
  { email: 'owner@store.test', role: 'owner', stores: [] },
] as const;

async function addPeople(repo: HubRepo): Promise<void> {
  for (const person of PEOPLE) {
    await createStaff(
      repo,
      { ...person, name: person.email, password: 'a long enough password' },
      new Date(),
    );
  }
}

const subjects = (mail: MailServer) =>
  mail.mails.map((m) => `${m.to.join(',')} ${/^Subject: (.*)$/m.exec(m.raw)?.[1] ?? '?'}`).sort();

describe('fleet alerts by email', () => {
  let dir: string;
  let hub: HubProcess;
  let mail: MailServer;
  let kiosk: Socket;
  let credential: DeviceCredential;

  beforeAll(async () => {
    dir = tempDataDir();
    seedDemo(dir);
    mail = await startMailServer();
    cli(['notify', 'smtp', '--data', dir, '--url', mail.url, '--from', 'hub@store.test']);
    fastDelivery(dir);
    const repo = await openTestHubRepo(dir);
    try {
      await addPeople(repo);
    } finally {
      await repo.close();
    }
    hub = await startHubProcess(dir);
    credential = await credentialFor(hub.url, DEMO.kiosk);
    kiosk = await connectDevice(hub.url, credential);
  });

  afterAll(async () => {
    kiosk.disconnect();
    await hub.stop();
    await mail.close();
    removeDir(dir);
  });

  it("mails the store's technician and manager when the kiosk runs out of paper, and when it has paper again", async () => {
    HealthAckSchema.parse(await ask(kiosk, 'health', READY));
    HealthAckSchema.parse(await ask(kiosk, 'health', PAPER_OUT));
    await expect
      .poll(() => subjects(mail), { timeout: 10_000 })
      .toEqual([
        'manager@store.test Kiosk at Lineup Demo Store: out of paper',
        'tech@store.test Kiosk at Lineup Demo Store: out of paper',
      ]);
    expect(mail.mails[0]?.raw).toContain('no ticket can be printed');
    // A heartbeat that says the same mails nothing more.
    HealthAckSchema.parse(await ask(kiosk, 'health', PAPER_OUT));
    HealthAckSchema.parse(await ask(kiosk, 'health', READY));
    await expect.poll(() => mail.mails.length, { timeout: 10_000 }).toBe(4);
    expect(subjects(mail).filter((s) => s.endsWith('paper back in'))).toEqual([
      'manager@store.test Kiosk at Lineup Demo Store: paper back in',
      'tech@store.test Kiosk at Lineup Demo Store: paper back in',
    ]);
  });

  it('does not mail again after a restart', async () => {
    kiosk.disconnect();
    expect(await hub.stop()).toBe(0);
    hub = await startHubProcess(dir);
    kiosk = await connectDevice(hub.url, credential);
    HealthAckSchema.parse(await ask(kiosk, 'health', READY));
    // Long enough for the worker (40 ms polls) to send anything queued.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(mail.mails).toHaveLength(4);
  });
});

// Several nodes run on Postgres only (SQLite is one hub process).
describe.skipIf(HUB_ENGINE !== 'postgres')('fleet alerts raised by two nodes at once', () => {
  it('queue one mail per change and recipient', async () => {
    const dir = tempDataDir();
    seedDemo(dir);
    cli(['notify', 'smtp', '--data', dir, '--url', 'smtp://127.0.0.1:9', '--from', 'h@s.test']);
    // Two connections to one database, as two hub nodes have.
    const nodes = [await openTestHubRepo(dir), await openTestHubRepo(dir)] as const;
    try {
      await addPeople(nodes[0]);
      const t0 = new Date();
      const fleetAt = async (repo: HubRepo, health: DeviceHealth, at: Date) => {
        const entry = {
          deviceId: 'demo-kiosk',
          storeId: STORE,
          health,
          reportedAt: at.toISOString(),
          changedAt: at.toISOString(),
        };
        return fleetOf(
          STORE,
          await repo.devices(STORE),
          () => null,
          [entry],
          await repo.head(STORE),
          at,
        );
      };
      // First sighting, then each node sees the paper run out (its own look, a moment apart).
      await raiseFleetAlerts(nodes[0], await fleetAt(nodes[0], READY, t0), t0);
      const at = [new Date(t0.getTime() + 1000), new Date(t0.getTime() + 1001)];
      const raised = await Promise.all(
        nodes.map(async (repo, i) =>
          raiseFleetAlerts(repo, await fleetAt(repo, PAPER_OUT, at[i]!), at[i]!),
        ),
      );
      expect(
        raised.flatMap((r) =>
          r.alerts.filter((a) => a.deviceId === 'demo-kiosk').map((a) => a.kind),
        ),
      ).toEqual(['paper_out']);
      const queued = await nodes[0].outboxEntries({ limit: 100 });
      const paperMails = queued.filter((e) => e.customerId === `fleet:${STORE}`);
      expect(paperMails.map((e) => e.endpoint).sort()).toEqual([
        'manager@store.test',
        'tech@store.test',
      ]);
    } finally {
      for (const repo of nodes) await repo.close();
      removeDir(dir);
    }
  });
});

describe('fleet alerts of one look', () => {
  it('are one mail per recipient, whatever the number of devices', async () => {
    const dir = tempDataDir();
    seedDemo(dir);
    cli(['notify', 'smtp', '--data', dir, '--url', 'smtp://127.0.0.1:9', '--from', 'h@s.test']);
    const repo = await openTestHubRepo(dir);
    try {
      await addPeople(repo);
      const t0 = new Date();
      const desks = ['demo-desk-1', 'demo-desk-2'];
      // The desks were connected; 5 minutes later neither has been heard from (a power cut).
      // The screen, never installed, connects for the first time after that.
      const online = (since: Date) => ({
        storeId: STORE,
        sockets: 1,
        connectedSince: since.toISOString(),
        lastSeen: since.toISOString(),
        version: null,
        position: null,
      });
      const look = async (at: Date, desksConnected: boolean, screenConnected = false) =>
        raiseFleetAlerts(
          repo,
          fleetOf(
            STORE,
            await repo.devices(STORE),
            (id) =>
              desks.includes(id)
                ? { ...online(t0), sockets: desksConnected ? 1 : 0 }
                : id === 'demo-screen' && screenConnected
                  ? online(at)
                  : null,
            [],
            await repo.head(STORE),
            at,
          ),
          at,
        );
      await look(t0, true);
      const later = new Date(t0.getTime() + 5 * 60_000);
      const { alerts } = await look(later, false);
      expect(alerts.map((a) => [a.kind, a.deviceId]).sort()).toEqual([
        ['device_quiet', 'demo-desk-1'],
        ['device_quiet', 'demo-desk-2'],
      ]);
      const mails = (await repo.outboxEntries({ limit: 100 })).filter(
        (e) => e.customerId === `fleet:${STORE}`,
      );
      expect(mails.map((e) => e.endpoint).sort()).toEqual([
        'manager@store.test',
        'tech@store.test',
      ]);
      const message = mails[0]?.message as { subject: string; text: string };
      expect(message.subject).toBe('2 devices at Lineup Demo Store: not heard from');
      expect(message.text).toContain('Desk 1 (desk lineup-desk-1) has not been heard from since');
      expect(message.text).toContain('Desk 2 (desk lineup-desk-2) has not been heard from since');
      // Quiet since the first look: its first connection is not news.
      const installed = await look(new Date(later.getTime() + 60_000), false, true);
      expect(installed.alerts).toEqual([]);
    } finally {
      await repo.close();
      removeDir(dir);
    }
  });
});
