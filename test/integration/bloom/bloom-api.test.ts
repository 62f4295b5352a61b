// The Bloom Virtual Ticket API of a real `lineup-hub serve`, driven by a client written from the
// seed alone, in JSON and in XML: register, log in, list locations, join, follow and cancel,
// with a desk (a real device socket) calling the phone's ticket, and every refusal the seed's
// shape. Request bodies are the seed's examples.
import { io, type Socket } from 'socket.io-client';
import type { DeviceCredential } from '../../../shared/protocol/sync.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../support/processes.js';
import {
  DEMO,
  ask,
  connectDevice,
  credentialFor,
  removeDir,
  runCli,
  send,
  startHubProcess,
  tempDataDir,
  type HubProcess,
} from '../hub/harness.js';
import { BloomClient, type Format } from './bloom-client.js';

// The seed's request examples, verbatim.
const SEED_REGISTER = {
  oauth_provider: 'google',
  oauth_token: 'rgfeojn',
  username: 'customer1',
  password: 'aksjdhf879234',
  email: 'qbetter@qbetter.com',
  phone: '91626592',
  first_name: 'Joaquim',
  last_name: 'Gomes',
};
const SEED_LOGIN = {
  oauth_provider: 'google',
  oauth_token: 'rgfeojn',
  username: null,
  password: null,
  customer_attribute: { name: 'Joaquim' },
};
const SEED_DETAILS_FIELDS = [
  'id',
  'username',
  'first_name',
  'last_name',
  'display_name',
  'phone',
  'email',
  'vt_token',
  'oauth_provider',
  'oauth_token',
  'push_notification_key',
  'address',
  'created_at',
  'updated_at',
  'app_count',
  'reset_token',
  'reset_token_date',
  'ticket_warning',
  'preferred_language',
];
const SEED_TICKET_FIELDS = [
  'id',
  'description',
  'ticket_number',
  'tag',
  'number',
  'create_date',
  'startcall_date',
  'endcall_date',
  'waiting_tickets',
  'hours',
  'minutes',
  'state',
  'customer',
  'master',
  'service',
];
const STORE = 'demo-store';
const SERVICE = 'demo-repair';

const truthy = (v: unknown): boolean => v === true || v === 'true';
const refused = (a: { body: Record<string, unknown> }): string => {
  expect(truthy(a.body.success)).toBe(false);
  expect(typeof a.body.error).toBe('string');
  return a.body.error as string;
};

let dir: string;
let hub: HubProcess;
let desk: Socket;
/** Desk 2 serves demo-repair. */
let desk2: Socket;
let kiosk: Socket;
let kioskCredential: DeviceCredential;

beforeAll(async () => {
  dir = tempDataDir();
  seedDemo(dir);
  // Every request of this file comes from 127.0.0.1: lift the per-IP join limit (tested below).
  expect(setPhoneQueue({ joinsPerMinutePerIp: 1000 }).status).toBe(0);
  hub = await startHubProcess(dir);
  desk = await connectDevice(hub.url, await credentialFor(hub.url, DEMO.desk1));
  kioskCredential = await credentialFor(hub.url, DEMO.kiosk);
  kiosk = await connectDevice(hub.url, kioskCredential);
  desk2 = await connectDevice(hub.url, await credentialFor(hub.url, DEMO.desk2));
});

afterAll(async () => {
  desk.disconnect();
  desk2.disconnect();
  kiosk.disconnect();
  expect(await hub.stop()).toBe(0);
  removeDir(dir);
});

/** `lineup-hub bloom settings --set <json>` on the test store. */
const setBloomSettings = (json: Record<string, unknown>) =>
  runCli(['bloom', 'settings', '--data', dir, '--store', STORE, '--set', JSON.stringify(json)]);
const setPhoneQueue = (phoneQueue: Record<string, unknown>) => setBloomSettings({ phoneQueue });

const base = () => `${hub.url}/vt/api`;

interface QueueCustomer {
  id: string;
  state: string;
}
const snapshotCustomers = async (): Promise<QueueCustomer[]> =>
  (await ask<{ customers: QueueCustomer[] }>(kiosk, 'snapshot')).customers;

