// Chaos: a seeded workload against the real hub process, killed with SIGKILL at random points
// (sometimes with a command in flight), restarted each time, while the partner answers 500 to
// a random share of requests. At the end every TICKET_* event the hub's log holds for a
// subscribed ticket reached the independent receiver, and none was applied twice. On Postgres,
// the same with two hub nodes delivering from one outbox, one of them killed now and then: what
// reaches the partner twice is at most what a killed node had in flight.
import type { Socket } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import { HUB_ENGINE, openTestHubRepo } from '../../support/hub-engine.js';
import { triggerOf } from '../../../cloud/notify/notifications-for.js';
import { linebertyAction } from '../../../shared/adapters/lineberty.js';
import { DEMO_STORE_ID } from '../../../shared/demo/demo-store.js';
import type { DeviceCredential } from '../../../shared/protocol/sync.js';
import {
  DEMO,
  connectDevice,
  credentialFor,
  removeDir,
  send,
  startHubProcess,
  tempDataDir,
  type HubProcess,
} from '../hub/harness.js';
import { startReceiver, type Receiver } from './seed-receiver.js';
import { SECRET, cli, demoWebhook, fastDelivery, seedStoreWithTexts } from './setup.js';

/** mulberry32: a small seeded generator, so a failing run can be replayed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = 20261202;
const ROUNDS = 3;

/** One step of the workload: a ticket taken and subscribed, or the next one called and served. */
function workload(
  random: () => number,
  devices: { kiosk: Socket; desk: Socket; subscribeAt: string },
  nextPushId: () => string,
): () => Promise<void> {
  const { kiosk, desk, subscribeAt } = devices;
  return async () => {
    if (random() < 0.5) {
      const result = await send(kiosk, {
        type: 'register',
        payload: {
          serviceId: 'demo-accessories',
          lang: 'EN',
          contactMode: 'name',
          contact: { name: 'Chaos' },
        },
      });
      if (result.ok && result.customer !== null) {
        await fetch(`${subscribeAt}/lineberty/v2/tickets/${result.customer.id}/subscription`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ pushId: nextPushId() }),
        });
      }
    } else {
      const called = await send(desk, { type: 'call_next', payload: {} });
      if (called.ok && called.customer !== null) {
        await send(desk, { type: 'finish', payload: { customerId: called.customer.id } });
      }
    }
  };
}

/** Waits until the outbox has nothing pending (the hub or hubs on `dir` are running). */
async function drained(dir: string): Promise<void> {
  await expect
    .poll(
      () =>
        (JSON.parse(cli(['outbox', 'list', '--data', dir, '--status', 'pending'])) as unknown[])
          .length,
      { timeout: 40_000, interval: 500 },
    )
    .toBe(0);
}

/** Every TICKET_* event the log holds for a subscribed ticket reached `receiver`, applied once. */
async function expectEveryEventOnce(dir: string, receiver: Receiver): Promise<void> {
  // What the log says each subscribed ticket went through.
  const repo = await openTestHubRepo(dir);
  const expected = new Map<string, string[]>();
  try {
    const head = await repo.head(DEMO_STORE_ID);
    if (head === null) throw new Error('no log');
    for (const change of await repo.changesSince(DEMO_STORE_ID, head.epoch, 0, 100_000)) {
      const found = triggerOf(change);
      if (found === null) continue;
      const pushId = await repo.pushId(found.customer.id);
      if (pushId === null) continue;
      // BOOKED is sent when the partner subscribes (right after registering here).
      const action =
        found.trigger === 'registered' ? 'TICKET_BOOKED' : linebertyAction(found.trigger);
      if (action !== null) expected.set(pushId, [...(expected.get(pushId) ?? []), action]);
    }
    expect(await repo.outboxEntries({ status: 'failed', limit: 10 })).toEqual([]);
  } finally {
    await repo.close();
  }
  const received = new Map<string, string[]>();
  for (const m of receiver.applied)
    received.set(m.pushId, [...(received.get(m.pushId) ?? []), m.action]);
  expect(expected.size).toBeGreaterThan(3);
  expect(received).toEqual(expected);
  expect(new Set(receiver.applied.map((m) => m.key)).size).toBe(receiver.applied.length);
  expect(receiver.rejected).toEqual([]);
}

