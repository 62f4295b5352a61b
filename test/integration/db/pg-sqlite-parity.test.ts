// The two engines answer the port's queries alike: the same random store written to SQLite and
// to Postgres gives the same queue heads, counts of people ahead, service times, working sets
// and orders (ids compare bytewise in both: Postgres keys are COLLATE "C").
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgHubRepo, type PgHubRepo } from '../../../cloud/db/pg-hub-repo.js';
import { openHubRepo, type SqliteHubRepo } from '../../../cloud/db/sqlite-hub-repo.js';
import { OrganizationSchema, type Customer } from '../../../shared/domain/entities.js';
import { CUSTOMER_STATES } from '../../../shared/domain/lifecycle.js';
import type { ChangeEntity } from '../../../shared/protocol/sync.js';
import { startPostgres, type PgCluster } from '../../support/postgres.js';
import { T0, iso, makeCustomer, makeService, makeStore } from '../../unit/shared/fixtures.js';

const MIN = 60_000;
const DESKS = ['desk-1', 'desk-2', 'Desk-3'];
const SERVICES = ['svc-a', 'svc-b', 'Svc-c', 'svc_d'];

let cluster: PgCluster;
let pg: PgHubRepo;
let sqlite: SqliteHubRepo;
let dir: string;

beforeAll(async () => {
  cluster = await startPostgres();
  pg = await openPgHubRepo(cluster.createDatabase('parity'));
  dir = mkdtempSync(join(tmpdir(), 'lineup-parity-'));
  sqlite = openHubRepo(dir);
});
afterAll(async () => {
  await pg?.close();
  await sqlite?.close();
  cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A time as ISO text, sometimes with an offset (the same instant, other text). */
const timeArb = fc
  .record({ minutes: fc.integer({ min: -30, max: 30 }), offset: fc.boolean() })
  .map(({ minutes, offset }) => {
    const at = new Date(T0 + minutes * MIN);
    if (!offset) return at.toISOString();
    return `${new Date(at.getTime() + 2 * 60 * MIN).toISOString().slice(0, 19)}+02:00`;
  });

const customerArb = fc.record({
  id: fc.stringMatching(/^[a-zA-Z0-9_-]{1,6}$/),
  serviceId: fc.constantFrom(...SERVICES),
  state: fc.oneof(
    { weight: 4, arbitrary: fc.constant('waiting' as const) },
    { weight: 2, arbitrary: fc.constantFrom(...CUSTOMER_STATES) },
  ),
  deskId: fc.option(fc.constantFrom(...DESKS), { nil: null, freq: 3 }),
  prioritized: fc.boolean(),
  // A ticket machine's ticket not handed out yet: no desk may call it, on either engine.
  held: fc.boolean(),
  sortAt: timeArb,
  appointment: fc.option(timeArb, { nil: null, freq: 2 }),
  minutesServed: fc.integer({ min: 1, max: 20 }),
  day: fc.constantFrom('2025-03-09', '2025-03-10'),
});

let stores = 0;

describe('SQLite and Postgres engines', () => {
  it('answer every queue query alike on the same store (seeded)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(customerArb, { selector: (c) => c.id, maxLength: 30 }),
        fc.integer({ min: -40, max: 40 }),
        fc.integer({ min: 0, max: 20 }),
        fc.subarray(SERVICES),
        async (drafts, nowMinutes, lead, prioritizedServiceIds) => {
          const store = makeStore({ id: `store-${++stores}` });
          const customers: Customer[] = drafts.map((d, i) =>
            makeCustomer(`${d.id}-${i}`, {
              storeId: store.id,
              serviceId: d.serviceId,
              servicePath: [d.serviceId],
              state: d.state,
              deskId: d.deskId,
              prioritized: d.prioritized,
              held: d.held,
              sortAt: d.sortAt,
              arrivalSeq: i % 3,
              ticketNumber: i + 1,
              ticket: `A${i + 1}`,
              ticketDay: d.day,
              appointment: d.appointment === null ? null : { at: d.appointment, expired: false },
              ...(d.state === 'done'
                ? {
                    servingAt: iso(T0 + i * MIN),
                    finishedAt: iso(T0 + (i + d.minutesServed) * MIN),
                  }
                : {}),
            }),
          );
          const entities: ChangeEntity[] = [
            ...SERVICES.map((id) => ({
              kind: 'service' as const,
              service: makeService(id, { storeId: store.id }),
            })),
            ...customers.map((customer) => ({ kind: 'customer' as const, customer })),
          ];
          const org = OrganizationSchema.parse({ id: store.organizationId, name: 'Org' });
          for (const repo of [sqlite, pg]) {
            await repo.transaction({ storeIds: [] }, async (tx) => {
              await tx.upsertOrganization(org);
              await tx.createStore(store);
              for (const entity of entities)
                await tx.append(store.id, {
                  origin: 't',
                  commandId: null,
                  event: 'registered',
                  entity,
                });
            });
          }
          const ids = (list: readonly Customer[]) => list.map((c) => c.id);
          const now = new Date(T0 + nowMinutes * MIN);
          for (const deskId of DESKS) {
            const q = {
              storeId: store.id,
              deskId,
              serviceIds: SERVICES,
              prioritizedServiceIds,
              now,
              appointmentLeadMinutes: lead,
            };
            expect(ids(await pg.queueHeads(q))).toEqual(ids(await sqlite.queueHeads(q)));
            expect(ids(await pg.customersAtDesk(store.id, deskId))).toEqual(
              ids(await sqlite.customersAtDesk(store.id, deskId)),
            );
          }
          for (const subject of customers) {
            const q = {
              storeId: store.id,
              serviceIds: SERVICES.slice(0, 3),
              prioritizedServiceIds,
              subject,
            };
            expect(await pg.countWaitingAhead(q)).toBe(await sqlite.countWaitingAhead(q));
          }
          for (const serviceId of SERVICES) {
            const times = await sqlite.latestServiceTimes(store.id, serviceId, '2025-03-10', 5);
            expect(await pg.latestServiceTimes(store.id, serviceId, '2025-03-10', 5)).toEqual(
              times,
            );
            // Both reads of an estimate in one (one round trip on Postgres).
            const subject = customers[0];
            if (subject === undefined) continue;
            const ahead = {
              storeId: store.id,
              serviceIds: [serviceId],
              prioritizedServiceIds,
              subject,
            };
            const finished = { serviceId, day: '2025-03-10', limit: 5 };
            expect(await pg.estimateReads({ ahead, finished })).toEqual({
              ahead: await sqlite.countWaitingAhead(ahead),
              finished: times,
            });
          }
          expect(ids(await pg.queueCustomers(store.id, '2025-03-10'))).toEqual(
            ids(await sqlite.queueCustomers(store.id, '2025-03-10')),
          );
          expect(await pg.customers(store.id)).toEqual(await sqlite.customers(store.id));
          expect((await pg.head(store.id))?.seq).toBe((await sqlite.head(store.id))?.seq);
        },
      ),
      { seed: 1202, numRuns: 40 },
    );
  });
});
