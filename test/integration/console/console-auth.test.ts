// The console's doors over real HTTP on a real hub process: sign in and out, the cookie's flags,
// the lock-out after repeated failures, a forged (no CSRF token) request refused, a password
// change ending every session, and a store manager of one store refused every route of another.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONSOLE_ROUTES,
  consolePath,
  type ConsoleRouteName,
} from '../../../shared/protocol/console.js';
import { seedDemo } from '../../support/processes.js';
import { createStaff } from '../../support/staff.js';
import { removeDir, startHubProcess, tempDataDir, type HubProcess } from '../hub/harness.js';
import { ConsoleClient, otherStore, seedInto } from './console-client.js';

const PASSWORD = 'correct horse battery';

describe('the hub console: sessions, CSRF, lock-out, per-store isolation', () => {
  let dir: string;
  let hub: HubProcess;

  beforeAll(async () => {
    dir = tempDataDir();
    seedDemo(dir);
    await seedInto(dir, otherStore);
    createStaff(dir, {
      email: 'admin@example.com',
      name: 'Ada',
      role: 'admin',
      password: PASSWORD,
    });
    createStaff(dir, {
      email: 'manager@example.com',
      name: 'Max',
      role: 'store_manager',
      stores: 'demo-store',
      password: PASSWORD,
    });
    createStaff(dir, {
      email: 'locked@example.com',
      name: 'Lou',
      role: 'technician',
      stores: 'demo-store',
      password: PASSWORD,
    });
    createStaff(dir, {
      email: 'changer@example.com',
      name: 'Cy',
      role: 'store_manager',
      stores: 'demo-store',
      password: PASSWORD,
    });
    hub = await startHubProcess(dir);
  });
  afterAll(async () => {
    expect(await hub.stop()).toBe(0);
    removeDir(dir);
  });

  it('signs in with an HTTP-only SameSite=Strict cookie, says who is signed in, signs out', async () => {
    const anonymous = new ConsoleClient(hub.url);
    expect((await anonymous.get('/console/api/session')).status).toBe(401);

    const admin = new ConsoleClient(hub.url);
    const signed = await admin.signIn('Admin@Example.com', PASSWORD);
    expect(signed.status).toBe(200);
    expect(admin.setCookie).toMatch(/HttpOnly/i);
    expect(admin.setCookie).toMatch(/SameSite=Strict/i);
    expect(admin.setCookie).not.toMatch(/Secure/i);
    const me = await admin.get<{ user: { role: string; stores: { id: string }[] } }>(
      '/console/api/session',
    );
    expect(me.status).toBe(200);
    expect(me.body.user.role).toBe('admin');
    expect(me.body.user.stores.map((s) => s.id).sort()).toEqual(['demo-store', 'other-store']);

    const cookie = admin.cookie;
    expect((await admin.request('DELETE', '/console/api/session')).status).toBe(200);
    // The old cookie, replayed, is dead: the session was revoked on the hub, not just forgotten.
    admin.cookie = cookie;
    expect((await admin.get('/console/api/session')).status).toBe(401);
  });

  it('answers JSON 404 for unknown console API paths, and leaves other routes alone', async () => {
    const unknown = await new ConsoleClient(hub.url).get('/console/api/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: 'not_found' });
    expect((await fetch(`${hub.url}/health`)).status).toBe(200);
  });

  it('marks the cookie Secure behind a proxy that says the client used https', async () => {
    const res = await fetch(`${hub.url}/console/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
      body: JSON.stringify({ email: 'admin@example.com', password: PASSWORD }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toMatch(/; Secure/i);
  });

  it('refuses a wrong password, then locks the account and says until when', async () => {
    const client = new ConsoleClient(hub.url);
    const wrong = await client.signIn('locked@example.com', 'not the password');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ error: 'bad_credentials' });
    expect((await client.signIn('nobody@example.com', 'whatever1')).body).toMatchObject({
      error: 'bad_credentials',
      message: 'Wrong email or password.',
    });
    for (let i = 0; i < 3; i++) await client.signIn('locked@example.com', 'not the password');
    const fifth = await client.signIn('locked@example.com', 'not the password');
    expect(fifth.status).toBe(423);
    const body = fifth.body as { error: string; lockedUntil: string; message: string };
    expect(body.error).toBe('locked');
    expect(Date.parse(body.lockedUntil)).toBeGreaterThan(Date.now());
    expect(body.message).toContain(body.lockedUntil);
    // Even the right password is refused while locked.
    const right = await client.signIn('locked@example.com', PASSWORD);
    expect(right.status).toBe(423);
    expect(client.cookie).toBeNull();
  });

  it('refuses a state-changing request without the CSRF token (a forged cross-site request)', async () => {
    const admin = new ConsoleClient(hub.url);
    await admin.signIn('admin@example.com', PASSWORD);
    const path = consolePath('updateStore', { storeId: 'demo-store' });
    const forged = await admin.request('PATCH', path, { name: 'Hacked' }, { csrf: null });
    expect(forged.status).toBe(403);
    expect(forged.body).toMatchObject({ error: 'csrf' });
    const wrong = await admin.request('PATCH', path, { name: 'Hacked' }, { csrf: 'x'.repeat(43) });
    expect(wrong.status).toBe(403);
    const setup = await admin.get<{ store: { name: string } }>(
      consolePath('setup', { storeId: 'demo-store' }),
    );
    expect(setup.body.store.name).toBe('Lineup Demo Store');
    // A cross-site form cannot send JSON; a text/plain body is refused before any route runs.
    const form = await fetch(`${hub.url}${path}`, {
      method: 'PATCH',
      headers: { 'content-type': 'text/plain', cookie: `lineup_console=${admin.cookie ?? ''}` },
      body: '{"name":"Hacked"}',
    });
    expect(form.status).toBe(415);
  });

  it('ends every session of an account whose password changes', async () => {
    const first = new ConsoleClient(hub.url);
    const second = new ConsoleClient(hub.url);
    await first.signIn('changer@example.com', PASSWORD);
    await second.signIn('changer@example.com', PASSWORD);
    const changed = await first.request('POST', consolePath('changePassword'), {
      currentPassword: PASSWORD,
      newPassword: 'a brand new password',
    });
    expect(changed.status).toBe(200);
    expect((await second.get('/console/api/session')).status).toBe(401);
    const again = new ConsoleClient(hub.url);
    expect((await again.signIn('changer@example.com', 'a brand new password')).status).toBe(200);
  });

  it("refuses a manager of one store every route of another store's data", async () => {
    const manager = new ConsoleClient(hub.url);
    await manager.signIn('manager@example.com', PASSWORD);
    const stores = await manager.get<{ stores: { id: string }[] }>(consolePath('stores'));
    expect(stores.body.stores.map((s) => s.id)).toEqual(['demo-store']);

    const params: Record<string, string> = {
      storeId: 'other-store',
      deviceId: 'other-desk',
      deskId: 'other-desk',
      serviceId: 'other-service',
      key: 'somekey1',
    };
    const bodies: Partial<Record<ConsoleRouteName, unknown>> = {
      updateStore: { name: 'Mine now' },
      createService: { name: { EN: 'Sneaky' } },
      updateService: { serviceMinutes: 1 },
      setDeskServices: { serviceIds: [] },
      createApiKey: { name: 'steal' },
      updateApiKey: { locked: true },
      queueAction: { action: 'call', deskId: 'other-desk' },
      updateDevice: { name: 'x' },
    };
    const storeRoutes = (Object.keys(CONSOLE_ROUTES) as ConsoleRouteName[]).filter((name) =>
      CONSOLE_ROUTES[name].path.includes(':storeId'),
    );
    expect(storeRoutes.length).toBeGreaterThanOrEqual(15);
    for (const name of storeRoutes) {
      const { method, path } = CONSOLE_ROUTES[name];
      const query = path.includes('/stats') ? '?from=2026-01-01&to=2026-01-31' : '';
      const answer = await manager.request(
        method,
        consolePath(name, params) + query,
        method === 'GET' || method === 'DELETE' ? undefined : (bodies[name] ?? {}),
      );
      expect({ name, status: answer.status }).toEqual({ name, status: 404 });
      expect(answer.text).not.toContain('Other desk');
    }
    // Provisioning into another store is refused the same way.
    const provision = await manager.request(
      'POST',
      consolePath('provisionWaiting', { waitingId: 'whatever' }),
      { storeId: 'other-store', role: 'desk' },
    );
    expect([403, 404]).toContain(provision.status);
    // Its own store works.
    expect((await manager.get(consolePath('queue', { storeId: 'demo-store' }))).status).toBe(200);
    // A manager is not a technician: no device management even in their store.
    const reset = await manager.request(
      'POST',
      consolePath('resetDevice', { storeId: 'demo-store', deviceId: 'demo-desk-1' }),
    );
    expect(reset.status).toBe(403);
  });
});
