// The agent API against the real `lineup-hub serve`, through a client written from the seed
// alone: every route and every error body, staff signed in at a desk, the desk opened and closed
// through the engine, tickets ASSIGNED / ESCALATED / CLOSED, tokens revoked and expired.
import { SignJWT, decodeJwt } from 'jose';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO,
  connectDevice,
  credentialFor,
  runCli,
  send,
  startHubProcess,
  tempDataDir,
  removeDir,
  type HubProcess,
} from '../hub/harness.js';
import { execHubSql, openTestHubRepo } from '../../support/hub-engine.js';
import { seedDemo } from '../../support/processes.js';
import { MAX_FAILED_SIGN_INS } from '../../../cloud/staff/sign-in.js';
import { CONSOLE_ROUTES } from '../../../shared/protocol/console.js';
import { createStaff, hubCliWithInput } from '../../support/staff.js';
import {
  SEED_ERRORS,
  getTickets,
  login,
  logout,
  putOffline,
  putOnline,
  type Ticket,
} from './agent-api-client.js';

const PASSWORD = 'correct horse battery';
let hub: HubProcess;
let data: string;
let kiosk: Socket;
let desk1: Socket;
let ann: string;
let bob: string;

/** Signs in at a desk (null: a staff token bound to no desk). */
async function signIn(email: string, deskId: string | null = 'demo-desk-1') {
  const r = await login(hub.url, {
    email,
    password: PASSWORD,
    ...(deskId === null ? {} : { deskId }),
  });
  if (r.status !== 200 || !('token' in r.body)) throw new Error(`login ${r.status}`);
  return r.body;
}

async function register(name: string, serviceId = 'demo-new-phone'): Promise<string> {
  const r = await send(kiosk, {
    type: 'register',
    payload: { serviceId, lang: 'EN', contactMode: 'name', contact: { name } },
  });
  if (!r.ok || r.customer === null) throw new Error(`register: ${JSON.stringify(r)}`);
  return r.customer.id;
}

const ticketsOf = async (agent: string, token: string): Promise<Ticket[]> => {
  const r = await getTickets(hub.url, agent, token);
  expect(r.status).toBe(200);
  return r.body as Ticket[];
};

beforeAll(async () => {
  data = tempDataDir();
  seedDemo(data);
  ann = createStaff(data, {
    email: 'ann@store.example',
    name: 'Ann Lee',
    role: 'agent',
    stores: 'demo-store',
    password: PASSWORD,
  });
  bob = createStaff(data, {
    email: 'bob@store.example',
    name: 'Bob',
    role: 'agent',
    stores: 'demo-store',
    password: PASSWORD,
  });
  createStaff(data, {
    email: 'tech@store.example',
    name: 'Tech',
    role: 'technician',
    stores: 'demo-store',
    password: PASSWORD,
  });
  createStaff(data, {
    email: 'carol@store.example',
    name: 'Carol',
    role: 'agent',
    stores: 'demo-store',
    password: PASSWORD,
  });
  createStaff(data, {
    email: 'elsewhere@store.example',
    name: 'Eve',
    role: 'agent',
    password: PASSWORD,
  });
  hub = await startHubProcess(data);
  kiosk = await connectDevice(hub.url, await credentialFor(hub.url, DEMO.kiosk));
  desk1 = await connectDevice(hub.url, await credentialFor(hub.url, DEMO.desk1));
}, 60_000);

afterAll(async () => {
  kiosk.close();
  desk1.close();
  await hub.stop();
  removeDir(data);
});

