// Hostile and odd input at the hub's doors, against the real hub process: prototype-polluting
// projections and searches, the socket.io default namespace, replays told from different
// requests signed in the same millisecond, the FileVirtuelle documentation's own /register
// examples, validation errors that name the wrong field, and Fastify's own errors.
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestHubRepo } from '../../support/hub-engine.js';
import { seedStore } from '../../../cloud/engine/admin.js';
import { HubEngine } from '../../../cloud/engine/hub-engine.js';
import { demoStore } from '../../../shared/demo/demo-store.js';
import { DeviceSchema, ServiceSchema, StoreSchema } from '../../../shared/domain/entities.js';
import type { DeviceCredential } from '../../../shared/protocol/sync.js';
import { createApiKey, fvCall, type ApiAccount } from '../../support/fv-api.js';
import { hubCli, seedDemo } from '../../support/processes.js';
import {
  DEMO,
  connectDevice,
  credentialFor,
  removeDir,
  startHubProcess,
  tempDataDir,
  type HubProcess,
} from './harness.js';

const ERR = {
  timestamp: { code: 403, error: 'InvalidTimestamp', message: 'Invalid timestamp.' },
  prequalification: {
    code: 422,
    error: 'InvalidPrequalification',
    message: 'Invalid prequalification. Check the ID.',
  },
  device: { code: 422, error: 'InvalidDevice', message: 'Invalid device. Check the ID' },
  lang: {
    code: 422,
    error: 'InvalidLang',
    message: 'Invalid lang. Use ISO 639-1 two characters codename',
  },
  contact: {
    code: 422,
    error: 'InvalidContactInformation',
    message:
      'Invalid contact information. You should provide a phone number, an email address or a name.',
  },
  route: { code: 403, error: 'InvalidRoute', message: "You don't have access to this route." },
} as const;

// The ids of the FileVirtuelle documentation's examples, so its bodies are sent verbatim.
const DOC_STORE = '57be88e6da119ee36dcd0084';
const DOC_PREQUALIFICATION = '507f1f77bcf86cd799439011';
const DOC_MACHINE = '508f1f79bcf97cd799439018';

/** Seeds a store whose ids are those of the documentation's examples. */
async function seedDocumentationStore(dir: string): Promise<void> {
  const repo = await openTestHubRepo(dir);
  try {
    await seedStore(new HubEngine(repo), {
      organization: { ...demoStore.organization, id: 'doc-org', name: 'Documentation' },
      store: StoreSchema.parse({
        id: DOC_STORE,
        organizationId: 'doc-org',
        name: 'Documentation store',
        langs: ['FR', 'EN'],
        timeZone: 'Europe/Paris',
        sms: { enabled: true },
        email: { enabled: true },
        allowNameRegistration: true,
        appointments: { enabled: true },
      }),
      services: [
        ServiceSchema.parse({
          id: DOC_PREQUALIFICATION,
          storeId: DOC_STORE,
          name: { FR: 'Conseil' },
          ticketPrefix: 'D',
          isRoot: true,
        }),
      ],
      devices: [
        DeviceSchema.parse({
          id: DOC_MACHINE,
          organizationId: 'doc-org',
          storeId: DOC_STORE,
          name: 'Borne',
          hostname: 'doc-kiosk',
          mac: '02:00:00:00:30:01',
          role: 'machine',
        }),
      ],
    });
  } finally {
    await repo.close();
  }
}

