// What a technician and a manager do in the console, over real HTTP on a real hub process with
// real devices: an unknown appliance knocks, waits, is provisioned from the console and boots
// into its role by itself; paper out on a kiosk shows on the fleet; a setup edit reaches a device
// on the sync stream; live queue actions land in the store's log; the day's statistics equal
// numbers computed here from the log independently.
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  consolePath,
  FleetResponseSchema,
  LiveQueueResponseSchema,
  StatsResponseSchema,
  WaitingDevicesResponseSchema,
} from '../../../shared/protocol/console.js';
import { storeDay } from '../../../shared/domain/numbering.js';
import {
  PullResponseSchema,
  SyncEvents,
  type Change,
  type CommandResult,
} from '../../../shared/protocol/sync.js';
import { createStaff } from '../../support/staff.js';
import { ask, connectDevice, credentialFor, send } from '../hub/harness.js';
import { DEMO, isConnected, startDemoStore, waitFor, type DemoStore } from '../runtime/harness.js';
import { ConsoleClient } from './console-client.js';

const PASSWORD = 'correct horse battery';
const NEW_BOX = { mac: '02:00:00:00:0a:01', hostname: 'lineup-new-desk' };

const ok = (r: CommandResult) => {
  if (!r.ok) throw new Error(r.refusal.message);
  return r;
};

