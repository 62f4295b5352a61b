// Turn-near alerts (TICKET_ALERTED) look at a few customers per service, in call order, and stop
// at the first whose turn is not near. A seeded workload checks that this finds exactly the
// customers that an estimate of every waiting customer finds, by people and by minutes, with
// desks serving overlapping services, a prioritized service and "running late" moves.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDevice, seedStore } from '../../../cloud/engine/admin.js';
import { estimateAt, readEstimateContext } from '../../../cloud/engine/handlers/estimate.js';
import { HubEngine, type Actor } from '../../../cloud/engine/hub-engine.js';
import { alertTurnNear, watchTurnNear } from '../../../cloud/notify/turn-near.js';
import { demoStore } from '../../../shared/demo/demo-store.js';
import { shouldAlert } from '../../../shared/domain/turn-near.js';
import { CommandEnvelopeSchema, type CommandResult } from '../../../shared/protocol/sync.js';
import { openTestHubRepo } from '../../support/hub-engine.js';
import { removeDir, tempDataDir } from './harness.js';
import { LEAF_SERVICES } from './workload.js';

const STORE = demoStore.store.id;
/** What each desk serves: overlapping, so services compete for some desks and not others. */
const DESK_SERVICES = [
  ['demo-new-phone', 'demo-accessories'],
  ['demo-repair'],
  ['demo-priority', 'demo-new-phone'],
];

