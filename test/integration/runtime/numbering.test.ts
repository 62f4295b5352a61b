// What a store with one kiosk sees: tickets A1, A2, A3... in order, online or offline, because the
// kiosk always numbers from the block it holds. A seeded workload of other machines (numbered by
// the hub) and desks runs at the same time; the hub's log keeps every invariant.
import fc from 'fast-check';
import type { Socket } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import type { Customer } from '../../../shared/domain/entities.js';
import type { DeviceCredential } from '../../../shared/protocol/sync.js';
import { connectDevice } from '../hub/harness.js';
import { checkInvariants, pullAll, runOps, type Connected, type Op } from '../hub/workload.js';
import {
  cleanup,
  connectBridge,
  DEMO,
  hubCli,
  seedDemo,
  startHub,
  startRuntime,
  tempDir,
  waitFor,
  type BridgeClient,
  type Proc,
} from './harness.js';

const dirs: string[] = [];
const procs: Proc[] = [];
const clients: BridgeClient[] = [];
const sockets: Socket[] = [];

afterAll(async () => {
  for (const c of clients) c.close();
  for (const s of sockets) s.disconnect();
  await Promise.all(procs.map((p) => p.stop()));
  cleanup(dirs);
});

const connected = (b: BridgeClient) =>
  b.state()?.phase === 'ready' && b.state()?.sync.connected === true;
const synced = (b: BridgeClient) => connected(b) && b.state()?.sync.outbox === 0;

function addDevice(hubDir: string, n: number, role: 'machine' | 'desk'): DeviceCredential {
  const out = hubCli([
    'device',
    'add',
    '--data',
    hubDir,
    '--store',
    'demo-store',
    '--mac',
    `02:00:00:00:20:${n.toString(16).padStart(2, '0')}`,
    '--hostname',
    `load-${role}-${n}`,
    '--role',
    role,
    // The load desk serves Repair only: nobody but the store's own desks calls a new-phone ticket.
    ...(role === 'desk' ? ['--services', 'demo-repair'] : []),
  ]);
  return (JSON.parse(out) as { credential: DeviceCredential }).credential;
}

describe('ticket numbering with one kiosk', () => {
  it('hands out A1..A6 in order: 3 online, 2 with the hub down, 1 after it returns', async () => {
    const hubDir = tempDir('hub-num');
    const kioskDir = tempDir('kiosk-num');
    const deskDir = tempDir('desk-num');
    dirs.push(hubDir, kioskDir, deskDir);
    seedDemo(hubDir);
    const machines = [addDevice(hubDir, 1, 'machine'), addDevice(hubDir, 2, 'machine')];
    const loadDesk = addDevice(hubDir, 3, 'desk');
    let hub = await startHub(hubDir);
    procs.push(hub);
    const port = Number(new URL(hub.url).port);
    const kioskProc = await startRuntime(hub.url, kioskDir, DEMO.kiosk);
    const deskProc = await startRuntime(hub.url, deskDir, DEMO.desk1);
    procs.push(kioskProc, deskProc);
    const kiosk = await connectBridge(kioskProc.url);
    const desk = await connectBridge(deskProc.url);
    clients.push(kiosk, desk);
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
      kiosks: await Promise.all(machines.map((c) => connectDevice(hub.url, c))),
      desks: [await connectDevice(hub.url, loadDesk)],
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

    await hub.kill9();
    await waitFor('the kiosk sees the hub gone', () => kiosk.state()?.sync.connected === false);
    for (let i = 0; i < 2; i++) tickets.push(await register('FR'));

    hub = await startHub(hubDir, port);
    procs.push(hub);
    await waitFor('kiosk and desk synced', () => synced(kiosk) && synced(desk), 30_000);
    tickets.push(await register('EN'));

    expect(tickets.map((t) => t.customer.ticket)).toEqual(['A1', 'A2', 'A3', 'A4', 'A5', 'A6']);
    expect(tickets.map((t) => t.offline)).toEqual([false, false, false, true, true, false]);

    // All at the hub, as the kiosk showed them.
    await waitFor('every ticket at the desk', () => {
      const known = new Map((desk.state()?.store?.customers ?? []).map((c) => [c.id, c]));
      return tickets.every((t) => known.get(t.customer.id)?.ticket === t.customer.ticket);
    });
    const observer = await connectDevice(hub.url, loadDesk);
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
