// Two hub nodes on one Postgres database relay broadcasts through socket.io's Postgres adapter:
// a desk on node A hears a register made through node B. The relay is only a fast path: with it
// dropped on one node, that node's devices still converge on their next pull (cursor protocol).
// Postgres only: SQLite is a single node without an adapter.
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type RunningHub } from '../../../cloud/server.js';
import type { TicketView } from '../../../cloud/bloom/ticket-view.js';
import { SYNC_NAMESPACE, type Change } from '../../../shared/protocol/sync.js';
import {
  TICKET_PATH_ROUTE,
  TicketPathResponseSchema,
} from '../../../shared/protocol/ticket-page.js';
import { HUB_ENGINE, hubDatabaseUrl } from '../../support/hub-engine.js';
import { waitFor } from '../../support/processes.js';
import { removeDir, send, tempDataDir } from './harness.js';
import {
  LEAF_SERVICES,
  connectFleet,
  seedFleet,
  settledPulls,
  type Connected,
  type Fleet,
} from './workload.js';

/** Every change a socket hears live, in arrival order. */
function heard(socket: Socket): Change[] {
  const changes: Change[] = [];
  socket.on('change', (change: Change) => changes.push(change));
  return changes;
}

const register = (name: string) =>
  ({
    type: 'register',
    payload: {
      serviceId: LEAF_SERVICES[0],
      lang: 'EN',
      contactMode: 'name',
      contact: { name },
    },
  }) as const;

const registered = (changes: readonly Change[], name: string): boolean =>
  changes.some(
    (c) => c.entity.kind === 'customer' && JSON.stringify(c.entity).includes(`"${name}"`),
  );

describe.skipIf(HUB_ENGINE !== 'postgres')('hub nodes relay broadcasts over Postgres', () => {
  let dir: string;
  let nodes: RunningHub[] = [];
  let conn: Connected;
  let fleet: Fleet;

  beforeAll(async () => {
    dir = tempDataDir();
    fleet = await seedFleet(dir, 2, 2);
    const url = hubDatabaseUrl(dir)!;
    nodes = await Promise.all([0, 1].map(() => startHub({ storage: { engine: 'postgres', url } })));
    // Kiosk i and desk i on node i.
    conn = await connectFleet(
      nodes.map((n) => n.url),
      fleet,
    );
  });

  afterAll(async () => {
    conn?.close();
    await Promise.all(nodes.map((n) => n.close()));
    removeDir(dir);
  });

  it('a desk on node A hears a register made through node B', async () => {
    const deskOnA = conn.desks[0]!;
    const kioskOnB = conn.kiosks[1]!;
    const live = heard(deskOnA);
    const result = await send(kioskOnB, register('Across Nodes'));
    expect(result.ok).toBe(true);
    await waitFor('the desk on node A to hear it', () => registered(live, 'Across Nodes'));
  });

  it('with the relay dropped on node A, its desk still converges on its next pull', async () => {
    const [nodeA] = nodes;
    const deskOnA = conn.desks[0]!;
    // Node A stops hearing the other nodes: every relayed message is dropped on arrival.
    const adapter = nodeA!.sync.io.of(SYNC_NAMESPACE).adapter as unknown as {
      onMessage: (...args: unknown[]) => unknown;
    };
    const relayed = adapter.onMessage.bind(adapter);
    adapter.onMessage = () => undefined;
    try {
      const result = await send(conn.kiosks[1]!, register('Relay Dropped'));
      expect(result.ok).toBe(true);
      // What the desk's next pull brings is the hub's whole log, with the register in it.
      const [fromA, fromB] = await settledPulls([deskOnA, conn.desks[1]!]);
      expect(registered(fromA.changes, 'Relay Dropped')).toBe(true);
      expect(fromA).toEqual(fromB);
    } finally {
      adapter.onMessage = relayed;
    }
  });

  it('a phone following its ticket on node A sees a desk on node B call it', async () => {
    const kioskOnA = conn.kiosks[0]!;
    const deskOnB = conn.desks[1]!;
    const made = await send(kioskOnA, register('Phone On A'));
    if (!made.ok || made.customer === null) throw new Error(JSON.stringify(made));
    const customerId = made.customer.id;
    expect((await send(kioskOnA, { type: 'hand_out', payload: { customerId } })).ok).toBe(true);

    // The ticket's page token, as the kiosk asks for it to print its QR.
    const answer = await fetch(`${nodes[0]!.url}${TICKET_PATH_ROUTE}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ credential: fleet.kiosks[0], customerId }),
    });
    const { path } = TicketPathResponseSchema.parse(await answer.json());
    const phone = io(`${nodes[0]!.url}/ticket`, {
      auth: { token: path.slice('/t/'.length) },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    const views: TicketView[] = [];
    phone.on('ticket', (view: TicketView) => views.push(view));
    try {
      await waitFor('the phone to show its ticket waiting', () =>
        views.some((v) => v.state === 'waiting'),
      );
      const called = await send(deskOnB, { type: 'call_customer', payload: { customerId } });
      expect(called.ok).toBe(true);
      const view = await waitFor('the phone on node A to hear the call made on node B', () =>
        views.find((v) => v.state === 'called'),
      );
      expect(view.desk).not.toBeNull();
      expect(view.ticket).toBe(made.customer.ticket);
    } finally {
      phone.close();
    }
  });
});
