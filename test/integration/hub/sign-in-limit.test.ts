// Failed password checks are counted per client address across every door that checks one (the
// console, the agent API's /v1/login, Bloom's customer/login): past the limit each door answers
// 429 in its own error shape with Retry-After, even to the right password, and checks nothing.
// Right passwords are not counted. Against a real hub process behind a "load balancer" (this
// test, trusted with --trust-proxy), so the clients' addresses are the X-Forwarded-For it sends:
// another client behind the same balancer is not locked out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILED_SIGN_INS_PER_ADDRESS } from '../../../cloud/auth/sign-in-limit.js';
import { createStaff } from '../../../cloud/staff/staff.js';
import { openTestHubRepo } from '../../support/hub-engine.js';
import { seedDemo } from '../../support/processes.js';
import { removeDir, startHubProcess, tempDataDir, type HubProcess } from './harness.js';

const STAFF = { email: 'manager@store.test', password: 'a long enough password' };
const CUSTOMER = { username: 'sam', password: 'sams-own-password-42' };

describe('failed sign-ins per address', () => {
  let dir: string;
  let hub: HubProcess;

  /** The client's address, as the load balancer says it. */
  let from = '203.0.113.7';
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${hub.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      body: (await res.json()) as Record<string, unknown>,
    };
  };
  /** Each door, with an email/username and password. */
  const doors = {
    console: (who: string, password: string) =>
      post('/console/api/session', { email: who, password }),
    agent: (who: string, password: string) => post('/v1/login', { email: who, password }),
    bloom: (who: string, password: string) =>
      post('/vt/api/json/customer/login', { username: who, password }),
  };
  const rightly = {
    console: () => doors.console(STAFF.email, STAFF.password),
    agent: () => doors.agent(STAFF.email, STAFF.password),
    bloom: () => doors.bloom(CUSTOMER.username, CUSTOMER.password),
  };

  beforeAll(async () => {
    dir = tempDataDir();
    seedDemo(dir);
    const repo = await openTestHubRepo(dir);
    try {
      await createStaff(
        repo,
        { ...STAFF, name: 'Manager', role: 'store_manager', stores: ['demo-store'] },
        new Date(),
      );
    } finally {
      await repo.close();
    }
    hub = await startHubProcess(dir, ['--trust-proxy', '127.0.0.1']);
    const registered = await post('/vt/api/json/customer/register', {
      ...CUSTOMER,
      email: 'sam@example.test',
      phone: '91626592',
      first_name: 'Sam',
      last_name: 'Berg',
      oauth_provider: null,
      oauth_token: null,
    });
    expect(registered.status).toBe(200);
  });

  afterAll(async () => {
    await hub.stop();
    removeDir(dir);
  });

  it('answers 429 at every door once the address failed too often, and counts only failures', async () => {
    const names = ['console', 'agent', 'bloom'] as const;
    // Unknown accounts: no account's own lock-out gets in the way.
    for (let i = 0; i < FAILED_SIGN_INS_PER_ADDRESS - 1; i++) {
      const door = names[i % names.length]!;
      expect((await doors[door](`nobody-${i}@example.test`, 'wrong password')).status).toBe(401);
    }
    // One failure left: right passwords still sign in, and are not counted.
    for (const door of names) expect((await rightly[door]()).status).toBe(200);
    for (const door of names) expect((await rightly[door]()).status).toBe(200);
    expect((await doors.bloom('nobody', 'wrong password')).status).toBe(401);

    const console429 = await rightly.console();
    expect(console429).toMatchObject({
      status: 429,
      body: { error: 'too_many_attempts', message: expect.stringMatching(/Too many failed/) },
    });
    const agent429 = await rightly.agent();
    expect(agent429).toMatchObject({
      status: 429,
      body: { errorCode: 429, errorMessage: expect.stringMatching(/try again in 15 minutes/) },
    });
    const bloom429 = await rightly.bloom();
    expect(bloom429).toMatchObject({
      status: 429,
      body: { success: false, error: expect.stringMatching(/Too many failed/) },
    });
    for (const answer of [console429, agent429, bloom429]) {
      const seconds = Number(answer.retryAfter);
      expect(seconds).toBeGreaterThan(0);
      expect(seconds).toBeLessThanOrEqual(15 * 60);
    }
    expect(console429.body.retryAfterSeconds).toBe(Number(console429.retryAfter));

    // Another client behind the same balancer signs in at every door.
    from = '198.51.100.20';
    for (const door of names) expect((await rightly[door]()).status).toBe(200);
  });
});
