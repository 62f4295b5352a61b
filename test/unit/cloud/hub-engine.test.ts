// The hub engine in-process on a real SQLite file: numbering, idempotency, appointments, desk
// rules, and the property that the tables are exactly the fold of the log.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { openHubRepo, type SqliteHubRepo } from '../../../cloud/db/sqlite-hub-repo.js';
import { addDevice, seedStore } from '../../../cloud/engine/admin.js';
import { HubEngine, type Actor } from '../../../cloud/engine/hub-engine.js';
import { demoStore } from '../../../shared/demo/demo-store.js';
import type { Customer, Device } from '../../../shared/domain/entities.js';
import {
  CommandEnvelopeSchema,
  type CommandResult,
  type CommandSchema,
} from '../../../shared/protocol/sync.js';

const dirs: string[] = [];
const dbs: SqliteHubRepo[] = [];
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.close();
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

async function setup(now: { t: Date }, data = demoStore) {
  const dir = mkdtempSync(join(tmpdir(), 'lineup-engine-'));
  dirs.push(dir);
  const db = openHubRepo(dir);
  dbs.push(db);
  const engine = new HubEngine(db, () => now.t);
  await seedStore(engine, data);
  return { dir, db, engine };
}

const as = (d: Device): Actor => ({ deviceId: d.id, origin: d.id });
const kiosk = demoStore.devices.find((d) => d.id === 'demo-kiosk')!;
const desk1 = demoStore.devices.find((d) => d.id === 'demo-desk-1')!;
const desk2 = demoStore.devices.find((d) => d.id === 'demo-desk-2')!;

function run(
  engine: HubEngine,
  who: Device,
  command: z.input<typeof CommandSchema>,
  id = randomUUID(),
): Promise<CommandResult> {
  return engine.applyCommand(
    as(who),
    CommandEnvelopeSchema.parse({ id, issuedAt: new Date().toISOString(), ...command }),
  );
}
const reg = (name: string, serviceId = 'demo-new-phone', extra: Record<string, unknown> = {}) =>
  ({
    type: 'register',
    payload: { serviceId, lang: 'EN', contactMode: 'name', contact: { name }, ...extra },
  }) as const;
const customerOf = (r: CommandResult): Customer => {
  if (!r.ok || r.customer === null) throw new Error(JSON.stringify(r));
  return r.customer;
};

