// The Ombori exchange against real `lineup-hub serve` processes, through a client written from
// the seed alone: the seed's example imported as a booking, scanned in at the kiosk with its
// check-in QR, served by a signed-in agent (servedBy), exported at each step; a batch with
// refused items; idempotent re-import; export → import on another hub → export unchanged.
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInPayloadOf } from '../../../shared/protocol/sync.js';
import { seedDemo } from '../../support/processes.js';
import { createStaff, hubCliWithInput } from '../../support/staff.js';
import {
  DEMO,
  connectDevice,
  credentialFor,
  removeDir,
  runCli,
  send,
  startHubProcess,
  tempDataDir,
  type HubProcess,
} from '../hub/harness.js';
import {
  exportTicket,
  exportTickets,
  importTickets,
  staffToken,
  type OmboriTicket,
} from './ombori-client.js';
import { OMBORI_SEED_TICKET } from '../../support/ombori-seed.js';

const PASSWORD = 'correct horse battery';
const QR = OMBORI_SEED_TICKET.QRCodeCheckInPositionId;

const SEED_EXAMPLE = OMBORI_SEED_TICKET;
// Its placeholders filled in: a slot in the store's time zone (Europe/Paris).
const BOOKING = {
  ...SEED_EXAMPLE,
  booking: { ...SEED_EXAMPLE.booking, start: '2020-05-26 17:00', end: '2020-05-26 17:30' },
};

let hub: HubProcess;
let other: HubProcess;
let data: string;
let otherData: string;
let kiosk: Socket;
let desk1: Socket;
let manager: string;
let owner: string;
let agentId: string;

const ok = <T>(r: { status: number; body: unknown }): T => {
  expect(r.status).toBe(200);
  return r.body as T;
};

beforeAll(async () => {
  data = tempDataDir();
  otherData = tempDataDir();
  seedDemo(data);
  seedDemo(otherData);
  for (const dir of [data, otherData]) {
    createStaff(dir, {
      email: 'manager@store.example',
      name: 'Mia Manager',
      role: 'store_manager',
      stores: 'demo-store',
      password: PASSWORD,
    });
  }
  createStaff(data, {
    email: 'owner@store.example',
    name: 'Olle',
    role: 'owner',
    password: PASSWORD,
  });
  agentId = createStaff(data, {
    email: 'ann@store.example',
    name: 'Ann Lee',
    role: 'agent',
    stores: 'demo-store',
    password: PASSWORD,
  });
  hub = await startHubProcess(data);
  other = await startHubProcess(otherData);
  manager = await staffToken(hub.url, 'manager@store.example', PASSWORD);
  owner = await staffToken(hub.url, 'owner@store.example', PASSWORD);
  kiosk = await connectDevice(hub.url, await credentialFor(hub.url, DEMO.kiosk));
  desk1 = await connectDevice(hub.url, await credentialFor(hub.url, DEMO.desk1));
}, 90_000);

afterAll(async () => {
  kiosk.close();
  desk1.close();
  await hub.stop();
  await other.stop();
  removeDir(data);
  removeDir(otherData);
});

