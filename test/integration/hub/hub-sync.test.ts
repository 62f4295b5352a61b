import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { beforeAll, describe, expect, it } from 'vitest';
import { addDevice } from '../../support/processes.js';
import {
  ChangeSchema,
  CommandResultSchema,
  MAX_SYNC_PAYLOAD_BYTES,
  PullResponseSchema,
  StoreSnapshotSchema,
  type Change,
  type CommandResult,
  type DeviceCredential,
  type PullResponse,
} from '../../../shared/protocol/sync.js';
import {
  DEMO,
  ask,
  connect,
  connectDevice,
  credentialFor,
  envelope,
  provisionDevice,
  runCli,
  send,
} from './harness.js';
import { attempt as attemptSocket, useDemoHub } from './demo-hub.js';

const register = (name: string, serviceId = 'demo-new-phone') =>
  ({
    type: 'register',
    payload: { serviceId, lang: 'EN', contactMode: 'name', contact: { name } },
  }) as const;

function ok(result: CommandResult): Extract<CommandResult, { ok: true }> {
  CommandResultSchema.parse(result);
  if (!result.ok) throw new Error(`refused: ${result.refusal.code} ${result.refusal.message}`);
  return result;
}

/** Calls until the desk's queue is empty, so a test starts from a known queue. */
async function drain(desk: Socket): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    const r = await send(desk, { type: 'call_next', payload: {} });
    if (!r.ok) {
      expect(r.refusal.code).toBe('queue_empty');
      return;
    }
  }
}