type Op =
  | { kind: 'register'; service: number }
  | { kind: 'next'; desk: number }
  | { kind: 'late'; pick: number; places: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('register' as const),
      service: fc.nat({ max: LEAF_SERVICES.length - 1 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('next' as const),
      desk: fc.nat({ max: DESK_SERVICES.length - 1 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('late' as const),
      pick: fc.nat(),
      places: fc.integer({ min: 1, max: 3 }),
    }),
  },
);

const ruleArb = fc.record({
  callByPeople: fc.boolean(),
  turnNearPeople: fc.integer({ min: 0, max: 3 }),
  turnNearMinutes: fc.integer({ min: 0, max: 20 }),
});

async function run(
  engine: HubEngine,
  actor: Actor,
  type: string,
  payload: unknown,
): Promise<CommandResult> {
  return engine.applyCommand(
    actor,
    CommandEnvelopeSchema.parse({
      id: randomUUID(),
      issuedAt: new Date().toISOString(),
      type,
      payload,
    }),
  );
}

/** The customers an estimate of every waiting, told-to-wait, not yet alerted customer picks. */
async function everyCustomerCheck(engine: HubEngine, now: Date): Promise<string[]> {
  return engine.repo.read(async (tx) => {
    const ctx = (await readEstimateContext(tx, STORE, now))!;
    const due: string[] = [];
    for (const c of await tx.queueCustomers(STORE, ctx.day)) {
      if (c.state !== 'waiting' || !c.mustWait || c.alerted) continue;
      if (shouldAlert(c, await estimateAt(ctx, c), ctx.store)) due.push(c.id);
    }
    return due.sort();
  });
}

async function alertedIds(engine: HubEngine): Promise<Set<string>> {
  return new Set((await engine.repo.customers(STORE)).filter((c) => c.alerted).map((c) => c.id));
}

describe('turn-near alerts', () => {
  it('alert exactly whom an estimate of every waiting customer would (seeded)', async () => {
    await fc.assert(
      fc.asyncProperty(
        ruleArb,
        fc.array(fc.tuple(opArb, fc.boolean()), { minLength: 30, maxLength: 90 }),
        async (rule, ops) => {
          const dir = tempDataDir();
          const repo = await openTestHubRepo(dir);
          try {
            const engine = new HubEngine(repo);
            await seedStore(engine, { ...demoStore, store: { ...demoStore.store, ...rule } });
            const mac = (n: number) => `02:00:00:00:20:${n.toString(16).padStart(2, '0')}`;
            const kiosk = (
              await addDevice(engine, {
                storeId: STORE,
                mac: mac(0),
                hostname: 'tn-kiosk',
                role: 'machine',
              })
            ).device;
            const desks: Actor[] = [];
            for (const [i, serviceIds] of DESK_SERVICES.entries()) {
              const { device } = await addDevice(engine, {
                storeId: STORE,
                mac: mac(i + 1),
                hostname: `tn-desk-${i}`,
                role: 'desk',
                serviceIds,
              });
              desks.push({ deviceId: device.id, origin: device.id });
            }
            const machine: Actor = { deviceId: kiosk.id, origin: kiosk.id };
            const atDesk = new Map<number, string>();
            const waiting: string[] = [];
            for (const [op, check] of ops) {
              if (op.kind === 'register') {
                const r = await run(engine, machine, 'register', {
                  serviceId: LEAF_SERVICES[op.service],
                  lang: 'EN',
                  contactMode: 'name',
                  contact: { name: 'Someone' },
                });
                if (!r.ok || r.customer === null) throw new Error(JSON.stringify(r));
                await run(engine, machine, 'hand_out', { customerId: r.customer.id });
                waiting.push(r.customer.id);
              } else if (op.kind === 'next') {
                const desk = desks[op.desk]!;
                const current = atDesk.get(op.desk);
                if (current !== undefined)
                  await run(engine, desk, 'finish', { customerId: current });
                const r = await run(engine, desk, 'call_next', {});
                if (r.ok && r.customer !== null) atDesk.set(op.desk, r.customer.id);
                else atDesk.delete(op.desk);
              } else if (waiting.length > 0) {
                const customerId = waiting[op.pick % waiting.length]!;
                await run(engine, machine, 'postpone', { customerId, places: op.places });
              }
              // Checks are skipped at random, so several turns come near between two of them.
              if (!check) continue;
              const now = new Date();
              const before = await alertedIds(engine);
              const expected = await everyCustomerCheck(engine, now);
              const count = await alertTurnNear(engine, STORE, now);
              const after = await alertedIds(engine);
              const newlyAlerted = [...after].filter((id) => !before.has(id)).sort();
              expect(newlyAlerted).toEqual(expected);
              expect(count).toBe(expected.length);
            }
          } finally {
            await repo.close();
            removeDir(dir);
          }
        },
      ),
      { seed: 20261202, numRuns: 25 },
    );
  });

  it('stop waits for the check under way, so the hub can close its storage right after', async () => {
    const dir = tempDataDir();
    const repo = await openTestHubRepo(dir);
    const errors: unknown[] = [];
    try {
      const engine = new HubEngine(repo);
      await seedStore(engine, demoStore);
      const { device } = await addDevice(engine, {
        storeId: STORE,
        mac: '02:00:00:00:21:01',
        hostname: 'tn-desk',
        role: 'desk',
        serviceIds: ['demo-new-phone'],
      });
      const stop = watchTurnNear(engine, (error) => errors.push(error));
      const desk: Actor = { deviceId: device.id, origin: device.id };
      // Each call moves the queue (a check is due); the watch is stopped while one is due.
      const kiosk = (
        await addDevice(engine, {
          storeId: STORE,
          mac: '02:00:00:00:21:02',
          hostname: 'tn-k',
          role: 'machine',
        })
      ).device;
      const machine: Actor = { deviceId: kiosk.id, origin: kiosk.id };
      for (let i = 0; i < 3; i++) {
        await run(engine, machine, 'register', {
          serviceId: 'demo-new-phone',
          lang: 'EN',
          contactMode: 'name',
          contact: { name: `Someone ${i}` },
        });
      }
      await run(engine, desk, 'call_next', {});
      await stop();
      await repo.close();
      // What the watch would still do after its stop shows here.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(errors).toEqual([]);
    } finally {
      await repo.close().catch(() => {});
      removeDir(dir);
    }
  });
});