describe('signing in at a desk (POST /v1/login)', () => {
  it('answers the seed error bodies for a bad body, bad credentials, a desk that is not one, a role that may not', async () => {
    expect(await login(hub.url, { email: 'ann@store.example' })).toEqual({
      status: 400,
      body: SEED_ERRORS[400],
    });
    expect(
      await login(hub.url, {
        email: 'ann@store.example',
        password: 'wrong password',
        deskId: 'demo-desk-1',
      }),
    ).toEqual({ status: 401, body: SEED_ERRORS[401] });
    expect(
      await login(hub.url, {
        email: 'nobody@x.example',
        password: PASSWORD,
        deskId: 'demo-desk-1',
      }),
    ).toEqual({ status: 401, body: SEED_ERRORS[401] });
    for (const deskId of ['no-such-desk', 'demo-kiosk']) {
      expect(
        await login(hub.url, { email: 'ann@store.example', password: PASSWORD, deskId }),
      ).toEqual({ status: 404, body: SEED_ERRORS[404] });
    }
    for (const email of ['tech@store.example', 'elsewhere@store.example']) {
      expect(await login(hub.url, { email, password: PASSWORD, deskId: 'demo-desk-1' })).toEqual({
        status: 403,
        body: SEED_ERRORS[403],
      });
    }
  });

  it('locks an account after 5 wrong passwords, at this door and the console alike', async () => {
    const attempt = (password: string) =>
      login(hub.url, { email: 'carol@store.example', password, deskId: 'demo-desk-1' });
    for (let i = 1; i < MAX_FAILED_SIGN_INS; i++) {
      expect(await attempt('wrong password')).toEqual({ status: 401, body: SEED_ERRORS[401] });
    }
    const locked = await attempt('wrong password');
    expect(locked.status).toBe(423);
    expect(locked.body).toMatchObject({ errorCode: 423 });
    expect('errorMessage' in locked.body && locked.body.errorMessage).toMatch(
      /^locked until \d{4}-\d\d-\d\dT/,
    );
    // Even the right password, and through the console's door: one lock per account.
    expect((await attempt(PASSWORD)).status).toBe(423);
    const consoleSignIn = await fetch(new URL(CONSOLE_ROUTES.signIn.path, hub.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'carol@store.example', password: PASSWORD }),
    });
    expect(consoleSignIn.status).toBe(423);
  });

  it('gives a bearer token and the agent info with the real login time', async () => {
    const before = Math.floor(Date.now() / 1000);
    const session = await signIn('ann@store.example');
    expect(session.deskId).toBe('demo-desk-1');
    expect(session.agent).toMatchObject({ id: ann, name: 'Ann Lee' });
    expect(session.agent.lastLoginTime).toBeGreaterThanOrEqual(before);
    expect(session.expiresAt).toBeGreaterThan(before);
  });
});