describe('notification delivery under kill -9', () => {
  const dir = tempDataDir();
  afterAll(() => removeDir(dir));

  it('loses no event and applies none twice', async () => {
    const random = seeded(SEED);
    await seedStoreWithTexts(dir);
    // Its own generator: the receiver's answers do not shift the workload's choices.
    const answers = seeded(SEED + 1);
    const receiver = await startReceiver(SECRET, () => (answers() < 0.25 ? 'fail' : 'ok'));
    demoWebhook(dir, receiver.url);
    fastDelivery(dir);
    let kioskCred: DeviceCredential | null = null;
    let deskCred: DeviceCredential | null = null;
    let pushes = 0;
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const hub: HubProcess = await startHubProcess(dir);
        kioskCred ??= await credentialFor(hub.url, DEMO.kiosk);
        deskCred ??= await credentialFor(hub.url, DEMO.desk1);
        const kiosk: Socket = await connectDevice(hub.url, kioskCred);
        const desk: Socket = await connectDevice(hub.url, deskCred);
        const op = workload(
          random,
          { kiosk, desk, subscribeAt: hub.url },
          () => `PUSH_${pushes++}`,
        );
        const steps = 4 + Math.floor(random() * 8);
        for (let i = 0; i < steps; i++) await op();
        // Half the time the hub dies with a command in flight.
        if (random() < 0.5) void op().catch(() => undefined);
        await hub.kill9();
        kiosk.disconnect();
        desk.disconnect();
      }
      // A last life: let the outbox drain, then compare with the log.
      const hub = await startHubProcess(dir);
      await drained(dir);
      expect(await hub.stop()).toBe(0);
    } finally {
      await receiver.close();
    }
    await expectEveryEventOnce(dir, receiver);
  }, 300_000);
});

// Several nodes run on Postgres only (SQLite is one hub process).
describe.skipIf(HUB_ENGINE !== 'postgres')('notification delivery on two hub nodes', () => {
  const dir = tempDataDir();
  afterAll(() => removeDir(dir));

  it('sends each notification once from two nodes, and again only what a killed node had in flight', async () => {
    const random = seeded(SEED + 2);
    await seedStoreWithTexts(dir);
    const answers = seeded(SEED + 3);
    const receiver = await startReceiver(SECRET, () => (answers() < 0.25 ? 'fail' : 'ok'));
    demoWebhook(dir, receiver.url);
    fastDelivery(dir);
    // Both nodes deliver; the kiosk is on one, the desk and the partner on the other.
    const nodes: (HubProcess | null)[] = [null, null];
    let kioskCred: DeviceCredential | null = null;
    let deskCred: DeviceCredential | null = null;
    let pushes = 0;
    let kills = 0;
    try {
      for (let round = 0; round < ROUNDS; round++) {
        for (const [i, node] of nodes.entries()) nodes[i] = node ?? (await startHubProcess(dir));
        const [a, b] = nodes as [HubProcess, HubProcess];
        kioskCred ??= await credentialFor(a.url, DEMO.kiosk);
        deskCred ??= await credentialFor(b.url, DEMO.desk1);
        const kiosk = await connectDevice(a.url, kioskCred);
        const desk = await connectDevice(b.url, deskCred);
        const op = workload(random, { kiosk, desk, subscribeAt: b.url }, () => `PUSH_${pushes++}`);
        const steps = 6 + Math.floor(random() * 8);
        for (let i = 0; i < steps; i++) await op();
        // Most rounds, one node dies (the other keeps delivering).
        if (random() < 0.7) {
          const victim = random() < 0.5 ? 0 : 1;
          await nodes[victim]?.kill9();
          nodes[victim] = null;
          kills += 1;
        }
        kiosk.disconnect();
        desk.disconnect();
      }
      for (const [i, node] of nodes.entries()) nodes[i] = node ?? (await startHubProcess(dir));
      await drained(dir);
    } finally {
      for (const node of nodes) await node?.stop();
      await receiver.close();
    }
    await expectEveryEventOnce(dir, receiver);
    // A node killed mid-send may have sent what it had in flight (2 per endpoint here): those
    // go again. Nothing else is ever sent twice, though both nodes look at the same outbox.
    expect(kills).toBeGreaterThan(0);
    expect(receiver.repeats.length).toBeLessThanOrEqual(kills * 2);
  }, 300_000);
});
