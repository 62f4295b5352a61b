// FileVirtuelle `urls.next` / `urls.processed` of an API key, called by the real hub with a
// signature a partner verifies with its API secret; fair use spent when the SMS goes out.
import { createServer, type Server } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { hubCli } from '../../support/processes.js';
import { fvCall, fvPost } from '../../support/fv-api.js';
import {
  DEMO,
  connectDevice,
  credentialFor,
  removeDir,
  send,
  startHubProcess,
  tempDataDir,
  type HubProcess,
} from '../hub/harness.js';
import { verifySignature } from './seed-receiver.js';
import { cli, fastDelivery, seedStoreWithTexts } from './setup.js';

interface Callback {
  path: string;
  key: string;
  event: string;
  customerId: string;
}

describe('FileVirtuelle callbacks', () => {
  const dir = tempDataDir();
  let hub: HubProcess | null = null;
  let server: Server | null = null;
  afterAll(async () => {
    await hub?.stop();
    server?.closeAllConnections();
    server?.close();
    removeDir(dir);
  });

  it('calls urls.next when a desk calls the customer and urls.processed when done, signed, once', async () => {
    await seedStoreWithTexts(dir);
    const out = hubCli([
      'apikey',
      'create',
      '--data',
      dir,
      '--name',
      'partner',
      '--testing',
      '--sms',
      '5',
      '--email',
      '5',
    ]);
    const account = JSON.parse(out.trim().split('\n').at(-1) ?? '') as {
      key: string;
      secret: string;
    };
    const got: Callback[] = [];
    const bad: string[] = [];
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const ok = verifySignature(
          account.secret,
          String(req.headers['x-lineup-timestamp']),
          body,
          String(req.headers['x-lineup-signature']),
        );
        const key = String(req.headers['x-lineup-idempotency-key']);
        if (!ok) bad.push(key);
        else if (!got.some((g) => g.key === key)) {
          const parsed = JSON.parse(body) as { event: string; customer: { _id: string } };
          got.push({
            path: req.url ?? '',
            key,
            event: parsed.event,
            customerId: parsed.customer._id,
          });
        }
        res.writeHead(ok ? 200 : 401).end();
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const a = server.address();
    const base = `http://127.0.0.1:${typeof a === 'object' && a !== null ? a.port : 0}`;
    cli([
      'notify',
      'callbacks',
      '--data',
      dir,
      '--key',
      account.key,
      '--next',
      `${base}/notify/next_customer`,
      '--processed',
      `${base}/notify/processed`,
    ]);
    fastDelivery(dir);
    hub = await startHubProcess(dir);

    // The seed's /register example body.
    const res = await fvPost(hub.url, account, '/register', {
      lang: 'FR',
      phone: '0689091314',
      prequalification: 'demo-repair',
      prequalifications_path: ['demo-support', 'demo-repair'],
      suborganization: 'demo-store',
      machine: 'demo-kiosk',
    });
    expect(res.status).toBe(200);
    const customerId = ((await res.json()) as { entity: { _id: string } }).entity._id;

    // The SMS (log-only provider) goes out: then, and only then, fair use is spent.
    const h = hub;
    await expect
      .poll(async () => (await fvCall(h.url, account, 'GET', '/api_info/fairuse')).body, {
        timeout: 15_000,
      })
      .toEqual({ fairuse: { sms: 4, email: 5, max_hits: 600 } });

    const desk = await connectDevice(hub.url, await credentialFor(hub.url, DEMO.desk2));
    expect((await send(desk, { type: 'call_customer', payload: { customerId } })).ok).toBe(true);
    expect((await send(desk, { type: 'finish', payload: { customerId } })).ok).toBe(true);
    desk.disconnect();
    await expect
      .poll(() => got.map((g) => [g.path, g.event, g.customerId]), { timeout: 15_000 })
      .toEqual([
        ['/notify/next_customer', 'next', customerId],
        ['/notify/processed', 'processed', customerId],
      ]);
    expect(bad).toEqual([]);
  });
});