describe.each<Format>(['json', 'xml'])('Bloom API in %s', (format) => {
  const username = `customer-${format}`;
  const client = () => new BloomClient(base(), format);
  let me: BloomClient;

  it('refuses the seed’s OAuth examples with a clear reason: Lineup does not verify them', async () => {
    const r = await client().register({ ...SEED_REGISTER, username });
    expect(r.status).toBe(400);
    expect(refused(r)).toMatch(/not configured.*does not verify third-party tokens/);
    const l = await client().login(SEED_LOGIN);
    expect(refused(l)).toMatch(/google.*not configured/);
  });

  it('registers and logs in with a password; vt_token works, details has the seed’s fields', async () => {
    me = client();
    const r = await me.register({
      ...SEED_REGISTER,
      oauth_provider: null,
      oauth_token: null,
      username,
      email: `${format}@qbetter.com`,
    });
    expect(r.status).toBe(200);
    expect(truthy(r.body.success)).toBe(true);
    expect(typeof r.body.vt_token).toBe('string');
    expect(
      refused(await client().register({ ...SEED_REGISTER, oauth_provider: null, username })),
    ).toMatch(/taken/);

    expect((await client().login({ username, password: 'wrong-password' })).status).toBe(401);
    const l = await me.login({
      oauth_provider: null,
      oauth_token: null,
      username,
      password: SEED_REGISTER.password,
      customer_attribute: { name: 'Joaquim', last_name: 'Araújo' },
    });
    expect(truthy(l.body.success)).toBe(true);
    const d = await me.details();
    expect(truthy((d.body.status as { success: unknown }).success)).toBe(true);
    const user = d.body.user as Record<string, unknown>;
    expect(Object.keys(user).sort()).toEqual([...SEED_DETAILS_FIELDS].sort());
    expect(user.display_name).toBe('Joaquim Araújo');
    expect(user.vt_token).toBe(me.vtToken);
  });

  it('lists locations with their services and filters by city, region and coordinates', async () => {
    const all = await me.locations();
    const locations = all.body.locations as Record<string, unknown>[];
    const demo = locations.find((l) => l.id === STORE);
    expect(demo).toMatchObject({ city: 'Paris', country: 'France', coordinates: '48.8556,2.3601' });
    expect(truthy(demo?.isOpen)).toBe(true);
    const services = demo?.services as Record<string, unknown>[];
    expect(services.map((s) => s.id)).toContain(SERVICE);
    expect(services[0]).toHaveProperty('waiting_avg');
    expect(all.body.settings).toMatchObject({ notification_texts: expect.anything() });

    expect((await me.locations({ city: 'paris' })).body.locations).toHaveLength(1);
    expect((await me.locations({ region: 'Braga' })).body.locations).toEqual([]);
    const near = await me.locations({ coordinates: '48.86,2.35' });
    expect((near.body.locations as Record<string, unknown>[])[0]?.id).toBe(STORE);
    expect(refused(await me.locations({ coordinates: 'here' }))).toMatch(/coordinates/);

    const svc = await me.serverServices({ location_id: STORE });
    const ids = (svc.body.server_services as { id: string }[]).map((s) => s.id);
    expect(ids).toContain(SERVICE);
    expect((await me.serverServices({ location_id: 'nowhere' })).status).toBe(404);
    const settings = (await me.settings()).body.settings as { id: string; value: string }[];
    expect(settings.map((s) => s.id)).toEqual(
      expect.arrayContaining(['vt_max_radius', 'allow_multi_ticket']),
    );
  });

  it('joins: a real ticket of the store, called from a desk, then another is cancelled', async () => {
    const before = (await me.locations()).body.locations as Record<string, unknown>[];
    const waitingBefore = Number(
      (before[0]?.services as Record<string, unknown>[]).find((s) => s.id === SERVICE)
        ?.waiting_tickets,
    );
    const made = await me.createTicket({ tickets: [{ master_id: STORE, service_id: SERVICE }] });
    expect(made.status).toBe(200);
    const ticket = made.body.ticket as Record<string, unknown>;
    expect(Object.keys(ticket)).toEqual(expect.arrayContaining(SEED_TICKET_FIELDS));
    expect(String(ticket.ticket_number)).toMatch(/^C \d{3}$/);
    expect((ticket.master as Record<string, unknown>).id).toBe(STORE);
    const id = String(ticket.id);

    // The store's queue has it: the kiosk's snapshot and the waiting count.
    expect((await snapshotCustomers()).find((c) => c.id === id)?.state).toBe('waiting');
    const after = (await me.locations()).body.locations as Record<string, unknown>[];
    expect(
      Number(
        (after[0]?.services as Record<string, unknown>[]).find((s) => s.id === SERVICE)
          ?.waiting_tickets,
      ),
    ).toBe(waitingBefore + 1);

    // One ticket per phone (allow_multi_ticket is false).
    const again = await me.createTicket({ tickets: [{ master_id: STORE, service_id: SERVICE }] });
    expect(again.status).toBe(409);
    expect(refused(again)).toMatch(/one ticket per phone/);

    // A desk calls it: the phone follows it.
    const call = await send(desk2, { type: 'call_customer', payload: { customerId: id } });
    expect(call.ok).toBe(true);
    const followed = (await me.tickets(id)).body.tickets as Record<string, unknown>[];
    expect(Number(followed[0]?.state)).toBe(1);
    expect(followed[0]?.startcall_date).not.toBe('');
    expect(followed[0]?.startcall_date).not.toBeNull();
    const finished = await send(desk2, { type: 'finish', payload: { customerId: id } });
    expect(finished.ok).toBe(true);

    // A second ticket, cancelled from the phone, is gone from the queue.
    const second = await me.createTicket({ tickets: [{ master_id: STORE, service_id: SERVICE }] });
    const secondId = String((second.body.ticket as Record<string, unknown>).id);
    expect((await me.cancelTicket(secondId)).body.success).toSatisfy(truthy);
    expect((await snapshotCustomers()).find((c) => c.id === secondId)?.state).toBe('cancelled');
    const listed = (await me.tickets()).body.tickets as Record<string, unknown>[];
    expect(listed.map((t) => String(t.id))).toEqual([id, secondId]);
    expect(Number(listed[1]?.state)).toBe(5);
    expect(refused(await me.cancelTicket(secondId))).toMatch(/already cancelled/);
  });

  it('refuses bad bodies, unknown ids, missing or bad tokens and wrong formats', async () => {
    expect((await me.createTicket({ tickets: [] })).status).toBe(400);
    expect((await me.createTicket({ nothing: true })).status).toBe(400);
    const unknown = await me.createTicket({ tickets: [{ master_id: STORE, service_id: 'nope' }] });
    expect(unknown.status).toBe(404);
    expect(refused(unknown)).toMatch(/no service nope/);
    const noStore = await me.createTicket({
      tickets: [{ master_id: 'nope', service_id: SERVICE }],
    });
    expect(noStore.status).toBe(404);
    expect((await me.cancelTicket('0123456789abcdef01234567')).status).toBe(404);
    expect((await me.tickets('0123456789abcdef01234567')).status).toBe(404);

    const anonymous = client();
    expect((await anonymous.details()).status).toBe(401);
    anonymous.vtToken = 'not-a-token';
    const bad = await anonymous.tickets();
    expect(bad.status).toBe(401);
    expect(refused(bad)).toMatch(/unknown, expired or revoked/);

    const badBody = await me.raw('POST', 'ticket/create', {
      rawBody: format === 'json' ? '{"tickets": [' : '<request><tickets>',
      type: format === 'json' ? 'application/json' : 'application/xml',
    });
    expect(badBody.status).toBe(400);
    refused(badBody);
    const wrongFormat = await fetch(`${base()}/yaml/settings/get`);
    expect(wrongFormat.status).toBe(404);
    expect(await wrongFormat.json()).toMatchObject({ success: false, error: expect.any(String) });
  });
});

