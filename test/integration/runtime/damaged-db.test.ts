// A ticket machine whose database is damaged between two runs, with offline tickets the hub has
// not seen yet (real hub and runtime processes, a real damaged SQLite file). It must stay in
// service (its credential is claimed once), hand the tickets over when the file can still be
// read, and never hand out a number twice.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { damageHeader, damageTable } from '../../support/damage-db.js';
import { DEMO, isConnected, isSynced, useDemoStore, waitFor, type Runtime } from './harness.js';

const newPhone = { serviceId: 'demo-new-phone', lang: 'EN', contactMode: 'anonymous' } as const;

async function kioskWithOfflineTickets(
  store: ReturnType<typeof useDemoStore>,
  dir: string,
): Promise<{ kiosk: Runtime; tickets: { id: string; number: number }[] }> {
  const kiosk = await store.runtime(DEMO.kiosk, { dir });
  await waitFor(
    'the machine connected with numbers of its own',
    () =>
      isConnected(kiosk.bridge) &&
      (kiosk.bridge.state()?.store?.blocks ?? []).some(
        (b) => b.deviceId === 'demo-kiosk' && b.serviceId === 'demo-new-phone',
      ),
  );
  await store.hub.kill9();
  await waitFor('the hub gone', () => kiosk.bridge.state()?.sync.connected === false);
  const tickets: { id: string; number: number }[] = [];
  for (let i = 0; i < 2; i += 1) {
    const { customer, offline } = await kiosk.bridge.api.register(newPhone);
    expect(offline).toBe(true);
    tickets.push({ id: customer.id, number: customer.ticketNumber });
  }
  await store.stopRuntimes();
  return { kiosk, tickets };
}

describe('a ticket machine whose database is damaged', () => {
  const store = useDemoStore('damaged-db');

  it('readable: keeps its role, hands its offline tickets over, and numbers after them', async () => {
    const dir = store.tempDir('machine');
    const { tickets } = await kioskWithOfflineTickets(store, dir);
    damageTable(join(dir, 'lineup.db'), 'announced');
    await store.restartHub();

    const again = await store.runtime(DEMO.kiosk, { dir });
    await waitFor('ready and synced', () => isSynced(again.bridge));
    const state = again.bridge.state();
    expect(state?.identity.role).toBe('machine');
    expect(state?.message).toContain('Recovered from the damaged file');
    // The hub has both offline tickets, as the customers were told.
    const known = new Map((state?.store?.customers ?? []).map((c) => [c.id, c.ticketNumber]));
    expect(tickets.map((t) => known.get(t.id))).toEqual(tickets.map((t) => t.number));
    const next = await again.bridge.api.register(newPhone);
    expect(next.customer.ticketNumber).toBeGreaterThan(Math.max(...tickets.map((t) => t.number)));
  });

  it('unreadable: still recognised by the hub, and no number it may have handed out again', async () => {
    const dir = store.tempDir('machine');
    const { tickets } = await kioskWithOfflineTickets(store, dir);
    damageHeader(join(dir, 'lineup.db'));
    await store.restartHub();

    const again = await store.runtime(DEMO.kiosk, { dir });
    await waitFor('ready and connected', () => isConnected(again.bridge));
    expect(again.bridge.state()?.identity.role).toBe('machine');
    // Those two tickets were lost with the file; their numbers are not given to anyone else.
    const issued: number[] = [];
    for (let i = 0; i < 3; i += 1)
      issued.push((await again.bridge.api.register(newPhone)).customer.ticketNumber);
    for (const t of tickets) expect(issued).not.toContain(t.number);
  });
});