describe('the hub under hostile input', () => {
  let dir: string;
  let hub: HubProcess;
  let key: ApiAccount;
  let screen: DeviceCredential;

  beforeAll(async () => {
    dir = tempDataDir();
    seedDemo(dir);
    await seedDocumentationStore(dir);
    key = createApiKey(dir, 'hostile');
    hub = await startHubProcess(dir);
    screen = await credentialFor(hub.url, DEMO.screen);
  });

  afterAll(async () => {
    await hub.stop();
    removeDir(dir);
  });

  /** The hub still works: a FileVirtuelle read answers and a device's /sync handshake passes. */
  async function stillHealthy(): Promise<void> {
    const orgs = await fvCall(hub.url, key, 'GET', '/organizations/name');
    expect(orgs.status).toBe(200);
    expect(orgs.body).toEqual(expect.arrayContaining([{ _id: 'demo-org', name: 'Lineup Demo' }]));
    const socket = await connectDevice(hub.url, screen);
    socket.disconnect();
  }

  describe('prototype pollution', () => {
    it.each([
      '/organizations/-__proto__.toString',
      '/organizations/-__proto__.hasOwnProperty',
      '/organizations/__proto__.toString',
      '/organizations/-constructor.prototype.toString',
      '/organization/demo-org/-__proto__.valueOf',
      '/organizations/name,prototype',
    ])('refuses the projection %s and keeps working', async (path) => {
      const r = await fvCall(hub.url, key, 'GET', path);
      expect(r).toEqual({
        status: 422,
        body: expect.objectContaining({ code: 422, error: 'InvalidProjection' }) as unknown,
      });
      await stillHealthy();
    });

    it.each(['__proto__.polluted=1', 'constructor.name=Object', 'name=x|prototype=y'])(
      'refuses the search %s',
      async (search) => {
        const r = await fvCall(
          hub.url,
          key,
          'GET',
          `/organizations?search=${encodeURIComponent(search)}`,
        );
        expect(r).toEqual({
          status: 422,
          body: expect.objectContaining({ code: 422, error: 'InvalidSearch' }) as unknown,
        });
        await stillHealthy();
      },
    );

    it('keeps a __proto__ key in a body as plain data', async () => {
      const r = await fvCall(hub.url, key, 'POST', '/register', {
        lang: 'EN',
        name: 'Proto',
        prequalification: 'demo-repair',
        machine: 'demo-kiosk',
        ['__proto__']: { polluted: true },
      });
      expect(r.status).toBe(200);
      await stillHealthy();
    });
  });

  it('refuses socket.io connections to the default namespace', async () => {
    const socket = io(`${hub.url}/`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    const outcome = await new Promise<string>((resolve) => {
      socket.once('connect', () => resolve('connected'));
      socket.once('connect_error', (e: Error) => resolve(`refused: ${e.message}`));
    });
    socket.disconnect();
    expect(outcome).toMatch(/^refused/);
  });

  describe('replays', () => {
    const body = (name: string) => ({
      lang: 'EN',
      name,
      prequalification: 'demo-repair',
      suborganization: 'demo-store',
      machine: 'demo-kiosk',
    });

    it('lets two different requests signed in the same millisecond through, not a replay', async () => {
      const timestamp = String(Date.now());
      const a = await fvCall(hub.url, key, 'POST', '/register', body('Same Ms A'), { timestamp });
      const b = await fvCall(hub.url, key, 'POST', '/register', body('Same Ms B'), { timestamp });
      expect([a.status, b.status]).toEqual([200, 200]);
      expect((b.body as { entity: { name: string } }).entity.name).toBe('Same Ms B');
      const again = await fvCall(hub.url, key, 'POST', '/register', body('Same Ms A'), {
        timestamp,
      });
      expect(again).toEqual({ status: 403, body: ERR.timestamp });
    });
  });

  describe('/register as documented', () => {
    it('accepts the standard example body, word for word (the store comes from the machine)', async () => {
      const r = await fvCall(
        hub.url,
        key,
        'POST',
        '/register',
        undefined,
        // Copied from the documentation, "Add standard customer to the queue".
        {
          rawBody: `{
"lang": "FR",
"phone": "0689091314",
"prequalification": "507f1f77bcf86cd799439011",
"prequalifications_path": [
"507f1f77bcf86cd799439011"
],
"machine": "508f1f79bcf97cd799439018"
}`,
        },
      );
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body).toMatchObject({
        message: 'Customer is successfully added',
        change: 'POST_customer',
        entity: {
          phone: '0689091314',
          machine: DOC_MACHINE,
          suborganization: DOC_STORE,
          prequalification: DOC_PREQUALIFICATION,
          lang: 'FR',
          type: 'phone',
          meeting: false,
        },
      });
    });

    it('accepts the appointment example body, word for word', async () => {
      const r = await fvCall(hub.url, key, 'POST', '/register', undefined, {
        // Copied from the documentation, "Add customer with an appointment to the queue".
        rawBody: `{
"lang": "FR",
"phone": "0689091314",
"name": "John Smith",
"prequalification": "507f1f77bcf86cd799439011",
"prequalifications_path": [
"507f1f77bcf86cd799439011"
],
"machine": "508f1f79bcf97cd799439018",
"mtimestamp": "2018-06-25T15:15:00.000Z",
"meeting": true,
"external_meeting_id": "john_smith_201806251515"
}`,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body).toMatchObject({
        entity: {
          name: 'John Smith',
          suborganization: DOC_STORE,
          meeting: true,
          mtimestamp: '2018-06-25T15:15:00.000Z',
          external_meeting_id: 'john_smith_201806251515',
        },
      });
    });

    it('names what is wrong in a body that does not validate', async () => {
      const base = {
        lang: 'EN',
        name: 'Someone',
        prequalification: 'demo-repair',
        machine: 'demo-kiosk',
      };
      const post = (over: Record<string, unknown>) =>
        fvCall(hub.url, key, 'POST', '/register', { ...base, ...over });
      expect(await post({ prequalifications_path: 'demo-repair' })).toEqual({
        status: 422,
        body: ERR.prequalification,
      });
      expect(await post({ prequalifications_path: ['not an id!'] })).toEqual({
        status: 422,
        body: ERR.prequalification,
      });
      expect(await post({ prequalifications_path: ['demo-sales', 'demo-nothing'] })).toEqual({
        status: 422,
        body: ERR.prequalification,
      });
      expect(await post({ machine: 42 })).toEqual({ status: 422, body: ERR.device });
      expect(await post({ machine: undefined })).toEqual({ status: 422, body: ERR.device });
      expect(await post({ lang: 7 })).toEqual({ status: 422, body: ERR.lang });
      expect(await post({ name: 42 })).toEqual({ status: 422, body: ERR.contact });
      const meeting = await post({ meeting: 'true' });
      expect(meeting.status).toBe(422);
      expect(meeting.body).toMatchObject({ code: 422, error: 'InvalidField' });
      expect((meeting.body as { message: string }).message).toContain('meeting');
      const external = await post({ external_meeting_id: ['x'] });
      expect(external.body).toMatchObject({ code: 422, error: 'InvalidField' });
      expect((external.body as { message: string }).message).toContain('external_meeting_id');
    });
  });

  describe("Fastify's own errors, in the FileVirtuelle shape", () => {
    it('answers a malformed JSON body, a wrong content type and an unknown route', async () => {
      const malformed = await fvCall(hub.url, key, 'POST', '/register', undefined, {
        rawBody: '{"lang": "EN",',
      });
      expect(malformed).toEqual({
        status: 400,
        body: { code: 400, error: 'InvalidJson', message: 'The body is not valid JSON.' },
      });
      const text = await fvCall(hub.url, key, 'POST', '/register', undefined, {
        rawBody: 'lang=EN',
        contentType: 'text/plain',
      });
      expect(text).toEqual({
        status: 415,
        body: {
          code: 415,
          error: 'UnsupportedMediaType',
          message: 'Send the body as JSON, with Content-Type: application/json.',
        },
      });
      const big = await fvCall(hub.url, key, 'POST', '/register', {
        lang: 'EN',
        name: 'x'.repeat(300 * 1024),
      });
      expect(big).toEqual({
        status: 413,
        body: { code: 413, error: 'PayloadTooLarge', message: 'The body is too large.' },
      });
      expect(await fvCall(hub.url, key, 'GET', '/nothing-here')).toEqual({
        status: 403,
        body: ERR.route,
      });
      expect(await fvCall(hub.url, key, 'PATCH', '/customer', {})).toEqual({
        status: 403,
        body: ERR.route,
      });
    });
  });
  describe('across a hub restart', () => {
    it('still refuses a replay and still counts the minute of a rate-limited key', async () => {
      const limited = JSON.parse(
        hubCli(['apikey', 'create', '--data', dir, '--name', 'limited', '--max-hits', '3']),
      ) as ApiAccount;
      // The budget is per calendar minute: start well inside one, so the restart fits in it.
      const intoMinute = Date.now() % 60_000;
      if (intoMinute > 30_000) await new Promise((r) => setTimeout(r, 60_500 - intoMinute));

      const timestamp = String(Date.now());
      const registration = {
        lang: 'EN',
        name: 'Before Restart',
        prequalification: 'demo-repair',
        machine: 'demo-kiosk',
      };
      const first = await fvCall(hub.url, key, 'POST', '/register', registration, { timestamp });
      expect(first.status).toBe(200);
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++)
        statuses.push((await fvCall(hub.url, limited, 'GET', '/api_info')).status);
      expect(statuses).toEqual([200, 200, 200, 429]);

      await hub.stop();
      hub = await startHubProcess(dir);

      expect(await fvCall(hub.url, key, 'POST', '/register', registration, { timestamp })).toEqual({
        status: 403,
        body: ERR.timestamp,
      });
      expect(await fvCall(hub.url, limited, 'GET', '/api_info')).toEqual({
        status: 429,
        body: {
          code: 429,
          error: 'RateLimitExceeded',
          message: 'You have exceeded the max number of requests per minutes.',
        },
      });
      // The hub itself is fine, and the replayed registration was not registered twice.
      const named = await fvCall(
        hub.url,
        key,
        'GET',
        `/customers/name?search=${encodeURIComponent('name=Before Restart')}`,
      );
      expect((named.body as unknown[]).length).toBe(1);
    });
  });
});