describe('the agent routes', () => {
  it('refuse a missing, malformed, foreign, revoked or expired token with the seed bodies', async () => {
    const { token } = await signIn('ann@store.example');
    for (const r of [
      await getTickets(hub.url, ann, null),
      await getTickets(hub.url, ann, 'not-a-jwt'),
      await putOnline(hub.url, ann, null),
      await putOffline(hub.url, ann, `${token}x`),
    ]) {
      expect(r).toEqual({ status: 401, body: SEED_ERRORS[401] });
    }
    // Ann's token acting as Bob.
    for (const r of [
      await getTickets(hub.url, bob, token),
      await putOnline(hub.url, bob, token),
      await putOffline(hub.url, bob, token),
    ]) {
      expect(r).toEqual({ status: 403, body: SEED_ERRORS[403] });
    }
    // A staff token not bound to a desk is no agent's.
    const plain = await signIn('ann@store.example', null);
    expect(await getTickets(hub.url, ann, plain.token)).toEqual({
      status: 403,
      body: SEED_ERRORS[403],
    });
    // An agentID that cannot be one.
    for (const r of [
      await getTickets(hub.url, 'not an id!', token),
      await putOnline(hub.url, 'x'.repeat(65), token),
      await putOffline(hub.url, 'a.b', token),
    ]) {
      expect(r).toEqual({ status: 400, body: SEED_ERRORS[400] });
    }

    // A well-signed token past its expiry, with the hub's own key (read from its database: the
    // hub made it at the first sign-in, so the spare key is never stored) and the id of a live one.
    const repo = await openTestHubRepo(data);
    const secret = await repo
      .hubSecret('staff-jwt-hs256', () => randomBytes(32).toString('base64'))
      .finally(() => repo.close());
    const key = new Uint8Array(Buffer.from(secret, 'base64'));
    const jti = decodeJwt(token).jti ?? '';
    const expired = await new SignJWT({ desk: 'demo-desk-1' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('lineup-hub')
      .setAudience('lineup-staff')
      .setSubject(ann)
      .setJti(jti)
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(key);
    expect(await getTickets(hub.url, ann, expired)).toEqual({
      status: 401,
      body: SEED_ERRORS[401],
    });
    const forged = await new SignJWT({ desk: 'demo-desk-1' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('lineup-hub')
      .setAudience('lineup-staff')
      .setSubject(ann)
      .setJti(jti)
      .setExpirationTime('1h')
      .sign(new Uint8Array(32));
    expect(await getTickets(hub.url, ann, forged)).toEqual({ status: 401, body: SEED_ERRORS[401] });

    // Signed out: the token is revoked.
    const again = await signIn('ann@store.example');
    expect((await getTickets(hub.url, ann, again.token)).status).toBe(200);
    expect(await logout(hub.url, again.token)).toBe(204);
    expect(await getTickets(hub.url, ann, again.token)).toEqual({
      status: 401,
      body: SEED_ERRORS[401],
    });
  });

  it('online opens the desk, offline closes it without dropping the customer being served', async () => {
    const { token } = await signIn('ann@store.example');
    const online = await putOnline(hub.url, ann, token);
    expect(online.status).toBe(200);
    expect(online.body).toMatchObject({
      id: ann,
      name: 'Ann Lee',
      agentTimeInStatus: expect.any(Number),
    });

    const hugo = await register('Hugo Dan');
    const called = await send(desk1, { type: 'call_next' });
    expect(called.ok && called.customer?.id).toBe(hugo);
    let tickets = await ticketsOf(ann, token);
    expect(tickets).toEqual([
      expect.objectContaining({
        id: hugo,
        ticketStatus: 'ASSIGNED',
        queue: 'New phone',
        priority: 1,
        customer: { id: hugo, firstName: 'Hugo', lastName: 'Dan' },
        assignedTime: expect.any(Number),
        createdAt: expect.any(Number),
      }),
    ]);

    const offline = await putOffline(hub.url, ann, token);
    expect(offline.status).toBe(200);
    const info = offline.body as { updatedAt: number; agentTimeInStatus: number };
    expect(info.agentTimeInStatus).toBe(0);
    // Offline stops new calls; Hugo stays with the desk, still Ann's, until the desk is done.
    await register('Next Person');
    const refused = await send(desk1, { type: 'call_next' });
    expect(refused.ok ? null : refused.refusal.code).toBe('desk_closed');
    tickets = await ticketsOf(ann, token);
    expect(tickets.find((t) => t.id === hugo)?.ticketStatus).toBe('ASSIGNED');
    const done = await send(desk1, { type: 'finish', payload: { customerId: hugo } });
    expect(done.ok).toBe(true);
    tickets = await ticketsOf(ann, token);
    expect(tickets.find((t) => t.id === hugo)?.ticketStatus).toBe('CLOSED');
    // Offline again keeps the time the status began.
    const still = await putOffline(hub.url, ann, token);
    expect((still.body as { updatedAt: number }).updatedAt).toBe(info.updatedAt);
  });

  it('a customer transferred away is ESCALATED; one waiting for the desk is ASSIGNED in queue order', async () => {
    const { token } = await signIn('ann@store.example');
    expect((await putOnline(hub.url, ann, token)).status).toBe(200);
    const next = await send(desk1, { type: 'call_next' });
    if (!next.ok || next.customer === null) throw new Error('nobody called');
    const moved = next.customer.id;
    expect(
      (
        await send(desk1, {
          type: 'transfer',
          payload: { customerId: moved, toServiceId: 'demo-repair' },
        })
      ).ok,
    ).toBe(true);
    const vip = await register('Vip Person', 'demo-priority');
    const sent = await register('Sent Here');
    const call = await send(desk1, { type: 'call_customer', payload: { customerId: sent } });
    expect(call.ok).toBe(true);
    expect(
      (
        await send(desk1, {
          type: 'transfer',
          payload: { customerId: sent, toDeskId: 'demo-desk-1' },
        })
      ).ok,
    ).toBe(true);
    const tickets = await ticketsOf(ann, token);
    expect(tickets.find((t) => t.id === moved)?.ticketStatus).toBe('ESCALATED');
    expect(tickets.find((t) => t.id === sent)?.ticketStatus).toBe('ASSIGNED');
    expect(tickets.find((t) => t.id === vip)).toBeUndefined();
    expect(tickets.map((t) => t.priority)).toEqual(tickets.map((_, i) => i + 1));
  });

  it('another agent at the desk, a new password or a removed account ends the old tokens', async () => {
    const first = await signIn('ann@store.example');
    const bobs = await signIn('bob@store.example');
    expect(await getTickets(hub.url, ann, first.token)).toEqual({
      status: 401,
      body: SEED_ERRORS[401],
    });
    expect((await getTickets(hub.url, bob, bobs.token)).status).toBe(200);

    const changed = hubCliWithInput(
      ['user', 'passwd', '--data', data, '--email', 'bob@store.example'],
      `${PASSWORD}\n`,
    );
    expect(changed.status).toBe(0);
    expect(await getTickets(hub.url, bob, bobs.token)).toEqual({
      status: 401,
      body: SEED_ERRORS[401],
    });

    // The desk itself removed: the agent's desk is not found.
    const atDesk2 = await signIn('bob@store.example', 'demo-desk-2');
    expect(runCli(['device', 'remove', '--data', data, '--id', 'demo-desk-2']).status).toBe(0);
    for (const r of [
      await getTickets(hub.url, bob, atDesk2.token),
      await putOnline(hub.url, bob, atDesk2.token),
      await putOffline(hub.url, bob, atDesk2.token),
    ]) {
      expect(r).toEqual({ status: 404, body: SEED_ERRORS[404] });
    }

    expect(runCli(['user', 'remove', '--data', data, '--email', 'bob@store.example']).status).toBe(
      0,
    );
    expect(await getTickets(hub.url, bob, atDesk2.token)).toEqual({
      status: 401,
      body: SEED_ERRORS[401],
    });
  });

  it('answers 500 with the seed body when its storage fails', async () => {
    const { token } = await signIn('ann@store.example');
    await execHubSql(data, 'ALTER TABLE staff RENAME TO staff_away');
    try {
      for (const r of [
        await getTickets(hub.url, ann, token),
        await putOnline(hub.url, ann, token),
        await putOffline(hub.url, ann, token),
      ]) {
        expect(r).toEqual({ status: 500, body: SEED_ERRORS[500] });
      }
    } finally {
      await execHubSql(data, 'ALTER TABLE staff_away RENAME TO staff');
    }
    expect((await getTickets(hub.url, ann, token)).status).toBe(200);
  });
});

describe('lineup-hub user', () => {
  it('lists staff without their password hashes; bad arguments give one line and exit 2', () => {
    const list = runCli(['user', 'list', '--data', data]);
    expect(list.status).toBe(0);
    const staff = JSON.parse(list.stdout) as { email: string; password?: unknown }[];
    expect(staff.map((s) => s.email)).toContain('ann@store.example');
    expect(staff.every((s) => s.password === undefined)).toBe(true);
    const userCreate = (email: string, role: string, ...more: string[]) => [
      'user',
      'create',
      '--data',
      data,
      '--email',
      email,
      '--name',
      'X',
      '--role',
      role,
      ...more,
    ];
    for (const [args, input] of [
      [userCreate('x@y.example', 'boss'), 'longpassword\n'],
      [userCreate('x@y.example', 'agent'), 'short\n'],
      [userCreate('ann@store.example', 'agent'), 'longpassword\n'],
      [userCreate('x@y.example', 'agent', '--stores', 'nope'), 'longpassword\n'],
      [['user', 'frobnicate', '--data', data], ''],
      [['user', 'passwd', '--data', data], ''],
    ] as const) {
      const r = hubCliWithInput([...args], input);
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