describe('hub sync over socket.io', () => {
  const demo = useDemoHub();
  let kiosk: Socket;
  let desk1: Socket;
  let desk2: Socket;
  let kioskCred: DeviceCredential;

  beforeAll(async () => {
    const url = demo.hub.url;
    kioskCred = await credentialFor(url, DEMO.kiosk);
    kiosk = await connectDevice(url, kioskCred);
    desk1 = await connectDevice(url, await credentialFor(url, DEMO.desk1));
    desk2 = await connectDevice(url, await credentialFor(url, DEMO.desk2));
    demo.sockets.push(kiosk, desk1, desk2);
  });

  it('provisions a known device by MAC and hostname and tells an unknown one so', async () => {
    const known = await provisionDevice(demo.hub.url, '02-00-00-00-00-04', 'lineup-screen-1');
    expect(known.status).toBe('provisioned');
    if (known.status === 'provisioned') {
      expect(known.device.role).toBe('screen');
      expect(known.device.id).toBe('demo-screen');
    }
    const unknown = await provisionDevice(demo.hub.url, '02:00:00:00:99:99', 'nobody');
    expect(unknown.status).toBe('unknown');
    const res = await fetch(`${demo.hub.url}/provision`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"macs": "not a list"}',
    });
    expect(res.status).toBe(400);
  });

  it('refuses sockets without a valid credential, with the reason', async () => {
    const attempt = (auth: unknown) => attemptSocket(demo.hub.url, auth);
    expect(await attempt({ deviceId: 'no-such-device', token: 'x'.repeat(32) })).toBe(
      'unknown_device',
    );
    expect(await attempt({ deviceId: 'demo-kiosk', token: 'y'.repeat(32) })).toBe('bad_credential');
    expect(await attempt({ nothing: true })).toBe('bad_credential');
  });

  it('registers, calls and broadcasts each change once, in seq order, to the store room', async () => {
    const seen: Change[] = [];
    const listener = (c: unknown) => seen.push(ChangeSchema.parse(c));
    desk2.on('change', listener);
    const r = ok(await send(kiosk, register('Ada Lovelace')));
    expect(r.customer?.state).toBe('waiting');
    expect(r.customer?.ticket).toMatch(/^A\d+$/);
    const called = ok(await send(desk1, { type: 'call_next', payload: {} }));
    expect(called.customer?.id).toBe(r.customer?.id);
    expect(called.customer?.state).toBe('called');
    expect(called.customer?.deskId).toBe('demo-desk-1');
    await expect
      .poll(() => seen.filter((c) => c.entity.kind === 'customer').length)
      .toBeGreaterThanOrEqual(2);
    desk2.off('change', listener);
    const seqs = seen.map((c) => c.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(seen.map((c) => c.event)).toEqual(expect.arrayContaining(['registered', 'called']));
    // Desk 2 serves Support only: nobody for it.
    const empty = await send(desk2, { type: 'call_next', payload: {} });
    expect(empty).toMatchObject({ ok: false, refusal: { code: 'queue_empty' } });
  });

  it('applies a command id once and answers a retry with the same result', async () => {
    const id = randomUUID();
    const first = ok(await send(kiosk, register('Grace Hopper'), id));
    const again = ok(await send(kiosk, register('Grace Hopper'), id));
    expect(again).toEqual(first);
    const snapshot = StoreSnapshotSchema.parse(await ask(kiosk, 'snapshot'));
    expect(snapshot.customers.filter((c) => c.contact.name === 'Grace Hopper')).toHaveLength(1);
    // The same id from another device is a conflict, not a replay.
    const other = await send(desk1, register('Grace Hopper'), id);
    expect(other).toMatchObject({ ok: false, refusal: { code: 'conflict' } });
  });

  it('refuses what a device may not do, and malformed commands, changing nothing', async () => {
    const before = PullResponseSchema.parse(
      await ask(kiosk, 'pull', { since: { epoch: 'x', seq: 0 } }),
    );
    const headBefore = before.ok ? before.head : null;
    expect(await send(desk1, register('Not a kiosk'))).toMatchObject({
      ok: false,
      refusal: { code: 'not_allowed' },
    });
    expect(await send(kiosk, { type: 'call_next', payload: {} })).toMatchObject({
      ok: false,
      refusal: { code: 'not_allowed' },
    });
    expect(await send(kiosk, register('X', 'demo-sales'))).toMatchObject({
      ok: false,
      refusal: { code: 'not_allowed' },
    });
    expect(await send(kiosk, register('X', 'no-such-service'))).toMatchObject({
      ok: false,
      refusal: { code: 'not_found' },
    });
    const bad = await kiosk
      .timeout(5000)
      .emitWithAck('command', { id: 'not-a-uuid', type: 'register' });
    expect(bad).toMatchObject({ ok: false, refusal: { code: 'invalid' } });
    const after = PullResponseSchema.parse(
      await ask(kiosk, 'pull', { since: { epoch: 'x', seq: 0 } }),
    );
    expect(after.ok && after.head).toEqual(headBefore);
  });

  it('drops an oversized payload unread and keeps serving', async () => {
    const big = connect(demo.hub.url, kioskCred);
    await new Promise<void>((res) => big.once('connect', () => res()));
    const disconnected = new Promise<string>((res) =>
      big.once('disconnect', (reason) => res(reason)),
    );
    big.emit(
      'command',
      envelope(register('y'.repeat(MAX_SYNC_PAYLOAD_BYTES + 10))),
      () => undefined,
    );
    expect(await disconnected).toMatch(/transport close|transport error/);
    big.disconnect();
    ok(await send(kiosk, register('Still fine')));
  });

  it('pulls what a device missed since a position, and says reset for another epoch', async () => {
    const snap = StoreSnapshotSchema.parse(await ask(desk2, 'snapshot'));
    ok(await send(kiosk, register('Late one')));
    const pulled = (await ask(desk2, 'pull', { since: snap.position })) as PullResponse;
    expect(pulled.ok).toBe(true);
    if (!pulled.ok) return;
    expect(pulled.reset).toBe(false);
    expect(pulled.changes.map((c) => c.seq)).toEqual(
      Array.from(
        { length: pulled.head.seq - snap.position.seq },
        (_, i) => snap.position.seq + 1 + i,
      ),
    );
    const other = (await ask(desk2, 'pull', { since: { epoch: 'other', seq: 3 } })) as PullResponse;
    expect(other).toMatchObject({ ok: true, reset: true, changes: [] });
    const malformed = (await ask(desk2, 'pull', { since: 'yesterday' })) as PullResponse;
    expect(malformed).toMatchObject({ ok: false, refusal: { code: 'invalid' } });
  });

  it('walks a customer through its lifecycle and refuses illegal transitions', async () => {
    const r = ok(await send(kiosk, register('Life Cycle', 'demo-repair')));
    const id = r.customer?.id as string;
    expect(await send(desk2, { type: 'start_serving', payload: { customerId: id } })).toMatchObject(
      {
        ok: false,
        refusal: { code: 'illegal_transition' },
      },
    );
    expect(
      ok(await send(desk2, { type: 'call_customer', payload: { customerId: id } })).customer?.state,
    ).toBe('called');
    expect(
      ok(await send(desk2, { type: 'recall', payload: { customerId: id } })).customer?.recalls,
    ).toBe(1);
    expect(
      ok(await send(desk2, { type: 'start_serving', payload: { customerId: id } })).customer?.state,
    ).toBe('serving');
    const done = ok(await send(desk2, { type: 'finish', payload: { customerId: id } }));
    expect(done.customer?.state).toBe('done');
    expect(await send(desk2, { type: 'cancel', payload: { customerId: id } })).toMatchObject({
      ok: false,
      refusal: { code: 'illegal_transition' },
    });
  });

  it('transfers a customer to another service and desk 2 then calls them', async () => {
    const r = ok(await send(kiosk, register('Transferred', 'demo-accessories')));
    const id = r.customer?.id as string;
    const t = ok(
      await send(desk1, {
        type: 'transfer',
        payload: { customerId: id, toServiceId: 'demo-repair' },
      }),
    );
    expect(t.customer).toMatchObject({
      state: 'waiting',
      serviceId: 'demo-repair',
      ticket: r.customer?.ticket,
    });
    const called = ok(await send(desk2, { type: 'call_next', payload: {} }));
    expect(called.customer?.id).toBe(id);
  });

  it('closes a desk through the log and refuses calls until it reopens', async () => {
    await drain(desk1);
    const closed = ok(
      await send(desk1, { type: 'set_desk_status', payload: { status: 'pause', pauseMinutes: 5 } }),
    );
    expect(closed.customer).toBeNull();
    ok(await send(kiosk, register('Waits for reopen')));
    expect(await send(desk1, { type: 'call_next', payload: {} })).toMatchObject({
      ok: false,
      refusal: { code: 'desk_closed' },
    });
    const snap = StoreSnapshotSchema.parse(await ask(kiosk, 'snapshot'));
    expect(snap.devices.find((d) => d.id === 'demo-desk-1')?.status.pause).toBe(true);
    ok(await send(desk1, { type: 'set_desk_status', payload: { status: 'open' } }));
    expect(ok(await send(desk1, { type: 'call_next', payload: {} })).customer?.contact.name).toBe(
      'Waits for reopen',
    );
  });

  it('reserves a block, numbers plain registers past it, and accepts its tickets later in order', async () => {
    await drain(desk1);
    const reserved = ok(
      await send(kiosk, {
        type: 'reserve_block',
        payload: { serviceId: 'demo-accessories', size: 5 },
      }),
    );
    const block = reserved.block;
    expect(block).not.toBeNull();
    if (block === null) return;
    const online = ok(await send(kiosk, register('Online after block', 'demo-accessories')));
    expect(online.customer?.ticketNumber).toBe(block.last + 1);
    const offline = (n: number, name: string, issuedAt: string) => ({
      type: 'register_from_block' as const,
      payload: {
        serviceId: 'demo-accessories',
        lang: 'FR',
        contactMode: 'name' as const,
        contact: { name },
        customerId: `off${n}${randomUUID().slice(0, 8)}`,
        blockId: block.id,
        ticketNumber: n,
        issuedAt,
      },
    });
    const t0 = new Date(Date.now() - 60_000).toISOString();
    const t1 = new Date(Date.now() - 30_000).toISOString();
    const a = ok(await send(kiosk, offline(block.first, 'Offline one', t0)));
    const b = ok(await send(kiosk, offline(block.first + 1, 'Offline two', t1)));
    expect(a.customer?.ticket).toBe(`B${block.first}`);
    expect(b.customer?.ticket).toBe(`B${block.first + 1}`);
    expect(a.customer?.registeredAt).toBe(t0);
    // A number already used, or outside the block, is a conflict.
    expect(await send(kiosk, offline(block.first, 'Again', t1))).toMatchObject({
      ok: false,
      refusal: { code: 'conflict' },
    });
    expect(await send(kiosk, offline(block.last + 1, 'Outside', t1))).toMatchObject({
      ok: false,
      refusal: { code: 'conflict' },
    });
    // Issued before the online one: called before it.
    const first = ok(await send(desk1, { type: 'call_next', payload: {} }));
    expect(first.customer?.contact.name).toBe('Offline one');
    const second = ok(await send(desk1, { type: 'call_next', payload: {} }));
    expect(second.customer?.contact.name).toBe('Offline two');
  });

  it('sends config changes made with the CLI to connected devices, and drops removed ones', async () => {
    const seen: Change[] = [];
    desk1.on('change', (c: Change) => seen.push(c));
    const added = addDevice(demo.dir, {
      mac: '02:00:00:00:00:aa',
      hostname: 'lineup-desk-3',
      role: 'desk',
      name: 'Desk 3',
      services: 'demo-repair',
    });
    const out = JSON.parse(added) as { device: { id: string } };
    await expect
      .poll(
        () =>
          seen.some(
            (c) =>
              c.event === 'device_updated' &&
              c.entity.kind === 'device' &&
              c.entity.device.id === out.device.id,
          ),
        { timeout: 5000 },
      )
      .toBe(true);
    expect(seen.some((c) => c.event === 'service_updated')).toBe(true);
    const edited = runCli([
      'service',
      'update',
      '--data',
      demo.dir,
      '--id',
      'demo-repair',
      '--set',
      '{"serviceMinutes":12}',
    ]);
    expect(edited.status).toBe(0);
    await expect
      .poll(
        () =>
          seen.some(
            (c) =>
              c.entity.kind === 'service' &&
              c.entity.service.id === 'demo-repair' &&
              c.entity.service.serviceMinutes === 12,
          ),
        { timeout: 5000 },
      )
      .toBe(true);
    // The new desk claims its credential itself, once.
    const credential = await credentialFor(demo.hub.url, {
      mac: '02:00:00:00:00:aa',
      hostname: 'lineup-desk-3',
    });
    const desk3 = await connectDevice(demo.hub.url, credential);
    demo.sockets.push(desk3);
    const gone = new Promise<void>((res) => desk3.once('disconnect', () => res()));
    expect(runCli(['device', 'remove', '--data', demo.dir, '--id', out.device.id]).status).toBe(0);
    await gone;
    const again = connect(demo.hub.url, credential);
    const reason = await new Promise<string>((res) =>
      again.once('connect_error', (e) => res(e.message)),
    );
    again.disconnect();
    expect(reason).toBe('revoked');
  });
});