describe('Bloom API beyond the formats', () => {
  it('reads an XML body on an XML route', async () => {
    const me = new BloomClient(base(), 'xml');
    await me.register({ username: 'xml-body', password: 'long-enough-1', email: 'x@b.com' });
    const made = await me.raw('POST', 'ticket/create', {
      type: 'application/xml',
      rawBody: `<?xml version="1.0"?><request><tickets><master_id>${STORE}</master_id><service_id>${SERVICE}</service_id></tickets></request>`,
    });
    expect(made.status).toBe(200);
    expect(String((made.body.ticket as Record<string, unknown>).ticket_number)).toMatch(/^C /);
  });

  it('resets a password with the token the CLI shows; older vt_tokens stop working', async () => {
    const me = new BloomClient(base(), 'json');
    await me.register({ username: 'forgetful', password: 'first-password', email: 'f@b.com' });
    const old = me.vtToken;
    expect((await me.resetPassword('f@b.com')).body.success).toBe(true);
    // Unknown addresses get the same answer: nobody learns who has an account.
    expect((await me.resetPassword('nobody@b.com')).body.success).toBe(true);
    expect((await me.resetPassword('not-an-email')).status).toBe(400);
    const cli = runCli(['bloom', 'resets', '--data', dir]);
    expect(cli.status).toBe(0);
    const pending = cli.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { email: string; token: string });
    const reset = pending.find((p) => p.email === 'f@b.com');
    expect(reset).toBeDefined();
    const mismatch = await me.newPassword({
      vt: true,
      password: 'second-password',
      repeat_password: 'other',
      token: reset?.token,
    });
    expect(refused(mismatch)).toMatch(/differ/);
    const done = await me.newPassword({
      vt: true,
      password: 'second-password',
      repeat_password: 'second-password',
      token: reset?.token,
    });
    expect(done.body.success).toBe(true);
    expect(typeof done.body.vt_token).toBe('string');
    const used = await me.newPassword({
      vt: true,
      password: 'third-password',
      repeat_password: 'third-password',
      token: reset?.token,
    });
    expect(refused(used)).toMatch(/unknown, used or expired/);
    me.vtToken = old;
    expect((await me.details()).status).toBe(401);
    expect((await me.login({ username: 'forgetful', password: 'second-password' })).status).toBe(
      200,
    );
  });

  it('applies the store’s settings: radius, then joins per IP', async () => {
    const set = setBloomSettings;
    expect(set({ phoneQueue: { radiusKm: 5, allowMultiTicket: true } }).status).toBe(0);
    const me = new BloomClient(base(), 'json');
    await me.register({ username: 'traveller', password: 'long-enough-2' });
    const settings = (await me.settings()).body.settings as { id: string; value: string }[];
    expect(settings.find((s) => s.id === 'vt_max_radius')?.value).toBe('5');
    const far = await me.createTicket({
      tickets: [{ master_id: STORE, service_id: SERVICE }],
      coordinates: '41.5725702999,-8.4263883',
    });
    expect(far.status).toBe(403);
    expect(refused(far)).toMatch(/within 5 km/);
    const near = await me.createTicket({
      tickets: [{ master_id: STORE, service_id: SERVICE }],
      coordinates: '48.857,2.352',
    });
    expect(near.status).toBe(200);

    expect(set({ phoneQueue: { joinsPerMinutePerIp: 1 } }).status).toBe(0);
    try {
      // Three joins in a row: at least two fall in the same minute, so one is over the limit.
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        statuses.push(
          (await me.createTicket({ tickets: [{ master_id: STORE, service_id: SERVICE }] })).status,
        );
      }
      expect(statuses).toContain(429);
      expect(set({ phoneQueue: { enabled: false } }).status).toBe(0);
      expect((await me.locations()).body.locations).toEqual([]);
    } finally {
      expect(
        set({ phoneQueue: { enabled: true, radiusKm: 0, joinsPerMinutePerIp: 1000 } }).status,
      ).toBe(0);
    }
    expect(set({ storeCode: 'X' }).status).not.toBe(0);
  });
});

