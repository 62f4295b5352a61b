// Chaos: a seeded workload against the real hub process, killed with SIGKILL at random points
// (sometimes with a command in flight), restarted each time, while the partner answers 500 to
// a random share of requests. At the end every TICKET_* event the hub's log holds for a
// subscribed ticket reached the independent receiver, and none was applied twice.
import type { Socket } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import { openTestHubRepo } from '../../support/hub-engine.js';
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
import { startReceiver } from './seed-receiver.js';
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
        const steps = 4 + Math.floor(random() * 8);
        const op = async (): Promise<void> => {
          const r = random();
          if (r < 0.5) {
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
              await fetch(`${hub.url}/lineberty/v2/tickets/${result.customer.id}/subscription`, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ pushId: `PUSH_${pushes++}` }),
              });
            }
          } else {
            const called = await send(desk, { type: 'call_next', payload: {} });
            if (called.ok && called.customer !== null) {
              await send(desk, { type: 'finish', payload: { customerId: called.customer.id } });
            }
          }
        };
        for (let i = 0; i < steps; i++) await op();
        // Half the time the hub dies with a command in flight.
        if (random() < 0.5) void op().catch(() => undefined);
        await hub.kill9();
        kiosk.disconnect();
        desk.disconnect();
      }
      // A last life: let the outbox drain, then compare with the log.
      const hub = await startHubProcess(dir);
      await expect
        .poll(
          () =>
            (JSON.parse(cli(['outbox', 'list', '--data', dir, '--status', 'pending'])) as unknown[])
              .length,
          {
            timeout: 40_000,
            interval: 500,
          },
        )
        .toBe(0);
      expect(await hub.stop()).toBe(0);
    } finally {
      await receiver.close();
    }

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
  }, 300_000);
});
