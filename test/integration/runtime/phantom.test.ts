// Phantom tickets (issue 17) with real processes: a kiosk killed -9 after its ticket reached the
// hub (or, offline, its local database) but before it was printed. Its printer is a FIFO nobody
// reads, so the print job hangs for as long as the test wants: the kill always lands between
// the ticket and its paper. Desks must never call such a ticket, and the kiosk's next boot
// withdraws it; tickets that were handed out are untouched.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Customer } from '../../../shared/domain/entities.js';
import type { Change } from '../../../shared/protocol/sync.js';
import {
  DEMO,
  errorOf,
  isConnected as connected,
  isSynced as synced,
  useDemoStore,
  waitFor,
  type BridgeClient,
  type Runtime,
} from './harness.js';

const store = useDemoStore('hub-phantom');

const customerIn = (b: BridgeClient, id: string): Customer | null =>
  b.state()?.store?.customers.find((c) => c.id === id) ?? null;

const kioskTickets = (b: BridgeClient): Customer[] =>
  (b.state()?.store?.customers ?? []).filter((c) => c.machineId === 'demo-kiosk');

/** The log events the hub recorded for one customer, in order (read from its database file). */
function hubEvents(customerId: string): string[] {
  const db = new Database(join(store.hubDir, 'hub.sqlite'), { readonly: true });
  try {
    const rows = db.prepare('SELECT data FROM log ORDER BY store_id, seq').all() as {
      data: string;
    }[];
    return rows
      .map((r) => JSON.parse(r.data) as Change)
      .filter((c) => c.entity.kind === 'customer' && c.entity.customer.id === customerId)
      .map((c) => c.event);
  } finally {
    db.close();
  }
}

/** A printer that never takes a job: a FIFO with no reader (opening it blocks). */
function stuckPrinter(): string {
  const fifo = join(store.tempDir('fifo'), 'printer');
  execFileSync('mkfifo', [fifo]);
  return `file:${fifo}`;
}

const register = (kiosk: Runtime, serviceId = 'demo-repair') =>
  kiosk.bridge.api.register({ serviceId, lang: 'EN', contactMode: 'anonymous' });

/** Starts a registration that hangs at printing; it fails when the kiosk is killed. */
function registerUntilKilled(kiosk: Runtime): Promise<unknown> {
  return register(kiosk).then(
    () => {
      throw new Error('the ticket was handed out: the printer should have hung');
    },
    (error: unknown) => error,
  );
}

describe('phantom tickets', () => {
  it('a kiosk killed -9 before printing: desks never call the ticket, its restart cancels it at the hub', async () => {
    const kioskDir = store.tempDir('kiosk-phantom');
    let kiosk = await store.runtime(DEMO.kiosk, {
      dir: kioskDir,
      extra: ['--printer', stuckPrinter(), '--block-size', '10'],
    });
    const desk = await store.runtime(DEMO.desk2, { dir: store.tempDir('desk-phantom') });
    await waitFor('connected', () => synced(kiosk.bridge) && connected(desk.bridge));
    const before = new Set(kioskTickets(desk.bridge).map((c) => c.id));

    const pending = registerUntilKilled(kiosk);
    // The hub has it (the desk sees it, held) while the kiosk waits for its printer.
    const phantom = await waitFor('the ticket at the desk', () =>
      kioskTickets(desk.bridge).find((c) => !before.has(c.id) && c.state === 'waiting'),
    );
    expect(phantom.held).toBe(true);
    await kiosk.proc.kill9();
    await pending;

    // While the kiosk is down: the desk has nobody to call, and cannot call it by name.
    const next = await desk.bridge.api.callNext().catch((e: unknown) => e);
    expect((next as { customer?: Customer | null }).customer ?? null).toBeNull();
    const byName = await errorOf(desk.bridge.api.callCustomer({ customerId: phantom.id }));
    expect(byName.message).toMatch(/has not reached its customer/);
    expect(customerIn(desk.bridge, phantom.id)?.state).toBe('waiting');

    // The kiosk comes back (its printer mended: none, tickets are shown on screen).
    kiosk = await store.runtime(DEMO.kiosk, { dir: kioskDir, extra: ['--block-size', '10'] });
    await waitFor('the phantom cancelled at the desk', () =>
      customerIn(desk.bridge, phantom.id)?.state === 'cancelled' ? true : null,
    );
    await waitFor('kiosk synced', () => synced(kiosk.bridge));
    expect(hubEvents(phantom.id)).toEqual(['registered', 'cancelled']);
    expect(kiosk.proc.output()).toContain(`ticket(s) ${phantom.ticket} issued before a restart`);

    // A ticket handed out (shown on screen) is called as usual.
    const normal = await register(kiosk);
    expect(normal.print.printed).toBe(false);
    await waitFor('the new ticket handed out at the desk', () =>
      customerIn(desk.bridge, normal.customer.id)?.held === false ? true : null,
    );
    const called = await desk.bridge.api.callNext();
    expect(called.customer?.id).toBe(normal.customer.id);
    // (`customer_updated`: its "not printed" report.)
    expect(hubEvents(normal.customer.id)).toEqual([
      'registered',
      'handed_out',
      'customer_updated',
      'called',
    ]);
  });

  it('an offline block ticket killed before printing is dropped at restart: never at the hub, its number never reused', async () => {
    const kioskDir = store.tempDir('kiosk-phantom-offline');
    let kiosk = await store.runtime(DEMO.kiosk, {
      dir: kioskDir,
      extra: ['--printer', stuckPrinter(), '--block-size', '10'],
    });
    const desk = await store.runtime(DEMO.desk1, { dir: store.tempDir('desk-phantom-offline') });
    await waitFor(
      'connected with blocks',
      () =>
        synced(kiosk.bridge) &&
        connected(desk.bridge) &&
        (kiosk.bridge.state()?.store?.blocks ?? []).some((b) => b.deviceId === 'demo-kiosk'),
    );
    const before = new Set(kioskTickets(kiosk.bridge).map((c) => c.id));
    await store.hub.kill9();
    await waitFor('kiosk offline', () => kiosk.bridge.state()?.sync.connected === false);

    const pending = registerUntilKilled(kiosk);
    const phantom = await waitFor('the local ticket', () =>
      kioskTickets(kiosk.bridge).find((c) => !before.has(c.id)),
    );
    expect(phantom.held).toBe(true);
    await kiosk.proc.kill9();
    await pending;

    // Back with the hub still down: the ticket is gone from the kiosk at once.
    kiosk = await store.runtime(DEMO.kiosk, { dir: kioskDir, extra: ['--block-size', '10'] });
    const state = await waitFor('a state', () => kiosk.bridge.state());
    expect(state.store?.customers.some((c) => c.id === phantom.id)).toBe(false);
    // Its number is burned: the next ticket of that block takes the one after.
    const next = await register(kiosk);
    expect(next.offline).toBe(true);
    expect(next.customer.ticketNumber).toBe(phantom.ticketNumber + 1);

    await store.restartHub();
    await waitFor('kiosk and desk synced', () => synced(kiosk.bridge) && synced(desk.bridge));
    await waitFor('the handed-out offline ticket at the desk', () =>
      customerIn(desk.bridge, next.customer.id)?.held === false ? true : null,
    );
    expect(customerIn(desk.bridge, phantom.id)).toBeNull();
    expect(hubEvents(phantom.id)).toEqual([]);
    // (`customer_updated`: its "not printed" report.)
    expect(hubEvents(next.customer.id)).toEqual(['registered', 'handed_out', 'customer_updated']);
  });
});
