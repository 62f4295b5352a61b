// FileVirtuelle v2 REST against the real hub process: every route, every documented error body
// word for word (copied from the public documentation, not from the code), search, projection,
// HMAC, replay and the rate limit.
import { createHmac } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestHubRepo } from '../../support/hub-engine.js';
import { seedStore } from '../../../cloud/engine/admin.js';
import { HubEngine } from '../../../cloud/engine/hub-engine.js';
import { createApiAccount, getApiAccount, saveApiAccount } from '../../../cloud/rest/api-keys.js';
import { demoStore } from '../../../shared/demo/demo-store.js';
import { DeviceSchema, ServiceSchema, StoreSchema } from '../../../shared/domain/entities.js';
import type { Change } from '../../../shared/protocol/sync.js';
import {
  DEMO,
  connectDevice,
  credentialFor,
  removeDir,
  runCli,
  startHubProcess,
  tempDataDir,
  type HubProcess,
} from './harness.js';

const V2 = '/api/public/v2';

const ERR = {
  noAuth: {
    code: 417,
    error: 'NoAuthorizationHeaderError',
    message:
      'No authorization header found. You should provide an Authorization header with Authorization: api_key:signature.',
  },
  twoPart: {
    code: 417,
    error: 'NoTwoPartAuthorizationError',
    message: 'Authorization header should be of two parts: api_key:signature.',
  },
  apiKey: { code: 403, error: 'InvalidAPIKey', message: 'API Key does not exist.' },
  signature: { code: 403, error: 'InvalidSignature', message: 'The signature does not match.' },
  timestamp: { code: 403, error: 'InvalidTimestamp', message: 'Invalid timestamp.' },
  locked: {
    code: 403,
    error: 'AccountIsLocked',
    message: 'Your account is locked. Please contact an administrator.',
  },
  route: { code: 403, error: 'InvalidRoute', message: "You don't have access to this route." },
  rate: {
    code: 429,
    error: 'RateLimitExceeded',
    message: 'You have exceeded the max number of requests per minutes.',
  },
  organization: {
    code: 422,
    error: 'InvalidOrganization',
    message: 'Invalid organization. Check the ID.',
  },
  suborganization: {
    code: 422,
    error: 'InvalidSuborganization',
    message: 'Invalid suborganization. Check the ID.',
  },
  device: { code: 422, error: 'InvalidDevice', message: 'Invalid device. Check the ID' },
  prequalification: {
    code: 422,
    error: 'InvalidPrequalification',
    message: 'Invalid prequalification. Check the ID.',
  },
  desk: { code: 422, error: 'InvalidDesk', message: 'Invalid desk. Check the ID' },
  deviceType: {
    code: 422,
    error: 'InvalidDeviceType',
    message: 'Type of the device is invalid for this action',
  },
  lang: {
    code: 422,
    error: 'InvalidLang',
    message: 'Invalid lang. Use ISO 639-1 two characters codename',
  },
  iso: {
    code: 422,
    error: 'InvalidIso8601',
    message: 'The date is not formatted following the ISO 8601 format',
  },
  contact: {
    code: 422,
    error: 'InvalidContactInformation',
    message:
      'Invalid contact information. You should provide a phone number, an email address or a name.',
  },
  contactMode: {
    code: 403,
    error: 'ContactModeUnavailable',
    message:
      'Your mode of registration is not activated. Check the suborganization configuration for more details.',
  },
  fairUse: {
    code: 403,
    error: 'FairUseExceeded',
    message:
      'You are in testing phase and you have exceeded your fair use. Now you should only register people by name.',
  },
  entity: { code: 422, error: 'InvalidEntity', message: 'This entity is invalid. Check the ID' },
} as const;

interface Key {
  key: string;
  secret: string;
}

interface Res {
  status: number;
  body: unknown;
}

function sign(secret: string, verb: string, uri: string, ts: string): string {
  return createHmac('sha1', secret)
    .update(verb + uri + ts)
    .digest('hex');
}

