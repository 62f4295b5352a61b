// The runtime with a real hub process and several real runtime processes, driven through the
// bridge WebSocket as the UI drives it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDevice, DEMO, errorOf, isConnected, useDemoStore, waitFor } from './harness.js';

const store = useDemoStore('hub');

describe('runtime against a real hub', () => {
  it('an unknown device shows the technician state, then takes its role live when provisioned', async () => {
    const who = { mac: '02:00:00:00:0A:01', hostname: 'lineup-new-1' };
    const { proc, bridge } = await store.runtime(who);
    expect(proc.role).toBe('unprovisioned');
    const state = await waitFor('a state', () => bridge.state());
    expect(state.phase).toBe('unprovisioned');
    expect(state.message).toContain('02:00:00:00:0A:01');
    expect(state.identity.hostname).toBe('lineup-new-1');
    expect(await errorOf(bridge.api.callNext())).toMatchObject({ code: 'not_ready' });

    addDevice(store.hubDir, { ...who, role: 'screen', name: 'New screen', id: 'new-screen-1' });
    const provisioned = await waitFor('provisioned as a screen', () =>
      bridge.state()?.identity.role === 'screen' && isConnected(bridge) ? bridge.state() : null,
    );
    expect(provisioned.identity.deviceId).toBe('new-screen-1');
    expect(provisioned.store?.store.id).toBe('demo-store');

    // Re-provisioned as a desk on the hub: the running device follows without a restart.
    addDevice(store.hubDir, { ...who, role: 'desk', name: 'New desk', id: 'new-screen-1' });
    await waitFor('re-provisioned as a desk', () => bridge.state()?.identity.role === 'desk');
  });

  it('register on the machine → call on a desk → the screen announces it once', async () => {
    const kiosk = await store.runtime(DEMO.kiosk);
    const desk = await store.runtime(DEMO.desk1);
    const screen = await store.runtime(DEMO.screen);
    expect([kiosk.proc.role, desk.proc.role, screen.proc.role]).toEqual([
      'machine',
      'desk',
      'screen',
    ]);
    await waitFor('all connected', () => [kiosk, desk, screen].every((d) => isConnected(d.bridge)));

    const ticket = await kiosk.bridge.api.register({
      serviceId: 'demo-new-phone',
      lang: 'FR',
      contactMode: 'name',
      contact: { name: 'Jeanne Martin' },
    });
    expect(ticket.offline).toBe(false);
    expect(ticket.customer.ticket).toMatch(/^A\d+$/);
    expect(ticket.print).toMatchObject({
      printed: false,
      reason: expect.stringContaining('printer'),
      code: 'no_printer',
    });

    const called = await desk.bridge.api.callNext();
    expect(called.customer?.id).toBe(ticket.customer.id);
    expect(called.customer?.state).toBe('called');

    const call = await waitFor('the call on the screen', () =>
      screen.bridge.events.find(
        (e) => e.type === 'call' && e.call.customerId === ticket.customer.id,
      ),
    );
    expect(call.type === 'call' && call.call).toMatchObject({
      ticket: ticket.customer.ticket,
      deskId: 'demo-desk-1',
      lang: 'FR',
      display: 'Jeanne M.',
      recall: false,
    });
    await desk.bridge.api.recall({ customerId: ticket.customer.id });
    await waitFor('the recall', () =>
      screen.bridge.events.some((e) => e.type === 'call' && e.call.recall),
    );
    const calls = screen.bridge.events.filter((e) => e.type === 'call');
    expect(new Set(calls.map((e) => e.type === 'call' && e.call.key)).size).toBe(calls.length);
    expect(calls).toHaveLength(2);

    // A refusal is shown to the person who acted: a kiosk cannot call.
    expect(await errorOf(kiosk.bridge.api.callNext())).toMatchObject({ code: 'wrong_role' });
    await desk.bridge.api.startServing({ customerId: ticket.customer.id });
    await desk.bridge.api.finish({ customerId: ticket.customer.id });
    const refused = await errorOf(desk.bridge.api.recall({ customerId: ticket.customer.id }));
    expect(refused.code).toBe('refused');
    await waitFor('a notice', () => desk.bridge.events.some((e) => e.type === 'notice'));
  });

  it('two desks pressing call next at the same moment never get the same customer', async () => {
    const kiosk = await store.runtime(DEMO.kiosk);
    const desk1 = await store.runtime(DEMO.desk1);
    const desk2 = await store.runtime(DEMO.desk2);
    await waitFor('connected', () => [kiosk, desk1, desk2].every((d) => isConnected(d.bridge)));
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        async (tickets, rounds) => {
          const issued: string[] = [];
          for (let i = 0; i < tickets; i += 1) {
            const { customer } = await kiosk.bridge.api.register({
              serviceId: 'demo-priority',
              lang: 'EN',
              contactMode: 'anonymous',
            });
            issued.push(customer.id);
          }
          const got: string[] = [];
          for (let r = 0; r < rounds; r += 1) {
            const [a, b] = await Promise.all([
              desk1.bridge.api.callNext(),
              desk2.bridge.api.callNext(),
            ]);
            for (const c of [a.customer, b.customer]) if (c !== null) got.push(c.id);
          }
          // Every press calls someone while anyone waits, and nobody is called twice.
          expect(got.length).toBe(Math.min(tickets, 2 * rounds));
          expect(new Set(got).size).toBe(got.length);
          expect(got.every((id) => issued.includes(id))).toBe(true);
          // The queue every device sees agrees: exactly those were called, once each.
          const calledIn = (d: typeof kiosk) =>
            (d.bridge.state()?.store?.customers ?? []).filter(
              (c) => issued.includes(c.id) && c.calledAt !== null,
            );
          await waitFor('the calls reach the kiosk', () => calledIn(kiosk).length === got.length);
          expect(
            calledIn(kiosk)
              .map((c) => c.id)
              .sort(),
          ).toEqual([...got].sort());
          expect(calledIn(kiosk).every((c) => c.recalls === 0)).toBe(true);
          // Drain, so each run starts from an empty priority queue.
          for (;;) {
            const { customer } = await desk1.bridge.api.callNext();
            if (customer === null) break;
          }
        },
      ),
      { seed: 4242, numRuns: 4 },
    );
  });
});
