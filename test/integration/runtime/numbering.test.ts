// What a store with one kiosk sees: tickets A1, A2, A3... in order, online or offline, because the
// kiosk always numbers from the block it holds. A seeded workload of other machines (numbered by
// the hub) and desks runs at the same time; the hub's log keeps every invariant.
import fc from 'fast-check';
import type { Socket } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import type { Customer } from '../../../shared/domain/entities.js';
import { connectDevice, credentialFor } from '../hub/harness.js';
import { checkInvariants, pullAll, runOps, type Connected, type Op } from '../hub/workload.js';
import {
  addDevice,
  DEMO,
  isConnected as connected,
  isSynced as synced,
  startDemoStore,
  waitFor,
  type DemoStore,
} from './harness.js';

type Who = { mac: string; hostname: string };
let store: DemoStore<{ machines: Who[]; loadDesk: Who }> | undefined;
const sockets: Socket[] = [];

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await store?.close();
});

/** Adds a device with the CLI; it claims its credential later, once, with POST /provision. */
function addLoadDevice(hubDir: string, n: number, role: 'machine' | 'desk'): Who {
  const who = {
    mac: `02:00:00:00:20:${n.toString(16).padStart(2, '0')}`,
    hostname: `load-${role}-${n}`,
  };
  addDevice(hubDir, {
    ...who,
    role,
    // The load desk serves Repair only: nobody but the store's own desks calls a new-phone ticket.
    ...(role === 'desk' ? { services: 'demo-repair' } : {}),
  });
  return who;
}

describe('ticket numbering with one kiosk', () => {
  it('hands out A1..A6 in order: 3 online, 2 with the hub down, 1 after it returns', async () => {
    const demo = await startDemoStore('hub-num', (hubDir) => ({
      machines: [addLoadDevice(hubDir, 1, 'machine'), addLoadDevice(hubDir, 2, 'machine')],
      loadDesk: addLoadDevice(hubDir, 3, 'desk'),
    }));
    store = demo;
    const machines = await Promise.all(
      demo.prepared.machines.map((who) => credentialFor(demo.hub.url, who)),
    );
    const loadDesk = await credentialFor(demo.hub.url, demo.prepared.loadDesk);
    const kiosk = (await demo.runtime(DEMO.kiosk, { dir: demo.tempDir('kiosk-num') })).bridge;
    const desk = (await demo.runtime(DEMO.desk1, { dir: demo.tempDir('desk-num') })).bridge;
    await waitFor(
      'kiosk connected with numbers of its own',
      () =>
        connected(kiosk) &&
        connected(desk) &&
        (kiosk.state()?.store?.blocks ?? []).some(
          (b) => b.deviceId === 'demo-kiosk' && b.serviceId === 'demo-new-phone',
        ),
    );

    // Other machines (numbered by the hub) and a desk work concurrently: a seeded workload.
    const conn: Connected = {
      kiosks: await Promise.all(machines.map((c) => connectDevice(demo.hub.url, c))),
      desks: [await connectDevice(demo.hub.url, loadDesk)],
      blocks: [],
      nextInBlock: [],
      close: () => undefined,
    };
    sockets.push(...conn.kiosks, ...conn.desks);
    const ops: Op[] = fc.sample(
      fc.oneof(
        fc.record({
          kind: fc.constant('register' as const),
          by: fc.nat({ max: machines.length - 1 }),
          service: fc.constantFrom(0, 1, 2), // new phone, accessories, repair
          retry: fc.boolean(),
        }),
        fc.record({ kind: fc.constant('next' as const), by: fc.constant(0), retry: fc.boolean() }),
      ),
      { seed: 20260310, numRuns: 40 },
    );
    const register = (lang: 'EN' | 'FR') =>
      kiosk.api.register({ serviceId: 'demo-new-phone', lang, contactMode: 'anonymous' });

    const workload = runOps(conn, ops);
    const tickets: { customer: Customer; offline: boolean }[] = [];
    for (let i = 0; i < 3; i++) tickets.push(await register('EN'));
    const sent = await workload;

    await demo.hub.kill9();
    await waitFor('the kiosk sees the hub gone', () => kiosk.state()?.sync.connected === false);
    for (let i = 0; i < 2; i++) tickets.push(await register('FR'));

    await demo.restartHub();
    await waitFor('kiosk and desk synced', () => synced(kiosk) && synced(desk), 30_000);
    tickets.push(await register('EN'));

    expect(tickets.map((t) => t.customer.ticket)).toEqual(['A1', 'A2', 'A3', 'A4', 'A5', 'A6']);
    expect(tickets.map((t) => t.offline)).toEqual([false, false, false, true, true, false]);

    // All at the hub, as the kiosk showed them.
    await waitFor('every ticket at the desk', () => {
      const known = new Map((desk.state()?.store?.customers ?? []).map((c) => [c.id, c]));
      return tickets.every((t) => known.get(t.customer.id)?.ticket === t.customer.ticket);
    });
    const observer = await connectDevice(demo.hub.url, loadDesk);
    sockets.push(observer);
    const { changes, head } = await pullAll(observer);
    expect(checkInvariants(sent, changes, head)).toEqual([]);
    const atHub = new Map<string, Customer>();
    for (const c of changes)
      if (c.entity.kind === 'customer') atHub.set(c.entity.customer.id, c.entity.customer);
    const mine = tickets.map((t) => atHub.get(t.customer.id));
    expect(mine.map((c) => c?.ticket)).toEqual(['A1', 'A2', 'A3', 'A4', 'A5', 'A6']);
    // The workload's new-phone tickets were numbered by the hub after the kiosk's block.
    const others = [...atHub.values()].filter(
      (c) => c.ticketPrefix === 'A' && c.machineId !== 'demo-kiosk',
    );
    expect(others.every((c) => c.ticketNumber > 6)).toBe(true);
    // Tickets issued with the hub down got their place's people-before at the hub: A1..A3 were
    // still waiting ahead of them, so they were told to come back when paged.
    expect(mine[3]?.peopleBefore).toBeGreaterThanOrEqual(3);
    expect(mine[4]?.peopleBefore).toBeGreaterThan(mine[3]?.peopleBefore ?? 0);
    expect([mine[3]?.mustWait, mine[4]?.mustWait]).toEqual([true, true]);
  });
});