describe('hub engine', async () => {
  it('numbers per prefix and store-local day, restarting at local midnight', async () => {
    const now = { t: new Date('2026-03-10T22:30:00Z') }; // 23:30 in Paris
    const { engine } = await setup(now);
    expect(customerOf(await run(engine, kiosk, reg('a'))).ticket).toBe('A1');
    expect(customerOf(await run(engine, kiosk, reg('b'))).ticket).toBe('A2');
    expect(customerOf(await run(engine, kiosk, reg('c', 'demo-accessories'))).ticket).toBe('B1');
    now.t = new Date('2026-03-10T23:30:00Z'); // 00:30 the next day in Paris
    const next = customerOf(await run(engine, kiosk, reg('d')));
    expect(next).toMatchObject({ ticket: 'A1', ticketDay: '2026-03-11' });
  });

  it('keeps command results across a restart: a retried id changes nothing', async () => {
    const now = { t: new Date() };
    const { dir, db, engine } = await setup(now);
    const id = randomUUID();
    const first = await run(engine, kiosk, reg('once'), id);
    const head = await engine.repo.head('demo-store');
    await db.close();
    dbs.splice(dbs.indexOf(db), 1);
    const reopened = openHubRepo(dir);
    dbs.push(reopened);
    const again = new HubEngine(reopened, () => now.t);
    expect(await run(again, kiosk, reg('once'), id)).toEqual(first);
    expect(await again.repo.head('demo-store')).toEqual(head);
  });

  it('books an appointment, checks it in by external id, and sorts it by time minus the lead', async () => {
    const now = { t: new Date('2026-03-10T09:00:00Z') };
    const { engine } = await setup(now);
    const at = '2026-03-10T09:30:00.000Z';
    const booked = customerOf(
      await run(
        engine,
        kiosk,
        reg('Meeting', 'demo-appointment', { appointment: { at, externalId: 'ext-42' } }),
      ),
    );
    expect(booked.state).toBe('booked');
    expect(await run(engine, desk2, { type: 'call_next', payload: {} })).toMatchObject({
      ok: false,
      refusal: { code: 'queue_empty' },
    });
    const checked = customerOf(
      await run(engine, kiosk, {
        type: 'check_in',
        payload: { kind: 'appointment', externalId: 'ext-42' },
      }),
    );
    expect(checked).toMatchObject({ state: 'waiting', sortAt: '2026-03-10T09:20:00.000Z' });
    expect(
      await run(engine, kiosk, {
        type: 'check_in',
        payload: { kind: 'appointment', externalId: 'ext-42' },
      }),
    ).toMatchObject({
      ok: false,
      refusal: { code: 'not_found' },
    });
    // Not callable before appointment time minus tbm (10 minutes).
    expect(await run(engine, desk2, { type: 'call_next', payload: {} })).toMatchObject({
      ok: false,
      refusal: { code: 'queue_empty' },
    });
    now.t = new Date('2026-03-10T09:21:00Z');
    expect(customerOf(await run(engine, desk2, { type: 'call_next', payload: {} })).id).toBe(
      booked.id,
    );
  });

  it('checks in by what the device classified: ticket QR, Ombori position, typed code', async () => {
    const now = { t: new Date('2026-03-10T09:00:00Z') };
    const { engine } = await setup(now);
    const book = async (externalId: string) =>
      customerOf(
        await run(
          engine,
          kiosk,
          reg(externalId, 'demo-appointment', {
            appointment: { at: '2026-03-10T10:00:00.000Z', externalId },
          }),
        ),
      );
    const checkIn = (payload: Record<string, unknown>) =>
      run(engine, kiosk, { type: 'check_in', payload } as z.input<typeof CommandSchema>);
    const a = await book('ext-a');
    // A Lineup ticket QR of another store names nobody here.
    expect(
      await checkIn({
        kind: 'lineup-ticket',
        version: 1,
        storeId: 'other-store',
        customerId: a.id,
        ticket: a.ticket,
      }),
    ).toMatchObject({ ok: false, refusal: { code: 'not_found' } });
    expect(
      customerOf(
        await checkIn({
          kind: 'lineup-ticket',
          version: 1,
          storeId: 'demo-store',
          customerId: a.id,
          ticket: a.ticket,
        }),
      ),
    ).toMatchObject({ id: a.id, state: 'waiting', checkedInAt: '2026-03-10T09:00:00.000Z' });
    const b = await book('ext-b');
    expect(customerOf(await checkIn({ kind: 'ombori-check-in', positionId: b.id })).id).toBe(b.id);
    // Typed on the kiosk: an appointment id, or the booked ticket in any case.
    const c = await book('ext-c');
    expect(customerOf(await checkIn({ kind: 'typed', code: 'ext-c' })).id).toBe(c.id);
    const d = await book('ext-d');
    expect(customerOf(await checkIn({ kind: 'typed', code: d.ticket.toLowerCase() })).id).toBe(
      d.id,
    );
    // Checked in already: nothing booked matches any more.
    expect(await checkIn({ kind: 'ombori-check-in', positionId: b.id })).toMatchObject({
      ok: false,
      refusal: { code: 'not_found' },
    });
    const changes = await engine.pull(
      'demo-store',
      { epoch: (await engine.repo.head('demo-store'))!.epoch, seq: 0 },
      5000,
    );
    if (!changes.ok) throw new Error('pull failed');
    expect(changes.changes.filter((c) => c.event === 'checked_in')).toHaveLength(4);
  });

  it('applies a batch in one commit, each command on its own: refusals and retries stay apart', async () => {
    const now = { t: new Date('2026-03-10T09:00:00Z') };
    const { engine } = await setup(now);
    const heard: string[] = [];
    engine.onChanges((changes) => heard.push(...changes.map((c) => c.event)));
    const envelope = (command: z.input<typeof CommandSchema>, id = randomUUID()) =>
      CommandEnvelopeSchema.parse({ id, issuedAt: new Date().toISOString(), ...command });
    const first = envelope(reg('first'));
    const results = await engine.applyCommands([
      { actor: as(kiosk), envelope: first },
      { actor: as(desk1), envelope: envelope(reg('a desk cannot register')) },
      { actor: as(desk1), envelope: envelope({ type: 'call_next', payload: {} }) },
      { actor: as(kiosk), envelope: first },
      { actor: as(desk1), envelope: envelope({ type: 'call_next', payload: {} }) },
    ]);
    expect(results.map((r) => (r.ok ? 'ok' : r.refusal.code))).toEqual([
      'ok',
      'not_allowed',
      'ok',
      'ok',
      'queue_empty',
    ]);
    // The retry inside the batch got the first answer; listeners hear each change once.
    expect(results[3]).toEqual(results[0]);
    expect(heard).toEqual(['registered', 'called']);
  });

  it('serves the prioritized service first, and a desk calling next is done with its current customer', async () => {
    const now = { t: new Date('2026-03-10T09:00:00Z') };
    const { engine } = await setup(now);
    const a = customerOf(await run(engine, kiosk, reg('first')));
    now.t = new Date('2026-03-10T09:01:00Z');
    const p = customerOf(await run(engine, kiosk, reg('prm', 'demo-priority')));
    expect(customerOf(await run(engine, desk1, { type: 'call_next', payload: {} })).id).toBe(p.id);
    now.t = new Date('2026-03-10T09:05:00Z');
    expect(customerOf(await run(engine, desk1, { type: 'call_next', payload: {} })).id).toBe(a.id);
    expect(await engine.repo.customer(p.id)).toMatchObject({
      state: 'done',
      finishedAt: '2026-03-10T09:05:00.000Z',
    });
  });

  it('never calls a held ticket until its machine hands it out; it still counts in people before', async () => {
    const now = { t: new Date('2026-03-10T09:00:00Z') };
    const { engine } = await setup(now);
    const held = customerOf(
      await run(engine, kiosk, reg('held', 'demo-new-phone', { held: true })),
    );
    expect(held.held).toBe(true);
    const callNext = () => run(engine, desk1, { type: 'call_next', payload: {} });
    expect(await callNext()).toMatchObject({ ok: false, refusal: { code: 'queue_empty' } });
    expect(
      await run(engine, desk1, { type: 'call_customer', payload: { customerId: held.id } }),
    ).toMatchObject({
      ok: false,
      refusal: { code: 'illegal_transition', message: expect.stringMatching(/not reached/) },
    });
    // Decided: a held ticket keeps its place (it is almost always handed out a second later).
    now.t = new Date('2026-03-10T09:01:00Z');
    const later = customerOf(await run(engine, kiosk, reg('later')));
    expect(later).toMatchObject({ held: false, peopleBefore: 1 });
    expect(customerOf(await callNext()).id).toBe(later.id);

    const handOut = (who: Device) =>
      run(engine, who, { type: 'hand_out', payload: { customerId: held.id } });
    expect(await handOut(desk2)).toMatchObject({ ok: false, refusal: { code: 'not_allowed' } });
    const before = (await engine.repo.head(held.storeId))!;
    expect(customerOf(await handOut(kiosk))).toMatchObject({ id: held.id, held: false });
    const events = await engine.repo.changesSince(held.storeId, before.epoch, before.seq, 10);
    expect(events.map((c) => c.event)).toEqual(['handed_out']);
    // Said again (a resend with a new id): nothing changes.
    expect(customerOf(await handOut(kiosk)).held).toBe(false);
    expect((await engine.repo.head(held.storeId))?.seq).toBe(before.seq + 1);
    expect(customerOf(await callNext()).id).toBe(held.id);
  });

  it('cancels a held ticket its machine withdraws; a late hand-out is refused', async () => {
    const now = { t: new Date('2026-03-10T09:00:00Z') };
    const { engine } = await setup(now);
    const held = customerOf(
      await run(engine, kiosk, reg('phantom', 'demo-new-phone', { held: true })),
    );
    const cancelled = await run(engine, kiosk, {
      type: 'cancel',
      payload: { customerId: held.id },
    });
    expect(customerOf(cancelled).state).toBe('cancelled');
    expect(
      await run(engine, kiosk, { type: 'hand_out', payload: { customerId: held.id } }),
    ).toMatchObject({ ok: false, refusal: { code: 'illegal_transition' } });
  });

  it('refuses to close a desk when the store does not allow it', async () => {
    const now = { t: new Date() };
    const { engine } = await setup(now, {
      ...demoStore,
      store: { ...demoStore.store, floatingDesks: false },
    });
    expect(
      await run(engine, desk1, { type: 'set_desk_status', payload: { status: 'close' } }),
    ).toMatchObject({
      ok: false,
      refusal: { code: 'not_allowed' },
    });
    expect(
      (await run(engine, desk1, { type: 'set_desk_status', payload: { status: 'pause' } })).ok,
    ).toBe(true);
  });

  it('works out people before and must-wait for block tickets from their place at issue time', async () => {
    const now = { t: new Date('2026-03-10T09:00:00Z') };
    const { engine } = await setup(now);
    const online: Customer[] = [];
    for (let i = 0; i < 4; i++) {
      online.push(customerOf(await run(engine, kiosk, reg(`online ${i}`))));
      now.t = new Date(now.t.getTime() + 60_000);
    }
    // Registered 09:00, 09:01, 09:02, 09:03; the fourth waits behind three: told to come back.
    expect(online.map((c) => [c.peopleBefore, c.mustWait])).toEqual([
      [0, false],
      [1, false],
      [2, false],
      [3, true],
    ]);
    const reserved = await run(engine, kiosk, {
      type: 'reserve_block',
      payload: { serviceId: 'demo-new-phone', size: 5 },
    });
    if (!reserved.ok || reserved.block === null) throw new Error(JSON.stringify(reserved));
    const block = reserved.block;
    expect(block.first).toBe(5);
    now.t = new Date('2026-03-10T09:10:00Z');
    const fromBlock = async (n: number, issuedAt: string) =>
      customerOf(
        await run(engine, kiosk, {
          type: 'register_from_block',
          payload: {
            serviceId: 'demo-new-phone',
            lang: 'EN',
            contactMode: 'anonymous',
            customerId: `blk${n}${randomUUID().slice(0, 8)}`,
            blockId: block.id,
            ticketNumber: n,
            issuedAt,
          },
        }),
      );
    // Printed at 09:02:30 while the hub was away: behind the first three only.
    const late = await fromBlock(5, '2026-03-10T09:02:30Z');
    expect(late).toMatchObject({ ticket: 'A5', peopleBefore: 3, mustWait: true });
    // Printed before everyone: first in line, no need to wait.
    const early = await fromBlock(6, '2026-03-10T08:59:00Z');
    expect(early).toMatchObject({ ticket: 'A6', peopleBefore: 0, mustWait: false });
    // Desk 1 calls A6, A1, A2: a ticket printed now has A3, A5 and A4 before it.
    const called: string[] = [];
    for (let i = 0; i < 3; i++)
      called.push(customerOf(await run(engine, desk1, { type: 'call_next', payload: {} })).ticket);
    expect(called).toEqual(['A6', 'A1', 'A2']);
    expect(await fromBlock(7, now.t.toISOString())).toMatchObject({
      peopleBefore: 3,
      mustWait: true,
    });
  });

  it('keeps the tables equal to the fold of the log, whatever the commands (seeded)', async () => {
    type Op = { who: 'kiosk' | 'desk1' | 'desk2' | 'desk3'; what: number; pick: number };
    const now = { t: new Date('2026-03-10T09:00:00Z') };
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            who: fc.constantFrom('kiosk', 'desk1', 'desk2', 'desk3'),
            what: fc.nat({ max: 9 }),
            pick: fc.nat({ max: 50 }),
          }),
          {
            maxLength: 60,
          },
        ),
        async (ops: Op[]) => {
          const { engine } = await setup(now);
          const { device: desk3 } = await addDevice(engine, {
            storeId: 'demo-store',
            mac: '02:00:00:00:00:09',
            hostname: 'd3',
            role: 'desk',
          });
          const devices = { kiosk, desk1, desk2, desk3 };
          const services = ['demo-new-phone', 'demo-accessories', 'demo-repair', 'demo-priority'];
          const known: string[] = [];
          for (const op of ops) {
            now.t = new Date(now.t.getTime() + 30_000);
            const customerId = known[op.pick % Math.max(1, known.length)] ?? 'none';
            const commands: z.input<typeof CommandSchema>[] = [
              reg(`c${op.pick}`, services[op.pick % services.length]),
              { type: 'call_next', payload: {} },
              { type: 'call_customer', payload: { customerId } },
              { type: 'recall', payload: { customerId } },
              { type: 'start_serving', payload: { customerId } },
              { type: 'finish', payload: { customerId } },
              { type: 'no_show', payload: { customerId } },
              { type: 'cancel', payload: { customerId } },
              {
                type: 'transfer',
                payload: { customerId, toServiceId: services[op.pick % services.length] },
              },
              {
                type: 'set_desk_status',
                payload: {
                  status: (['open', 'pause', 'close_redirect'] as const)[op.pick % 3] ?? 'open',
                },
              },
            ];
            const r = await run(engine, devices[op.who], commands[op.what]!);
            if (r.ok && r.customer !== null && !known.includes(r.customer.id))
              known.push(r.customer.id);
          }
          const log = await engine.pull(
            'demo-store',
            { epoch: (await engine.repo.head('demo-store'))!.epoch, seq: 0 },
            5000,
          );
          if (!log.ok) throw new Error('pull failed');
          log.changes.forEach((c, i) => expect(c.seq).toBe(i + 1));
          const folded = new Map<string, Customer>();
          for (const c of log.changes)
            if (c.entity.kind === 'customer') folded.set(c.entity.customer.id, c.entity.customer);
          const table = new Map((await engine.repo.customers('demo-store')).map((c) => [c.id, c]));
          expect(table).toEqual(folded);
          // Never two customers called by the same desk at once.
          const calledPerDesk = new Map<string, number>();
          for (const c of table.values()) {
            if (c.state === 'called' && c.deskId !== null)
              calledPerDesk.set(c.deskId, (calledPerDesk.get(c.deskId) ?? 0) + 1);
          }
          for (const n of calledPerDesk.values()) expect(n).toBe(1);
        },
      ),
      { seed: 314, numRuns: 40 },
    );
  });
});
