// The hub serves the built console at `/` with the right caching, a clear page when it is not
// built, and never shadows the hub's own routes (no wildcard route).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { registerConsoleStatic } from '../../../cloud/console/static.js';
import { startHub, type RunningHub } from '../../../cloud/server.js';
import { removeDir, tempDataDir } from './harness.js';

const dirs: string[] = [];
const apps: FastifyInstance[] = [];
const hubs: RunningHub[] = [];

afterEach(async () => {
  for (const hub of hubs.splice(0)) await hub.close();
  for (const app of apps.splice(0)) await app.close();
  for (const dir of dirs.splice(0)) removeDir(dir);
});

function fakeBuild(): string {
  const dir = tempDataDir();
  dirs.push(dir);
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Lineup console</title>');
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  return dir;
}

async function appWith(root: string | null): Promise<FastifyInstance> {
  const app = Fastify();
  apps.push(app);
  await registerConsoleStatic(app, root);
  app.get('/health', async () => ({ ok: true }));
  await app.ready();
  return app;
}

describe('the console at /', () => {
  it('serves index.html uncached and hashed assets cached for a year', async () => {
    const app = await appWith(fakeBuild());
    const index = await app.inject({ method: 'GET', url: '/' });
    expect(index.statusCode).toBe(200);
    expect(index.headers['content-type']).toMatch(/text\/html/);
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(index.body).toContain('Lineup console');
    const asset = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('leaves every other path to the hub (no catch-all)', async () => {
    const app = await appWith(fakeBuild());
    expect((await app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ ok: true });
    const unknown = await app.inject({ method: 'GET', url: '/console/api/nothing' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['content-type']).not.toMatch(/text\/html/);
  });

  it('says clearly when the console is not built', async () => {
    const app = await appWith(null);
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('The Lineup console is not built');
    expect(res.body).toContain('npm run build:console');
  });

  it('is registered by the hub next to its other routes', async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const hub = await startHub({ dataDir });
    hubs.push(hub);
    const home = await fetch(`${hub.url}/`);
    // Built (dist/console) or not, `/` is the console's, never a 404.
    expect([200, 503]).toContain(home.status);
    expect(home.headers.get('content-type')).toMatch(/text\/html/);
    const provision = await fetch(`${hub.url}/provision`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(provision.status).toBe(400);
  });
});