describe('FileVirtuelle v2 REST', () => {
  let dir: string;
  let hub: HubProcess;
  let full: Key;
  let readDevices: Key;
  let otherOnly: Key;
  let locked: Key;
  let testing: Key;
  let limited: Key;
  let screenSocket: Socket;

  async function call(
    k: Key | null,
    verb: string,
    rawUri: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Res> {
    // Sign the URI as it goes on the wire (the URL parser escapes some characters, e.g. ').
    const sent = new URL(rawUri, 'http://x');
    const uri = sent.pathname + sent.search;
    const ts = String(Date.now());
    const h: Record<string, string> = { 'content-type': 'application/json', ...headers };
    if (k !== null) {
      h.authorization ??= `${k.key}:${sign(k.secret, verb, uri, h['x-fv-timestamp'] ?? ts)}`;
      h['x-fv-timestamp'] ??= ts;
    }
    const res = await fetch(`${hub.url}${uri}`, {
      method: verb,
      headers: h,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: await res.json() };
  }

  beforeAll(async () => {
    dir = tempDataDir();
    const repo = await openTestHubRepo(dir);
    const engine = new HubEngine(repo);
    await seedStore(engine);
    // A second store, in another organization, that only registers by name.
    await seedStore(engine, {
      organization: { ...demoStore.organization, id: 'other-org', name: 'Other' },
      store: StoreSchema.parse({
        id: 'other-store',
        organizationId: 'other-org',
        name: 'Other store',
        langs: ['FR'],
        timeZone: 'Europe/Paris',
        sms: { enabled: false },
        email: { enabled: false },
        allowNameRegistration: true,
      }),
      services: [
        ServiceSchema.parse({
          id: 'other-svc',
          storeId: 'other-store',
          name: { FR: 'Caisse' },
          ticketPrefix: 'Z',
        }),
      ],
      devices: [
        DeviceSchema.parse({
          id: 'other-kiosk',
          organizationId: 'other-org',
          storeId: 'other-store',
          name: 'K',
          hostname: 'other-k',
          mac: '02:00:00:00:20:01',
          role: 'machine',
        }),
      ],
    });
    const make = async (name: string, extra: Parameters<typeof createApiAccount>[1] = { name }) => {
      const a = await createApiAccount(repo, { ...extra, name });
      return { key: a.key, secret: a.secret };
    };
    readDevices = await make('devices only', {
      name: '',
      access: { rights: { device: { r: true } } },
    });
    otherOnly = await make('other org only', {
      name: '',
      access: { filter: { organizations: { whitelist: ['other-org'] } } },
    });
    locked = await make('locked');
    const l = (await getApiAccount(repo, locked.key))!;
    await saveApiAccount(repo, { ...l, locked: true });
    testing = await make('testing', { name: '', testing: true, sms: 0, email: 1 });
    limited = await make('limited', { name: '', maxHits: 3 });
    await repo.close();
    const created = runCli(['apikey', 'create', '--data', dir, '--name', 'integration']);
    expect(created.status).toBe(0);
    full = JSON.parse(created.stdout) as Key;
    expect(Object.keys(full).sort()).toEqual(['key', 'secret']);
    hub = await startHubProcess(dir);
    screenSocket = await connectDevice(hub.url, await credentialFor(hub.url, DEMO.screen));
  });

  afterAll(async () => {
    screenSocket.disconnect();
    await hub.stop();
    removeDir(dir);
  });

  describe('authentication', () => {
    it('verifies the documented signature example', () => {
      expect(
        sign(
          '7632da295ad6d11a44a75390a0b8fb12ffd24',
          'GET',
          '/api/public/v2/prequalification/5693afe606c3c0b5bc68eaf0',
          '1471254540335',
        ),
      ).toBe('5542b8b446f2203978b7d0549140cbf168de81f5');
    });

    it('answers every authentication error with its documented body', async () => {
      const uri = `${V2}/organizations`;
      expect(await call(null, 'GET', uri)).toEqual({ status: 417, body: ERR.noAuth });
      expect(await call(null, 'GET', uri, undefined, { authorization: 'justonepart' })).toEqual({
        status: 417,
        body: ERR.twoPart,
      });
      expect(await call(null, 'GET', uri, undefined, { authorization: 'a:b:c' })).toEqual({
        status: 417,
        body: ERR.twoPart,
      });
      expect(await call({ key: 'nosuchkey123', secret: 'x' }, 'GET', uri)).toEqual({
        status: 403,
        body: ERR.apiKey,
      });
      expect(await call({ key: full.key, secret: 'wrong-secret' }, 'GET', uri)).toEqual({
        status: 403,
        body: ERR.signature,
      });
      const old = String(Date.now() - 6 * 60_000);
      expect(await call(full, 'GET', uri, undefined, { 'x-fv-timestamp': old })).toEqual({
        status: 403,
        body: ERR.timestamp,
      });
      expect(await call(full, 'GET', uri, undefined, { 'x-fv-timestamp': 'yesterday' })).toEqual({
        status: 403,
        body: ERR.timestamp,
      });
      expect(await call(locked, 'GET', uri)).toEqual({ status: 403, body: ERR.locked });
    });

    it('signs the query string too, and refuses a replayed request inside the window', async () => {
      const uri = `${V2}/organizations?search=name%3DLineup%20Demo`;
      const ts = String(Date.now());
      const headers = {
        authorization: `${full.key}:${sign(full.secret, 'GET', uri, ts)}`,
        'x-fv-timestamp': ts,
      };
      const first = await call(null, 'GET', uri, undefined, headers);
      expect(first.status).toBe(200);
      expect(await call(null, 'GET', uri, undefined, headers)).toEqual({
        status: 403,
        body: ERR.timestamp,
      });
      // Signed for another URI: the signature does not match.
      const other = {
        authorization: `${full.key}:${sign(full.secret, 'GET', `${V2}/organizations`, ts)}`,
        'x-fv-timestamp': ts,
      };
      expect(await call(null, 'GET', uri, undefined, other)).toEqual({
        status: 403,
        body: ERR.signature,
      });
    });

    it('limits requests per minute to max_hits', async () => {
      // The budget is per calendar minute: start well inside one.
      const intoMinute = Date.now() % 60_000;
      if (intoMinute > 57_000) await new Promise((r) => setTimeout(r, 60_500 - intoMinute));
      const results: Res[] = [];
      for (let i = 0; i < 5; i++) results.push(await call(limited, 'GET', `${V2}/api_info`));
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 429, 429]);
      expect(results[3]?.body).toEqual(ERR.rate);
    });

    it('enforces rights per entity and the organization filters', async () => {
      expect((await call(readDevices, 'GET', `${V2}/devices`)).status).toBe(200);
      expect(await call(readDevices, 'GET', `${V2}/organizations`)).toEqual({
        status: 403,
        body: ERR.route,
      });
      expect(await call(readDevices, 'POST', `${V2}/register`, {})).toEqual({
        status: 403,
        body: ERR.route,
      });
      expect(await call(readDevices, 'DELETE', `${V2}/customer/whatever`)).toEqual({
        status: 403,
        body: ERR.route,
      });
      const orgs = await call(otherOnly, 'GET', `${V2}/organizations/name`);
      expect(orgs.body).toEqual([{ _id: 'other-org', name: 'Other' }]);
      expect(await call(otherOnly, 'GET', `${V2}/suborganization/demo-store`)).toEqual({
        status: 403,
        body: ERR.route,
      });
      const devices = (await call(otherOnly, 'GET', `${V2}/devices/suborganization`)).body as {
        suborganization: string;
      }[];
      expect(new Set(devices.map((d) => d.suborganization))).toEqual(new Set(['other-store']));
    });

    it('shows the account in /api_info', async () => {
      const info = await call(testing, 'GET', `${V2}/api_info`);
      expect(info.status).toBe(200);
      expect(info.body).toMatchObject({
        name: 'testing',
        key: testing.key,
        testing: true,
        fairuse: { sms: 0, email: 1 },
      });
      expect(await call(testing, 'GET', `${V2}/api_info/fairuse.max_hits,testing`)).toEqual({
        status: 200,
        body: { fairuse: { max_hits: 600 }, testing: true },
      });
    });
  });

  describe('reads', () => {
    it('serves each entity by id and in full, in the documented wire shape', async () => {
      const org = await call(full, 'GET', `${V2}/organization/demo-org`);
      expect(org).toEqual({
        status: 200,
        body: {
          _id: 'demo-org',
          name: 'Lineup Demo',
          logo: '',
          colorone: '#1F3A5F',
          colortwo: '#FFFFFF',
        },
      });
      const sub = (await call(full, 'GET', `${V2}/suborganization/demo-store`)).body as Record<
        string,
        unknown
      >;
      expect(sub).toMatchObject({
        _id: 'demo-store',
        organization: 'demo-org',
        tz: 'Europe/Paris',
        langs: ['EN', 'FR', 'SV', 'AR'],
      });
      const device = (await call(full, 'GET', `${V2}/device/demo-desk-1`)).body as Record<
        string,
        unknown
      >;
      expect(device).toMatchObject({
        _id: 'demo-desk-1',
        type: 'desk',
        mac: '02:00:00:00:00:02',
        hostname: 'lineup-desk-1',
      });
      const pq = (await call(full, 'GET', `${V2}/prequalification/demo-priority`)).body as Record<
        string,
        unknown
      >;
      expect(pq).toMatchObject({
        _id: 'demo-priority',
        prm: true,
        prioritize: true,
        suborganization: 'demo-store',
      });
      expect(((await call(full, 'GET', `${V2}/prequalifications`)).body as unknown[]).length).toBe(
        8,
      );
      expect(((await call(full, 'GET', `${V2}/devices`)).body as unknown[]).length).toBe(5);
      expect(((await call(full, 'GET', `${V2}/suborganizations`)).body as unknown[]).length).toBe(
        2,
      );
    });

    it('answers unknown ids with the documented 422 of each entity', async () => {
      expect(await call(full, 'GET', `${V2}/organization/nope`)).toEqual({
        status: 422,
        body: ERR.organization,
      });
      expect(await call(full, 'GET', `${V2}/suborganization/nope`)).toEqual({
        status: 422,
        body: ERR.suborganization,
      });
      expect(await call(full, 'GET', `${V2}/device/nope`)).toEqual({
        status: 422,
        body: ERR.device,
      });
      expect(await call(full, 'GET', `${V2}/prequalification/nope`)).toEqual({
        status: 422,
        body: ERR.prequalification,
      });
      expect(await call(full, 'GET', `${V2}/customer/nope`)).toEqual({
        status: 422,
        body: ERR.entity,
      });
      expect(await call(full, 'GET', `${V2}/nothing-here`)).toEqual({
        status: 403,
        body: ERR.route,
      });
    });

    it('searches with = != < > <= >= joined by & and |', async () => {
      const ids = async (q: string) => {
        const r = await call(
          full,
          'GET',
          `${V2}/prequalifications/_id?search=${encodeURIComponent(q)}`,
        );
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        return (r.body as { _id: string }[]).map((p) => p._id).sort();
      };
      expect(await ids('name.EN=Repair|name.EN=Accessories')).toEqual([
        'demo-accessories',
        'demo-repair',
      ]);
      expect(await ids('prm=true')).toEqual(['demo-priority']);
      expect(await ids('root=true&prm!=true')).toEqual(['demo-sales', 'demo-support']);
      expect(await ids('waiting>=10')).toEqual(['demo-appointment', 'demo-repair']);
      expect(await ids('waiting>10')).toEqual(['demo-appointment']);
      expect(await ids('waiting<5')).toEqual(expect.arrayContaining(['demo-accessories']));
      expect(await ids('waiting<=4&root=false')).toEqual(['demo-accessories']);
      expect(await ids('desks=demo-desk-2&prm=false')).toEqual(['demo-appointment', 'demo-repair']);
      // The documented escaped form.
      const escaped = (
        await call(
          full,
          'GET',
          `${V2}/organizations/name?search=name%3DDarty%7Cname%3DLineup%20Demo`,
        )
      ).body;
      expect(escaped).toEqual([{ _id: 'demo-org', name: 'Lineup Demo' }]);
      const bad = await call(
        full,
        'GET',
        `${V2}/organizations?search=${encodeURIComponent('name~Darty')}`,
      );
      expect(bad.status).toBe(422);
      expect(bad.body).toMatchObject({ code: 422, error: 'InvalidSearch' });
      // Quotes and SQL are just values that match nothing.
      expect(await ids("name.EN=x' OR 1=1 --")).toEqual([]);
    });

    it('projects with inclusion, exclusion and dot paths, and refuses a mix', async () => {
      expect((await call(full, 'GET', `${V2}/organizations/name,colorone`)).body).toEqual([
        { _id: 'demo-org', colorone: '#1F3A5F', name: 'Lineup Demo' },
        { _id: 'other-org', colorone: '#1F3A5F', name: 'Other' },
      ]);
      expect((await call(full, 'GET', `${V2}/organization/demo-org/-name,-colortwo`)).body).toEqual(
        { _id: 'demo-org', logo: '', colorone: '#1F3A5F' },
      );
      expect(
        (
          await call(
            full,
            'GET',
            `${V2}/suborganization/demo-store/sms.activated,vibrator.activated`,
          )
        ).body,
      ).toEqual({
        _id: 'demo-store',
        sms: { activated: true },
        vibrator: { activated: true },
      });
      expect((await call(full, 'GET', `${V2}/organization/demo-org/name,-_id`)).body).toEqual({
        name: 'Lineup Demo',
      });
      const mixed = await call(full, 'GET', `${V2}/organizations/-name,colorone`);
      expect(mixed.status).toBe(422);
      expect(mixed.body).toMatchObject({ code: 422, error: 'InvalidProjection' });
    });
  });

  describe('queue', () => {
    // The path ends with the chosen prequalification: another one comes with its own path.
    const register = (body: Record<string, unknown>) =>
      call(full, 'POST', `${V2}/register`, {
        lang: 'FR',
        prequalification: 'demo-repair',
        prequalifications_path:
          body.prequalification === undefined
            ? ['demo-support', 'demo-repair']
            : [body.prequalification],
        suborganization: 'demo-store',
        machine: 'demo-kiosk',
        ...body,
      });

    it('registers a customer through the log, with pbc and wait computed', async () => {
      const changes: Change[] = [];
      screenSocket.on('change', (c: Change) => changes.push(c));
      const first = await register({ name: 'John Smith' });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({
        message: 'Customer is successfully added',
        change: 'POST_customer',
        entity: {
          name: 'John Smith',
          type: 'name',
          rsvp: true,
          called: false,
          processed: false,
          pbc: 0,
          registered_by: full.key,
          prequalifications_path: ['demo-support', 'demo-repair'],
        },
      });
      const second = await register({ phone: '0689091314' });
      expect(
        (second.body as { entity: { pbc: number; type: string; ticket: string } }).entity,
      ).toMatchObject({ pbc: 1, type: 'phone' });
      await expect.poll(() => changes.filter((c) => c.event === 'registered').length).toBe(2);
      expect(changes.every((c) => c.origin === `rest:${full.key}`)).toBe(true);
    });

    it('registers an appointment as booked, and checks the ISO 8601 date', async () => {
      const r = await register({
        name: 'Booked',
        meeting: true,
        mtimestamp: '2030-06-25T15:15:00.000Z',
        external_meeting_id: 'ext-1',
        prequalification: 'demo-appointment',
      });
      expect(r.body).toMatchObject({
        entity: {
          meeting: true,
          rsvp: false,
          mtimestamp: '2030-06-25T15:15:00.000Z',
          external_meeting_id: 'ext-1',
        },
      });
      expect(await register({ name: 'B', meeting: true, mtimestamp: '25/06/2030 15:15' })).toEqual({
        status: 422,
        body: ERR.iso,
      });
    });

    it('answers every documented /register error', async () => {
      expect(await register({ name: 'X', prequalification: 'nope' })).toEqual({
        status: 422,
        body: ERR.prequalification,
      });
      expect(await register({ name: 'X', prequalification: 'demo-support' })).toEqual({
        status: 422,
        body: ERR.prequalification,
      });
      expect(await register({ name: 'X', machine: 'nope' })).toEqual({
        status: 422,
        body: ERR.device,
      });
      expect(await register({ name: 'X', machine: 'demo-desk-1' })).toEqual({
        status: 422,
        body: ERR.deviceType,
      });
      expect(await register({ name: 'X', lang: 'French' })).toEqual({
        status: 422,
        body: ERR.lang,
      });
      expect(await register({})).toEqual({ status: 422, body: ERR.contact });
      expect(await register({ phone: 'call me maybe' })).toEqual({
        status: 422,
        body: ERR.contact,
      });
      expect(await register({ email: 'not-an-email' })).toEqual({ status: 422, body: ERR.contact });
      expect(await register({ name: 'X', suborganization: 'nope' })).toEqual({
        status: 422,
        body: ERR.suborganization,
      });
      const other = {
        suborganization: 'other-store',
        prequalification: 'other-svc',
        machine: 'other-kiosk',
      };
      expect(await register({ ...other, phone: '0689091314' })).toEqual({
        status: 403,
        body: ERR.contactMode,
      });
      expect(
        ((await register({ ...other, name: 'Named' })).body as { entity: { ticket: string } })
          .entity.ticket,
      ).toBe('Z1');
      const viaTesting = (body: Record<string, unknown>) =>
        call(testing, 'POST', `${V2}/register`, {
          lang: 'FR',
          prequalification: 'demo-repair',
          suborganization: 'demo-store',
          machine: 'demo-kiosk',
          ...body,
        });
      expect(await viaTesting({ phone: '0689091314' })).toEqual({ status: 403, body: ERR.fairUse });
      expect((await viaTesting({ email: 'a@example.com' })).status).toBe(200);
      // Fair use is spent when a message goes out (issue 10), and this store sends no email
      // (no texts, no SMTP): asking for one spends nothing (see test/integration/notify).
      expect((await viaTesting({ email: 'b@example.com' })).status).toBe(200);
      expect((await viaTesting({ name: 'By name still works' })).status).toBe(200);
    });

    it('calls the next customer for a desk and checks desk, type and store', async () => {
      const next = await call(full, 'POST', `${V2}/next`, {
        desk: 'demo-desk-2',
        suborganization: 'demo-store',
      });
      expect(next.status).toBe(200);
      expect(next.body).toMatchObject({
        entity: { name: 'John Smith', called: true, desk: 'demo-desk-2' },
      });
      expect(
        await call(full, 'POST', `${V2}/next`, { desk: 'nope', suborganization: 'demo-store' }),
      ).toEqual({ status: 422, body: ERR.desk });
      expect(
        await call(full, 'POST', `${V2}/next`, {
          desk: 'demo-kiosk',
          suborganization: 'demo-store',
        }),
      ).toEqual({ status: 422, body: ERR.deviceType });
      expect(
        await call(full, 'POST', `${V2}/next`, { desk: 'demo-desk-2', suborganization: 'nope' }),
      ).toEqual({ status: 422, body: ERR.suborganization });
    });

    it('updates and deletes a customer through the log', async () => {
      const created = (await register({ name: 'Old Name' })).body as { entity: { _id: string } };
      const id = created.entity._id;
      const put = await call(full, 'PUT', `${V2}/customer`, {
        _id: id,
        name: 'New Name of the Customer',
      });
      expect(put).toMatchObject({
        status: 200,
        body: {
          message: 'Customer is successfully modified',
          success: { _id: id, name: 'New Name of the Customer' },
        },
      });
      expect(
        ((await call(full, 'GET', `${V2}/customer/${id}/name`)).body as { name: string }).name,
      ).toBe('New Name of the Customer');
      expect(await call(full, 'PUT', `${V2}/customer`, { _id: 'nope', name: 'x' })).toEqual({
        status: 422,
        body: ERR.entity,
      });
      expect(await call(full, 'PUT', `${V2}/customer`, { _id: id, lang: 'French' })).toEqual({
        status: 422,
        body: ERR.lang,
      });
      const del = await call(full, 'DELETE', `${V2}/customer/${id}`);
      expect(del).toMatchObject({
        status: 200,
        body: { message: 'Customer is successfully removed', success: { _id: id } },
      });
      expect(await call(full, 'GET', `${V2}/customer/${id}`)).toEqual({
        status: 422,
        body: ERR.entity,
      });
      expect(await call(full, 'DELETE', `${V2}/customer/${id}`)).toEqual({
        status: 422,
        body: ERR.entity,
      });
    });

    it('logs a partner PUT {called: true} as a call, which a screen hears once', async () => {
      const heard: Change[] = [];
      const listen = (c: Change) => heard.push(c);
      screenSocket.on('change', listen);
      const created = (await register({ name: 'Called By Partner' })).body as {
        entity: { _id: string };
      };
      const id = created.entity._id;
      const ofCustomer = (event: string) =>
        heard.filter(
          (c) => c.event === event && c.entity.kind === 'customer' && c.entity.customer.id === id,
        );
      const put = await call(full, 'PUT', `${V2}/customer`, {
        _id: id,
        called: true,
        desk: 'demo-desk-1',
      });
      expect(put).toMatchObject({
        status: 200,
        body: { success: { _id: id, called: true, processed: false, desk: 'demo-desk-1' } },
      });
      await expect.poll(() => ofCustomer('called').length).toBe(1);
      const [change] = ofCustomer('called');
      expect(change).toMatchObject({
        origin: `rest:${full.key}`,
        entity: { customer: { state: 'called', deskId: 'demo-desk-1' } },
      });
      // The call's time is the hub's clock of that change, set by the domain's call event.
      const customer = change?.entity.kind === 'customer' ? change.entity.customer : null;
      expect(customer?.calledAt).toBe(change?.at);
      // A later edit of a field is a plain update: the call is not announced again.
      await call(full, 'PUT', `${V2}/customer`, { _id: id, name: 'Renamed' });
      await expect.poll(() => ofCustomer('customer_updated').length).toBe(1);
      expect(ofCustomer('called')).toHaveLength(1);
      screenSocket.off('change', listen);
    });

    it('lists customers with search on state flags', async () => {
      const called = (
        await call(
          full,
          'GET',
          `${V2}/customers/name,called?search=${encodeURIComponent('called=true')}`,
        )
      ).body as { name: string }[];
      expect(called.map((c) => c.name)).toContain('John Smith');
      const notes = (
        await call(
          full,
          'GET',
          `${V2}/customers/ticket?search=${encodeURIComponent('suborganization=other-store')}`,
        )
      ).body;
      expect(notes).toEqual([expect.objectContaining({ ticket: 'Z1' })]);
    });
  });
});
