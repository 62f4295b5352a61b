// The delivery worker against real HTTP receivers and a real outbox (SQLite or Postgres): a
// receiver that hangs is timed out and retried without holding back another endpoint, and a
// notification still failing after the configured time is parked as failed until `outbox retry`.
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { HubRepo } from '../../../cloud/db/hub-repo.js';
import { HUB_ENGINE, openTestHubRepo } from '../../support/hub-engine.js';
import { HubEngine } from '../../../cloud/engine/hub-engine.js';
import { seedStore } from '../../../cloud/engine/admin.js';
import { setDeliverySettings, setOrganizationWebhook } from '../../../cloud/notify/settings.js';
import { DeliveryWorker } from '../../../cloud/notify/worker.js';
import { removeDir, tempDataDir } from '../hub/harness.js';
import { SECRET } from './setup.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const a = server.address();
  return `http://127.0.0.1:${typeof a === 'object' && a !== null ? a.port : 0}/`;
}

async function openRepo(): Promise<HubRepo> {
  return (await openRepoIn()).repo;
}

async function openRepoIn(): Promise<{ repo: HubRepo; dir: string }> {
  const dir = tempDataDir();
  const repo = await openTestHubRepo(dir);
  cleanups.push(() => removeDir(dir));
  cleanups.push(() => repo.close());
  await seedStore(new HubEngine(repo));
  await setOrganizationWebhook(repo, 'demo-org', { url: 'http://127.0.0.1:1/', secret: SECRET });
  return { repo, dir };
}

const webhookRow = (id: string, url: string) => ({
  id,
  storeId: 'demo-store',
  customerId: id,
  channel: 'webhook' as const,
  endpoint: url,
  notBeforeMs: 0,
  message: { kind: 'webhook', organizationId: 'demo-org', body: JSON.stringify({ id }) },
});

describe('delivery worker', () => {
  it('does not let a hanging endpoint block another one', async () => {
    const repo = await openRepo();
    await setDeliverySettings(repo, {
      timeoutMs: 300,
      backoffMs: 50,
      maxBackoffMs: 100,
      pollMs: 20,
      perEndpoint: 1,
    });
    let hung = 0;
    const hanging = await listen(() => {
      hung += 1; // never answers
    });
    const got: string[] = [];
    const healthy = await listen((req, res) => {
      got.push(String(req.headers['x-lineup-idempotency-key']));
      res.writeHead(200).end();
    });
    await repo.enqueueOutbox(
      [
        webhookRow('h1', hanging),
        webhookRow('h2', hanging),
        ...['a', 'b', 'c', 'd'].map((id) => webhookRow(id, healthy)),
      ],
      Date.now(),
    );
    const worker = new DeliveryWorker(repo);
    worker.start();
    cleanups.push(() => worker.stop());
    await expect.poll(() => got.sort(), { timeout: 10_000 }).toEqual(['a', 'b', 'c', 'd']);
    await expect
      .poll(async () => (await repo.outboxEntry('h1'))?.attempts ?? 0, { timeout: 10_000 })
      .toBeGreaterThan(1);
    expect(hung).toBeGreaterThan(1);
    expect((await repo.outboxEntry('h1'))?.status).toBe('pending');
    expect((await repo.outboxEntry('h1'))?.lastError).toMatch(/abort|timeout/i);
  });

  it('sends each notification once when two workers look at once (two hub nodes)', async () => {
    const { repo, dir } = await openRepoIn();
    // Postgres: two nodes, each with its own pool. SQLite is one hub process: two workers on
    // its one connection still look at once.
    const other = HUB_ENGINE === 'postgres' ? await openTestHubRepo(dir) : repo;
    if (other !== repo) cleanups.push(() => other.close());
    await setDeliverySettings(repo, { pollMs: 10, perEndpoint: 50, timeoutMs: 2000 });
    const requests = new Map<string, number>();
    const receiver = await listen((req, res) => {
      const key = String(req.headers['x-lineup-idempotency-key']);
      requests.set(key, (requests.get(key) ?? 0) + 1);
      // A little time in flight, as a real receiver takes.
      setTimeout(() => res.writeHead(200).end(), 5);
    });
    const ids = Array.from({ length: 120 }, (_, i) => `n${i}`);
    await repo.enqueueOutbox(
      ids.map((id) => webhookRow(id, receiver)),
      Date.now(),
    );
    for (const r of [repo, other]) {
      const worker = new DeliveryWorker(r);
      worker.start();
      cleanups.push(() => worker.stop());
    }
    await expect
      .poll(async () => (await repo.outboxEntries({ status: 'sent', limit: 500 })).length, {
        timeout: 20_000,
      })
      .toBe(ids.length);
    expect([...requests.keys()].sort()).toEqual([...ids].sort());
    expect([...requests.values()].filter((n) => n !== 1)).toEqual([]);
  });

  it('parks a notification as failed after the configured time, and `retry` replays it', async () => {
    const repo = await openRepo();
    await setDeliverySettings(repo, {
      parkAfterMs: 200,
      backoffMs: 30,
      maxBackoffMs: 60,
      pollMs: 20,
    });
    let up = false;
    const got: string[] = [];
    const flaky = await listen((req, res) => {
      if (!up) return void res.writeHead(500).end();
      got.push(String(req.headers['x-lineup-idempotency-key']));
      res.writeHead(204).end();
    });
    await repo.enqueueOutbox([webhookRow('p1', flaky)], Date.now());
    const worker = new DeliveryWorker(repo);
    worker.start();
    cleanups.push(() => worker.stop());
    await expect
      .poll(async () => (await repo.outboxEntry('p1'))?.status, { timeout: 10_000 })
      .toBe('failed');
    expect((await repo.outboxEntry('p1'))?.lastError).toContain('answered 500');
    up = true;
    expect(await repo.requeueOutbox('p1', Date.now())).toBe(true);
    await expect
      .poll(async () => (await repo.outboxEntry('p1'))?.status, { timeout: 10_000 })
      .toBe('sent');
    expect(got).toEqual(['p1']);
  });
});
