// Offline behaviour with real processes: the hub killed mid-workload, tickets issued offline from
// reserved blocks, the hub back, every device converging; a kiosk killed -9 during a burst
// losing none of the tickets it handed out; an offline ticket the hub refuses on reconnect.
import { describe, expect, it } from 'vitest';
import type { ApplianceState } from '../../../shared/api/appliance-api.js';
import type { Customer } from '../../../shared/domain/entities.js';
import {
  DEMO,
  isConnected as connected,
  isSynced as synced,
  updateService,
  useDemoStore,
  waitFor,
  type BridgeClient,
} from './harness.js';

const store = useDemoStore('hub-off');

function queue(state: ApplianceState | null): string[] {
  return (state?.store?.customers ?? [])
    .map((c: Customer) => `${c.id} ${c.ticket} ${c.state}`)
    .sort();
}

const myBlocks = (b: BridgeClient) =>
  (b.state()?.store?.blocks ?? []).filter((x) => x.deviceId === 'demo-kiosk').length;

describe('offline', () => {
  it('hub killed mid-workload: the kiosk issues from its blocks, desks refuse plainly, all converge', async () => {
    const kiosk = await store.runtime(DEMO.kiosk, {
      dir: store.tempDir('kiosk'),
      extra: ['--block-size', '10'],
    });
    const desk = await store.runtime(DEMO.desk1, { dir: store.tempDir('desk') });
    const screen = await store.runtime(DEMO.screen, { dir: store.tempDir('screen') });
    await waitFor(
      'connected with offline blocks',
      () => [kiosk, desk, screen].every((d) => connected(d.bridge)) && myBlocks(kiosk.bridge) >= 5,
    );

    const online = await kiosk.bridge.api.register({
      serviceId: 'demo-new-phone',
      lang: 'EN',
      contactMode: 'anonymous',
    });
    expect(online.offline).toBe(false);
    // Its hand-out and "not printed" report reach the hub before it dies (else they count below):
    // the desk sees both, then the kiosk's outbox is empty.
    await waitFor('the online ticket handed out and reported', () => {
      const atDesk = desk.bridge.state()?.store?.customers.find((c) => c.id === online.customer.id);
      return atDesk?.held === false && atDesk.printState === 'not_printed' && synced(kiosk.bridge);
    });

    await store.hub.kill9();
    await waitFor('everyone sees the hub gone', () =>
      [kiosk, desk, screen].every((d) => d.bridge.state()?.sync.connected === false),
    );
    // The screen keeps its last state, marked offline.
    expect(queue(screen.bridge.state())).toContain(
      `${online.customer.id} ${online.customer.ticket} waiting`,
    );

    const refused = await desk.bridge.api.callNext().then(
      () => null,
      (e: { code: string; message: string }) => e,
    );
    expect(refused?.code).toBe('offline');
    expect(refused?.message).toMatch(/hub is unreachable/i);

    const offline = [];
    for (const serviceId of ['demo-new-phone', 'demo-repair', 'demo-new-phone', 'demo-priority']) {
      const t = await kiosk.bridge.api.register({
        serviceId,
        lang: 'SV',
        contactMode: 'anonymous',
      });
      expect(t.offline).toBe(true);
      expect(t.waitMinutes).toBeGreaterThanOrEqual(0);
      offline.push(t.customer);
    }
    expect(new Set(offline.map((c) => c.ticket)).size).toBe(4);
    // Each ticket, its hand-out (shown on screen) and, as this kiosk has no printer, its "not
    // printed" report.
    await waitFor('12 commands in the outbox', () => kiosk.bridge.state()?.sync.outbox === 12);
    // The second new-phone ticket waits behind the first.
    expect(offline[2]?.peopleBefore).toBeGreaterThan(offline[0]?.peopleBefore ?? 0);

    await store.restartHub();
    await waitFor('all synced', () => [kiosk, desk, screen].every((d) => synced(d.bridge)), 30_000);
    await waitFor('the same queue everywhere', () => {
      const k = queue(kiosk.bridge.state());
      return (
        k.length > 0 && [desk, screen].every((d) => queue(d.bridge.state()).join() === k.join())
      );
    });
    // Offline tickets kept their numbers at the hub.
    const atDesk = desk.bridge.state()?.store?.customers ?? [];
    for (const c of offline) expect(atDesk.find((x) => x.id === c.id)?.ticket).toBe(c.ticket);
    // And the desk can call again.
    const next = await desk.bridge.api.callNext();
    expect(next.customer).not.toBeNull();
  });

  it('a kiosk killed -9 during a burst loses none of the tickets it handed out', async () => {
    const kioskDir = store.tempDir('kiosk9');
    const kioskRuntime = () =>
      store.runtime(DEMO.kiosk, { dir: kioskDir, extra: ['--block-size', '40'] });
    let kiosk = await kioskRuntime();
    const desk = await store.runtime(DEMO.desk2, { dir: store.tempDir('desk9') });
    await waitFor(
      'connected with blocks',
      () => connected(kiosk.bridge) && connected(desk.bridge) && myBlocks(kiosk.bridge) >= 5,
    );
    const handedOut: Customer[] = [];
    const earlier = new Set((desk.bridge.state()?.store?.customers ?? []).map((c) => c.id));

    async function burstThenKill(k: typeof kiosk, afterMs: number): Promise<void> {
      let stop = false;
      const loop = async () => {
        while (!stop) {
          try {
            const t = await k.bridge.api.register({
              serviceId: 'demo-repair',
              lang: 'EN',
              contactMode: 'anonymous',
            });
            handedOut.push(t.customer);
          } catch {
            return; // the process died under us: that ticket was never shown to anyone
          }
        }
      };
      const loops = [loop(), loop(), loop()];
      await new Promise((r) => setTimeout(r, afterMs));
      await k.proc.kill9();
      stop = true;
      await Promise.all(loops);
    }

    // Online burst, then an offline burst (hub down), each cut by kill -9.
    await burstThenKill(kiosk, 700);
    const onlineCount = handedOut.length;
    expect(onlineCount).toBeGreaterThan(0);
    kiosk = await kioskRuntime();
    await waitFor('kiosk back', () => synced(kiosk.bridge));
    await store.hub.kill9();
    await waitFor('kiosk offline', () => kiosk.bridge.state()?.sync.connected === false);
    await burstThenKill(kiosk, 500);
    expect(handedOut.length).toBeGreaterThan(onlineCount);
    kiosk = await kioskRuntime();
    expect(kiosk.proc.role).toBe('machine'); // boots into its role with the hub down
    const waiting = await waitFor('a state', () => kiosk.bridge.state());
    expect(waiting.sync.outbox).toBeGreaterThan(0);

    await store.restartHub();
    await waitFor(
      'kiosk and desk synced',
      () => synced(kiosk.bridge) && synced(desk.bridge),
      30_000,
    );
    await waitFor('every handed-out ticket at the hub', () => {
      const known = new Map((desk.bridge.state()?.store?.customers ?? []).map((c) => [c.id, c]));
      return handedOut.every((c) => known.get(c.id)?.ticket === c.ticket);
    });
    const tickets = (desk.bridge.state()?.store?.customers ?? [])
      .filter((c) => c.state !== 'cancelled')
      .map((c) => c.ticket);
    expect(new Set(tickets).size).toBe(tickets.length);
    // A ticket cut off by a kill before it was handed out is cancelled, never left for a desk
    // (issue 17): the hub keeps waiting exactly the tickets handed out. That includes one
    // handed out in the instant before a kill, whose answer never reached this test: the
    // kiosk's hand-out (held: false) is the record, the answers are a subset of it.
    await waitFor('every ticket nobody saw cancelled', () => {
      const kept = (desk.bridge.state()?.store?.customers ?? []).filter(
        (c) => !earlier.has(c.id) && c.machineId === 'demo-kiosk' && c.state === 'waiting',
      );
      const keptIds = new Set(kept.map((c) => c.id));
      return kept.every((c) => c.held !== true) && handedOut.every((c) => keptIds.has(c.id));
    });
  });

  it('an offline ticket the hub refuses on reconnect is shown to staff and taken out locally', async () => {
    const kiosk = await store.runtime(DEMO.kiosk, {
      dir: store.tempDir('kiosk-refused'),
      extra: ['--block-size', '10'],
    });
    const desk = await store.runtime(DEMO.desk1, { dir: store.tempDir('desk-refused') });
    await waitFor(
      'connected with blocks',
      () => synced(kiosk.bridge) && connected(desk.bridge) && myBlocks(kiosk.bridge) >= 5,
    );
    await store.hub.kill9();
    await waitFor('kiosk offline', () => kiosk.bridge.state()?.sync.connected === false);
    const refusedTicket = await kiosk.bridge.api.register({
      serviceId: 'demo-accessories',
      lang: 'EN',
      contactMode: 'anonymous',
    });
    const keptTicket = await kiosk.bridge.api.register({
      serviceId: 'demo-repair',
      lang: 'EN',
      contactMode: 'anonymous',
    });
    expect([refusedTicket.offline, keptTicket.offline]).toEqual([true, true]);
    expect(refusedTicket.customer.ticket).toMatch(/^B\d+$/);

    // Meanwhile the store's admin renumbers the service: its offline block no longer fits.
    updateService(store.hubDir, 'demo-accessories', { ticketPrefix: 'X' });
    try {
      await store.restartHub();
      const notice = await waitFor(
        'the refusal shown on the kiosk',
        () =>
          kiosk.bridge.events.find(
            (e) => e.type === 'notice' && e.notice.message.includes(refusedTicket.customer.ticket),
          ),
        30_000,
      );
      expect(notice.type === 'notice' && notice.notice).toMatchObject({
        level: 'error',
        message: expect.stringMatching(
          new RegExp(
            `^Offline ticket ${refusedTicket.customer.ticket} was refused by the hub: .*prefix B`,
          ),
        ),
      });
      await waitFor('kiosk synced', () => synced(kiosk.bridge), 30_000);
      // The local queue no longer shows the refused ticket; the other one reached the hub.
      await waitFor(
        'the refused ticket gone from the kiosk',
        () => !queue(kiosk.bridge.state()).some((l) => l.startsWith(refusedTicket.customer.id)),
      );
      await waitFor('the other offline ticket at the desk', () =>
        queue(desk.bridge.state()).includes(
          `${keptTicket.customer.id} ${keptTicket.customer.ticket} waiting`,
        ),
      );
      expect(queue(desk.bridge.state()).some((l) => l.startsWith(refusedTicket.customer.id))).toBe(
        false,
      );
    } finally {
      updateService(store.hubDir, 'demo-accessories', { ticketPrefix: 'B' });
    }
  });
});