describe('Ombori exchange', () => {
  it('imports a booking, refuses bad items one by one, and is idempotent by Ombori id', async () => {
    const batch = [
      BOOKING,
      { ...BOOKING, id: 'bad-status', status: 'lost' },
      { ...BOOKING, id: 'bad-end', booking: { ...BOOKING.booking, end: '2020-05-26 16:00' } },
      { ...BOOKING, id: 'in-service', status: 'notified' },
      { ...BOOKING, id: 'no-station', station: { id: 'nowhere', label: 'A' } },
    ];
    const { results } = ok<{ results: { id: string; ok: boolean; error?: string }[] }>(
      await importTickets(hub.url, 'demo-store', batch.slice(0, 4), manager, 'demo-new-phone'),
    );
    expect(results[0]).toMatchObject({
      id: '_id_',
      ok: true,
      created: true,
      customerId: 'ce4a66df-51ff-47af-bf5e-4e26f82d266b',
    });
    expect(results.slice(1).map((r) => [r.id, r.ok])).toEqual([
      ['bad-status', false],
      ['bad-end', false],
      ['in-service', false],
    ]);
    expect(results[1]?.error).toMatch(/^status: /);
    expect(results[2]?.error).toMatch(/booking\.end/);
    // Without ?service= a station that is not a service of the store is refused, and says so.
    const noStation = ok<{ results: { ok: boolean; error?: string }[] }>(
      await importTickets(hub.url, 'demo-store', batch[4], manager),
    );
    expect(noStation.results[0]?.error).toMatch(/Station nowhere is not a service/);

    const again = ok<{ results: unknown[] }>(
      await importTickets(hub.url, 'demo-store', [BOOKING], manager, 'demo-new-phone'),
    );
    expect(again.results).toEqual([
      expect.objectContaining({ id: '_id_', ok: true, created: false }),
    ]);

    const ticket = ok<OmboriTicket>(await exportTicket(hub.url, 'demo-store', '_id_', manager));
    // Kept whole: everything Lineup does not run; Lineup's own: status, label and times.
    const { calledAt: _c, fulfilledAt: _f, completedAt: _d, ...kept } = BOOKING;
    expect(ticket).toEqual({
      ...kept,
      extraStatus: { goToEntrance: false, rejectedByCustomer: false },
      createdAt: '2020-05-26T08:47:37.170Z',
      calledAt: null,
      fulfilledAt: null,
      completedAt: null,
      rejectedAt: null,
    });
    const all = ok<OmboriTicket[]>(await exportTickets(hub.url, 'demo-store', manager));
    expect(all.map((t) => t.id)).toContain('_id_');
  });

  it('the check-in QR scanned at the kiosk checks it in; an agent serves it (servedBy)', async () => {
    const scanned = checkInPayloadOf(QR);
    if (!scanned.ok) throw new Error(scanned.reason);
    const checkedIn = await send(kiosk, { type: 'check_in', payload: scanned.payload });
    expect(checkedIn.ok && checkedIn.customer?.state).toBe('waiting');
    let t = ok<OmboriTicket>(await exportTicket(hub.url, 'demo-store', '_id_', manager));
    expect(t.status).toBe('pending');
    expect(t.label).toMatch(/^A\d+$/);

    const login = await fetch(`${hub.url}/v1/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: 'ann@store.example',
        password: PASSWORD,
        deskId: 'demo-desk-1',
      }),
    });
    expect(login.status).toBe(200);
    const called = await send(desk1, { type: 'call_next' });
    expect(called.ok && called.customer?.id).toBe('ce4a66df-51ff-47af-bf5e-4e26f82d266b');
    t = ok<OmboriTicket>(await exportTicket(hub.url, 'demo-store', '_id_', manager));
    expect(t).toMatchObject({
      status: 'notified',
      servedBy: {
        id: agentId,
        email: 'ann@store.example',
        firstName: 'Ann',
        lastName: 'Lee',
        displayName: 'Ann Lee',
      },
    });
    expect(t.calledAt).not.toBeNull();
    const customerId = 'ce4a66df-51ff-47af-bf5e-4e26f82d266b';
    expect((await send(desk1, { type: 'start_serving', payload: { customerId } })).ok).toBe(true);
    t = ok<OmboriTicket>(await exportTicket(hub.url, 'demo-store', customerId, manager));
    expect(t.status).toBe('fulfilled');
    expect(t.fulfilledAt).not.toBeNull();
    expect((await send(desk1, { type: 'finish', payload: { customerId } })).ok).toBe(true);
    t = ok<OmboriTicket>(await exportTicket(hub.url, 'demo-store', '_id_', manager));
    expect(t.status).toBe('completed');
    expect(t.completedAt).not.toBeNull();
    expect(t.bookingReminderAt).toBeNull();
  });

  it('round trip: export → import on another hub → export gives the same tickets', async () => {
    const at = new Date(Date.now() + 3 * 3600_000);
    at.setUTCSeconds(0, 0);
    const booked = await send(kiosk, {
      type: 'register',
      payload: {
        serviceId: 'demo-appointment',
        lang: 'SV',
        contactMode: 'phone',
        contact: { phone: '+46701234567', name: 'Sara Berg' },
        appointment: { at: at.toISOString(), externalId: 'BOOK-1' },
      },
    });
    if (!booked.ok || booked.customer === null) throw new Error('not booked');
    const ids = [booked.customer.id, '_id_'];
    const exported = await Promise.all(
      ids.map(async (id) =>
        ok<OmboriTicket>(await exportTicket(hub.url, 'demo-store', id, manager)),
      ),
    );
    expect(exported[0]).toMatchObject({
      status: 'draft',
      type: 'booking',
      label: '',
      locale: 'sv',
    });

    const otherManager = await staffToken(other.url, 'manager@store.example', PASSWORD);
    const { results } = ok<{ results: { ok: boolean }[] }>(
      // The seed ticket's station is Ombori's own: ?service= says where it queues here too.
      await importTickets(other.url, 'demo-store', exported, otherManager, 'demo-new-phone'),
    );
    expect(results).toEqual([
      expect.objectContaining({ ok: true }),
      expect.objectContaining({ ok: true }),
    ]);
    for (const t of exported) {
      expect(
        ok<OmboriTicket>(await exportTicket(other.url, 'demo-store', t.id, otherManager)),
      ).toEqual(t);
    }
  });

  it('answers errors for no token, a role that may not, an unknown store or ticket, a bad body', async () => {
    const agent = await staffToken(hub.url, 'ann@store.example', PASSWORD);
    expect(await exportTickets(hub.url, 'demo-store', null)).toMatchObject({
      status: 401,
      body: { error: 'unauthorized' },
    });
    expect(await importTickets(hub.url, 'demo-store', BOOKING, 'garbage')).toMatchObject({
      status: 401,
      body: { error: 'unauthorized' },
    });
    expect(await exportTicket(hub.url, 'demo-store', '_id_', agent)).toMatchObject({
      status: 403,
      body: { error: 'forbidden' },
    });
    expect(await exportTickets(hub.url, 'other-store', manager)).toMatchObject({
      status: 403,
      body: { error: 'forbidden' },
    });
    expect(await exportTickets(hub.url, 'other-store', owner)).toMatchObject({
      status: 404,
      body: { error: 'not_found' },
    });
    expect(await importTickets(hub.url, 'other-store', BOOKING, owner)).toMatchObject({
      status: 404,
      body: { error: 'not_found' },
    });
    expect(await exportTicket(hub.url, 'demo-store', 'no-such-ticket', manager)).toMatchObject({
      status: 404,
      body: { error: 'not_found' },
    });
    for (const body of ['"just a string"', '{not json', '42']) {
      expect(await importTickets(hub.url, 'demo-store', body, manager)).toMatchObject({
        status: 400,
        body: { error: 'invalid_request' },
      });
    }
    expect(await exportTickets(hub.url, 'bad store!', manager)).toMatchObject({
      status: 400,
      body: { error: 'invalid_request' },
    });
  });

  it('lineup-hub ombori export prints what the route gives; bad arguments exit 2', async () => {
    const r = runCli(['ombori', 'export', '--data', data, '--store', 'demo-store', '--id', '_id_']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(
      ok<OmboriTicket>(await exportTicket(hub.url, 'demo-store', '_id_', manager)),
    );
    const all = runCli(['ombori', 'export', '--data', data, '--store', 'demo-store']);
    expect(JSON.parse(all.stdout)).toEqual(
      ok<OmboriTicket[]>(await exportTickets(hub.url, 'demo-store', manager)),
    );
    for (const args of [
      ['ombori', 'export', '--data', data],
      ['ombori', 'frob', '--data', data],
      ['ombori', 'export', '--data', data, '--store', 'demo-store', '--bogus'],
    ]) {
      const bad = runCli(args);
      expect(bad.status).toBe(2);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(runCli(['ombori', 'export', '--data', data, '--store', 'nope']).status).toBe(1);
    // Import from stdin: one pushed ticket, and JSON that is not.
    const pushed = hubCliWithInput(
      ['ombori', 'import', '--data', data, '--store', 'demo-store', '--service', 'demo-new-phone'],
      JSON.stringify({ ...BOOKING, id: 'from-cli', QRCodeCheckInPositionId: undefined }),
    );
    expect(pushed.status).toBe(0);
    expect(JSON.parse(pushed.stdout)).toMatchObject({
      results: [{ id: 'from-cli', ok: true, created: true }],
    });
    expect(
      hubCliWithInput(['ombori', 'import', '--data', data, '--store', 'demo-store'], '{oops')
        .status,
    ).toBe(2);
  });
});