describe('the hub console at work', () => {
  let demo: DemoStore<{ managerId: string }>;
  let tech: ConsoleClient;
  let manager: ConsoleClient;
  const sockets: Socket[] = [];
  let kiosk: Socket;
  let desk: Socket;

  beforeAll(async () => {
    demo = await startDemoStore('console-ops', (dir) => {
      createStaff(dir, {
        email: 'tech@example.com',
        name: 'Tess',
        role: 'technician',
        stores: 'demo-store',
        password: PASSWORD,
      });
      const managerId = createStaff(dir, {
        email: 'manager@example.com',
        name: 'Max',
        role: 'store_manager',
        stores: 'demo-store',
        password: PASSWORD,
      });
      return { managerId };
    });
    tech = new ConsoleClient(demo.hub.url);
    manager = new ConsoleClient(demo.hub.url);
    expect((await tech.signIn('tech@example.com', PASSWORD)).status).toBe(200);
    expect((await manager.signIn('manager@example.com', PASSWORD)).status).toBe(200);
    kiosk = await connectDevice(demo.hub.url, await credentialFor(demo.hub.url, DEMO.kiosk));
    desk = await connectDevice(demo.hub.url, await credentialFor(demo.hub.url, DEMO.desk1));
    sockets.push(kiosk, desk);
  }, 120_000);
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await demo.close();
  });

  it('provisions a waiting appliance, which boots into its role with no command', async () => {
    // The appliance polls /provision from the start; it is unknown, so it waits.
    const runtime = await demo.runtime(NEW_BOX);
    await waitFor(
      'the box says it is not provisioned',
      () => runtime.bridge.state()?.phase === 'unprovisioned',
    );
    const waiting = await waitFor(
      'the new box in the waiting list',
      async () => {
        const list = WaitingDevicesResponseSchema.parse(
          (await tech.get(consolePath('waitingDevices'))).body,
        );
        return list.devices.find((d) => d.hostname === NEW_BOX.hostname) ?? null;
      },
      60_000,
    );
    expect(waiting.macs).toContain(NEW_BOX.mac.toUpperCase());
    expect(waiting.address).not.toBe('');
    expect(Date.parse(waiting.lastSeen)).toBeGreaterThanOrEqual(Date.parse(waiting.firstSeen));

    const provisioned = await tech.request(
      'POST',
      consolePath('provisionWaiting', { waitingId: waiting.id }),
      { storeId: 'demo-store', role: 'desk', name: 'Desk 3', serviceIds: ['demo-repair'] },
    );
    expect(provisioned.status).toBe(200);
    expect(provisioned.body).toMatchObject({
      device: { name: 'Desk 3', role: 'desk' },
      claim: 'open',
    });

    // No command anywhere: its next poll claims the credential and it becomes the desk.
    await waitFor('the new desk connected', () => isConnected(runtime.bridge), 60_000);
    expect(runtime.bridge.state()?.identity.role).toBe('desk');
    // It left the waiting list.
    const after = WaitingDevicesResponseSchema.parse(
      (await tech.get(consolePath('waitingDevices'))).body,
    );
    expect(after.devices.some((d) => d.hostname === NEW_BOX.hostname)).toBe(false);
    // And it is on the fleet, online.
    const fleet = FleetResponseSchema.parse(
      (await tech.get(consolePath('fleet', { storeId: 'demo-store' }))).body,
    );
    const line = fleet.devices.find((d) => d.device.name === 'Desk 3');
    expect(line?.connection).toBe('online');
    expect(line?.flags.quiet).toBe(false);
    // It pulled up to the head when it connected (nothing changed since).
    expect(line?.syncLag).toBe(0);
    expect(line?.version).toBe(runtime.bridge.state()?.identity.appVersion);
    // A second knock of a known box is not "waiting" again.
    const setup = await manager.get<{ services: { id: string; deskIds: string[] }[] }>(
      consolePath('setup', { storeId: 'demo-store' }),
    );
    const repair = setup.body.services.find((s) => s.id === 'demo-repair');
    expect(repair?.deskIds).toContain((provisioned.body as { device: { id: string } }).device.id);
  }, 180_000);

  it('shows paper out on the fleet from a kiosk health report', async () => {
    await ask(kiosk, SyncEvents.health, {
      printer: 'paper_out',
      printerMessage: 'Out of paper.',
      pager: null,
      scanner: null,
    });
    const fleet = FleetResponseSchema.parse(
      (await tech.get(consolePath('fleet', { storeId: 'demo-store' }))).body,
    );
    const line = fleet.devices.find((d) => d.device.id === 'demo-kiosk');
    expect(line).toMatchObject({
      connection: 'online',
      printer: 'paper_out',
      printerMessage: 'Out of paper.',
      flags: { outOfPaper: true, quiet: false },
    });
    // This raw socket never pulled: its position, so its lag, is not known.
    expect(line?.syncLag).toBeNull();
    // The screen never connected: quiet, never seen.
    expect(fleet.devices.find((d) => d.device.id === 'demo-screen')).toMatchObject({
      connection: 'never',
      flags: { quiet: true },
    });
  });

  it('sends a setup edit to the devices on the sync stream', async () => {
    const heard = new Promise<Change>((resolve) => {
      const listener = (change: Change) => {
        if (change.event !== 'service_updated') return;
        kiosk.off(SyncEvents.change, listener);
        resolve(change);
      };
      kiosk.on(SyncEvents.change, listener);
    });
    const edited = await manager.request(
      'PATCH',
      consolePath('updateService', { storeId: 'demo-store', serviceId: 'demo-accessories' }),
      { serviceMinutes: 7, htmlName: { EN: '<b>Accessories</b>' } },
    );
    expect(edited.status).toBe(200);
    const change = await heard;
    expect(change.entity).toMatchObject({
      kind: 'service',
      service: {
        id: 'demo-accessories',
        serviceMinutes: 7,
        htmlName: { EN: '<b>Accessories</b>' },
      },
    });
    expect(change.origin).toBe(`console:${demo.prepared.managerId}`);
    // A store edit too: closed days and ticket texts are part of the store on every device.
    const store = await manager.request(
      'PATCH',
      consolePath('updateStore', { storeId: 'demo-store' }),
      {
        closedDays: ['2026-12-25'],
        ticketTexts: { footer: { EN: 'See you soon' } },
        workingHours: [{ from: '09:00', to: '19:00' }],
      },
    );
    expect(store.status).toBe(200);
    expect(store.body).toMatchObject({
      store: {
        closedDays: ['2026-12-25'],
        location: { workingHours: [{ from: '09:00', to: '19:00' }] },
      },
    });
    const invalid = await manager.request(
      'PATCH',
      consolePath('updateStore', { storeId: 'demo-store' }),
      {
        langs: [],
      },
    );
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject({ error: 'invalid' });
  });

  it('calls, transfers and cancels from the live queue, each in the log', async () => {
    const register = async () =>
      ok(
        await send(kiosk, {
          type: 'register',
          payload: { serviceId: 'demo-new-phone', lang: 'EN', contactMode: 'anonymous' },
        }),
      ).customer!;
    const a = await register();
    const b = await register();
    const c = await register();
    const queue = LiveQueueResponseSchema.parse(
      (await manager.get(consolePath('queue', { storeId: 'demo-store' }))).body,
    );
    expect(
      queue.services.find((s) => s.serviceId === 'demo-new-phone')?.waiting,
    ).toBeGreaterThanOrEqual(3);
    expect(queue.waiting.map((w) => w.id)).toEqual(expect.arrayContaining([a.id, b.id, c.id]));

    const action = (body: unknown) =>
      manager.request('POST', consolePath('queueAction', { storeId: 'demo-store' }), body);
    const called = await action({ action: 'call', deskId: 'demo-desk-1', customerId: a.id });
    expect(called.status).toBe(200);
    expect(called.body).toMatchObject({
      customer: { id: a.id, state: 'called', deskId: 'demo-desk-1' },
    });
    expect(
      (await action({ action: 'transfer', customerId: b.id, toServiceId: 'demo-accessories' }))
        .status,
    ).toBe(200);
    expect((await action({ action: 'cancel', customerId: c.id })).status).toBe(200);
    const refused = await action({ action: 'cancel', customerId: c.id });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ error: 'refused', refusal: 'illegal_transition' });

    const pulled = PullResponseSchema.parse(
      await ask(desk, SyncEvents.pull, { since: { epoch: 'x', seq: 0 }, limit: 1 }),
    );
    if (!pulled.ok) throw new Error('pull refused');
    const log = PullResponseSchema.parse(
      await ask(desk, SyncEvents.pull, {
        since: { epoch: pulled.head.epoch, seq: 0 },
        limit: 5000,
      }),
    );
    if (!log.ok) throw new Error('pull refused');
    const byConsole = log.changes
      .filter((ch) => ch.origin === `console:${demo.prepared.managerId}`)
      .filter((ch) => ch.entity.kind === 'customer')
      .map((ch) => [ch.event, ch.entity.kind === 'customer' ? ch.entity.customer.id : '']);
    expect(byConsole).toEqual([
      ['called', a.id],
      ['transferred', b.id],
      ['cancelled', c.id],
    ]);
  });

  it("computes today's statistics as the log says", async () => {
    const storeToday = storeDay(new Date(), 'Europe/Paris');
    // Some more of a day: two served at desk 1, one no-show.
    for (let i = 0; i < 3; i++) {
      ok(
        await send(kiosk, {
          type: 'register',
          payload: { serviceId: 'demo-new-phone', lang: 'EN', contactMode: 'anonymous' },
        }),
      );
    }
    const served = ok(await send(desk, { type: 'call_next', payload: {} })).customer!;
    ok(await send(desk, { type: 'finish', payload: { customerId: served.id } }));
    const again = ok(await send(desk, { type: 'call_next', payload: {} })).customer!;
    ok(await send(desk, { type: 'finish', payload: { customerId: again.id } }));
    const gone = ok(await send(desk, { type: 'call_next', payload: {} })).customer!;
    ok(await send(desk, { type: 'no_show', payload: { customerId: gone.id } }));

    // Independently: the whole log, folded here by hand.
    const head = PullResponseSchema.parse(
      await ask(desk, SyncEvents.pull, { since: { epoch: 'x', seq: 0 }, limit: 1 }),
    );
    if (!head.ok) throw new Error('pull refused');
    const log = PullResponseSchema.parse(
      await ask(desk, SyncEvents.pull, { since: { epoch: head.head.epoch, seq: 0 }, limit: 5000 }),
    );
    if (!log.ok) throw new Error('pull refused');
    const last = new Map<string, { state: string; registeredAt: string; ticketDay: string }>();
    const firstCall = new Map<string, string>();
    for (const ch of log.changes) {
      if (ch.entity.kind !== 'customer') continue;
      const cu = ch.entity.customer;
      last.set(cu.id, cu);
      if (ch.event === 'called' && !firstCall.has(cu.id))
        firstCall.set(cu.id, cu.calledAt ?? ch.at);
    }
    const today = [...last.entries()].filter(([, cu]) => cu.ticketDay === storeToday);
    const count = (state: string) => today.filter(([, cu]) => cu.state === state).length;
    const waits = today.flatMap(([id, cu]) => {
      const at = firstCall.get(id);
      return at === undefined ? [] : [(Date.parse(at) - Date.parse(cu.registeredAt)) / 1000];
    });

    const answer = await manager.get(
      `${consolePath('stats', { storeId: 'demo-store' })}?from=${storeToday}&to=${storeToday}&groupBy=desk`,
    );
    expect(answer.status).toBe(200);
    const stats = StatsResponseSchema.parse(answer.body);
    expect(stats.total).toMatchObject({
      issued: today.length,
      served: count('done'),
      noShows: count('no_show'),
      cancelled: count('cancelled'),
    });
    // (The desk's first call_next finished the customer the console had called to it.)
    expect(count('done')).toBeGreaterThanOrEqual(2);
    expect(count('no_show')).toBe(1);
    expect(count('cancelled')).toBe(1);
    expect(stats.total.ttw.avg).toBeCloseTo(waits.reduce((s, w) => s + w, 0) / waits.length, 6);
    expect(stats.rows.find((r) => r.key === 'demo-desk-1')?.label).toBe('Desk 1');

    const csv = await manager.get(
      `${consolePath('statsCsv', { storeId: 'demo-store' })}?from=${storeToday}&to=${storeToday}`,
    );
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = csv.text.split('\r\n');
    expect(lines[0]?.startsWith('key,label,issued,served')).toBe(true);
    expect(lines.at(-2)).toMatch(new RegExp(`^total,Total,${today.length},${count('done')},1,1,`));

    // A technician does not read statistics.
    expect(
      (
        await tech.get(
          `${consolePath('stats', { storeId: 'demo-store' })}?from=${storeToday}&to=${storeToday}`,
        )
      ).status,
    ).toBe(403);
  });
});