describe('the ticket page and its live namespace', () => {
  const join = async (): Promise<{ url: string; token: string }> => {
    const res = await fetch(`${hub.url}/q/${STORE}/join`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        cookie: `lineup_phone=${Math.random().toString(36).slice(2)}-browser-key`,
      },
      body: JSON.stringify({ serviceId: 'demo-accessories', lang: 'FR' }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { url: string };
    return { url: body.url, token: body.url.slice('/t/'.length) };
  };
  const follow = (token: unknown): Socket =>
    io(`${hub.url}/ticket`, { auth: { token }, transports: ['websocket'], forceNew: true });

  it('shows only its own ticket, live, from waiting to called at Desk 1', async () => {
    const { url, token } = await join();
    const page = await (await fetch(`${hub.url}${url}`)).text();
    expect(page).toContain('Votre ticket');
    const socket = follow(token);
    const views: Record<string, unknown>[] = [];
    const seen = (state: string) =>
      new Promise<Record<string, unknown>>((resolve) => {
        const check = () => {
          const v = views.find((x) => x.state === state);
          if (v !== undefined) resolve(v);
          else setTimeout(check, 20);
        };
        check();
      });
    socket.on('ticket', (v: Record<string, unknown>) => views.push(v));
    const first = await seen('waiting');
    expect(Object.keys(first).sort()).toEqual(
      ['desk', 'peopleBefore', 'service', 'state', 'store', 'ticket', 'waitMinutes'].sort(),
    );
    expect(first.service).toBe('Accessoires');
    const id = token.slice(0, token.lastIndexOf('.'));
    expect((await send(desk, { type: 'call_customer', payload: { customerId: id } })).ok).toBe(
      true,
    );
    expect((await seen('called')).desk).toBe('Desk 1');
    socket.disconnect();
    await send(desk, { type: 'finish', payload: { customerId: id } });
  });

  it('sends under 100 KB of JavaScript for the ticket page (measured, printed)', async () => {
    const { url } = await join();
    const html = await (await fetch(`${hub.url}${url}`)).text();
    let inline = 0;
    const external: string[] = [];
    for (const m of html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)) {
      const attrs = m[1] ?? '';
      if (attrs.includes('application/json')) continue;
      const src = /src="([^"]+)"/.exec(attrs)?.[1];
      if (src !== undefined) external.push(src);
      else inline += Buffer.byteLength(m[2] ?? '');
    }
    let fetched = 0;
    for (const src of external) {
      fetched += (await (await fetch(`${hub.url}${src}`)).arrayBuffer()).byteLength;
    }
    const total = inline + fetched;
    console.log(
      `ticket page JavaScript: ${(total / 1024).toFixed(1)} KB (inline ${(inline / 1024).toFixed(1)} KB + socket.io client ${(fetched / 1024).toFixed(1)} KB), budget 100 KB`,
    );
    expect(external).toHaveLength(1);
    expect(total).toBeLessThan(100 * 1024);
  });

  it('gives a device of the store the page path of a ticket (for the printed QR)', async () => {
    const r = await send(kiosk, {
      type: 'register',
      payload: { serviceId: 'demo-accessories', lang: 'EN', contactMode: 'anonymous' },
    });
    if (!r.ok || r.customer === null) throw new Error('not registered');
    const ask = (body: unknown) =>
      fetch(`${hub.url}/phone/ticket-path`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await ask({ customerId: r.customer.id })).status).toBe(400);
    expect(
      (
        await ask({
          credential: { deviceId: 'demo-kiosk', token: 'x'.repeat(32) },
          customerId: r.customer.id,
        })
      ).status,
    ).toBe(401);
    const ok = await ask({ credential: kioskCredential, customerId: r.customer.id });
    const body = (await ok.json()) as { path: string; storePath: string };
    expect(body.storePath).toBe(`/q/${STORE}`);
    const page = await fetch(`${hub.url}${body.path}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(r.customer.ticket);
    await send(desk, { type: 'call_customer', payload: { customerId: r.customer.id } });
    await send(desk, { type: 'finish', payload: { customerId: r.customer.id } });
  });

  it('refuses a socket or a page with a token the hub did not make', async () => {
    const { token } = await join();
    const forged = `${token.slice(0, token.lastIndexOf('.'))}.AAAAAAAAAAAAAAAAAAAAAAAAAAA`;
    for (const bad of [forged, 'nothing', 42]) {
      const socket = follow(bad);
      const error = await new Promise<Error>((resolve) => socket.once('connect_error', resolve));
      expect(error.message).toBe('unknown_ticket');
      socket.disconnect();
    }
    expect((await fetch(`${hub.url}/t/${forged}`)).status).toBe(404);
    expect((await fetch(`${hub.url}/t/${forged}/cancel`, { method: 'POST' })).status).toBe(404);
  });

  it('"I\'m running late" moves the ticket back, through the engine, logged as postponed', async () => {
    const { token } = await join();
    const id = token.slice(0, token.lastIndexOf('.'));
    for (let i = 0; i < 3; i++) {
      const r = await send(kiosk, {
        type: 'register',
        payload: { serviceId: 'demo-accessories', lang: 'EN', contactMode: 'anonymous' },
      });
      expect(r.ok).toBe(true);
    }
    const late = async (places: number) => {
      const res = await fetch(`${hub.url}/t/${token}/late`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ places }),
      });
      return { status: res.status, body: (await res.json()) as { view: { peopleBefore: number } } };
    };
    const before = (await late(2)).body.view.peopleBefore;
    const after = await late(1);
    expect(after.body.view.peopleBefore).toBe(before + 1);
    // Last in line: nobody to let pass.
    expect((await late(1)).status).toBe(409);
    const cancel = await fetch(`${hub.url}/t/${token}/cancel`, { method: 'POST' });
    expect(((await cancel.json()) as { view: { state: string } }).view.state).toBe('cancelled');
    expect((await snapshotCustomers()).find((c) => c.id === id)?.state).toBe('cancelled');
  });
});
