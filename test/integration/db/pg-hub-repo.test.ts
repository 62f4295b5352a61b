// The Postgres repo as two hub nodes see it: two pools on one throw-away database, racing on one
// store. What must hold across nodes: migrations applied once, a gapless log whose seqs are
// handed out under the store's lock (a read-decide-write sees the previous writer's commit),
// one result per command id, one token per device claim, shared rate counters and replay memory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgHubRepo, type PgHubRepo } from '../../../cloud/db/pg-hub-repo.js';
import { PG_MIGRATIONS } from '../../../cloud/db/pg-migrations.js';
import { openPgRelay } from '../../../cloud/db/pg-relay.js';
import { OrganizationSchema } from '../../../shared/domain/entities.js';
import type { CommandResult } from '../../../shared/protocol/sync.js';
import type { AppliedCommand } from '../../../cloud/db/hub-repo.js';

type AppliedCommandRecord = AppliedCommand & { storeId: string; appliedAt: string };
import { startPostgres, type PgCluster } from '../../support/postgres.js';
import { makeCustomer, makeService, makeStore } from '../../unit/shared/fixtures.js';

let cluster: PgCluster;
let nodeA: PgHubRepo;
let nodeB: PgHubRepo;
const store = makeStore({ id: 'store-pg' });

beforeAll(async () => {
  cluster = await startPostgres();
  const url = cluster.createDatabase('repo');
  // Both nodes start together: each migrates, under the migration lock.
  [nodeA, nodeB] = await Promise.all([openPgHubRepo(url), openPgHubRepo(url)]);
  await nodeA.transaction({ storeIds: [] }, async (tx) => {
    await tx.upsertOrganization(
      OrganizationSchema.parse({ id: store.organizationId, name: 'Org' }),
    );
    await tx.createStore(store);
    await tx.append(store.id, {
      origin: 'test',
      commandId: null,
      event: 'service_updated',
      entity: { kind: 'service', service: makeService('svc-a') },
    });
  });
});

afterAll(async () => {
  await Promise.all([nodeA?.close(), nodeB?.close()]);
  cluster?.stop();
});

const nodes = () => [nodeA, nodeB] as const;

describe('Postgres repo across two nodes', () => {
  it('migrates once when two nodes start together', async () => {
    const versions = await nodeA.read(async () => (await nodeA.head(store.id)) !== null);
    expect(versions).toBe(true);
    const { schemaVersionPg } = await import('../../../cloud/db/pg-migrations.js');
    const pool = (nodeA as unknown as { pool: Parameters<typeof schemaVersionPg>[0] }).pool;
    expect(await schemaVersionPg(pool)).toBe(PG_MIGRATIONS.at(-1)?.version);
  });

  it('hands out gapless seqs and ticket numbers under the store lock, whatever node writes', async () => {
    const before = (await nodeA.head(store.id))?.seq ?? 0;
    const writers = 40;
    // Each writer reads the last ticket number and writes the next one: without the store
    // lock two would read the same number and one insert would hit the unique index.
    await Promise.all(
      Array.from({ length: writers }, (_, i) => {
        const node = nodes()[i % 2]!;
        // Half name the store up front, half lock it late (a batch finding its store).
        const early = i % 4 < 2;
        return node.transaction({ storeIds: early ? [store.id] : [] }, async (tx) => {
          if (!early) await tx.lockStore(store.id);
          const last = await tx.lastIssued(store.id, 'A', '2025-03-10');
          const n = last + 1;
          await tx.setLastIssued(store.id, 'A', '2025-03-10', n);
          const arrivalSeq = await tx.nextArrivalSeq(store.id);
          await tx.append(store.id, {
            origin: `node-${i % 2}`,
            commandId: null,
            event: 'registered',
            entity: {
              kind: 'customer',
              customer: makeCustomer(`c-${i}`, {
                ticketPrefix: 'A',
                ticketNumber: n,
                ticket: `A${n}`,
                arrivalSeq,
              }),
            },
          });
        });
      }),
    );
    const head = await nodeB.head(store.id);
    expect(head?.seq).toBe(before + writers);
    const changes = await nodeB.changesSince(store.id, head!.epoch, before, 1000);
    expect(changes.map((c) => c.seq)).toEqual(
      Array.from({ length: writers }, (_, i) => before + i + 1),
    );
    const numbers = (await nodeA.customers(store.id))
      .map((c) => c.ticketNumber)
      .sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: writers }, (_, i) => i + 1));
  });

  it('applies a command id once when two nodes get it at the same time', async () => {
    const id = 'cmd-dup-1';
    const apply = (node: PgHubRepo) =>
      node.transaction({ storeIds: [store.id] }, async (tx): Promise<CommandResult> => {
        const prior = await tx.appliedCommand(id);
        if (prior !== null) return prior.result;
        await tx.append(store.id, {
          origin: 'desk',
          commandId: id,
          event: 'registered',
          entity: { kind: 'customer', customer: makeCustomer('c-dup', { ticketNumber: 999 }) },
        });
        const position = await tx.head(store.id);
        const result: CommandResult = {
          ok: true,
          position: position!,
          customer: null,
          block: null,
        };
        await tx.recordCommand(id, {
          storeId: store.id,
          deviceId: 'desk',
          type: 'register',
          result,
          appliedAt: new Date().toISOString(),
        });
        return result;
      });
    const [a, b] = await Promise.all([apply(nodeA), apply(nodeB)]);
    expect(a).toEqual(b);
    const head = (await nodeA.head(store.id))!;
    const logged = (await nodeA.changesSince(store.id, head.epoch, 0, 10_000)).filter(
      (c) => c.commandId === id,
    );
    expect(logged).toHaveLength(1);
  });

  it('hands a device one token when two nodes claim it at once', async () => {
    const tokens = await Promise.all([
      nodeA.claimCredential('dev-1'),
      nodeB.claimCredential('dev-1'),
      nodeA.claimCredential('dev-1'),
      nodeB.claimCredential('dev-1'),
    ]);
    expect(tokens.filter((t) => t !== null)).toHaveLength(1);
    expect(await nodeA.claimState('dev-1')).toBe('claimed');
  });

  it('shares API-key hit counts and the replay memory between nodes', async () => {
    const counts = await Promise.all(
      Array.from({ length: 20 }, (_, i) => nodes()[i % 2]!.countApiHit('key-1', 42)),
    );
    expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(await nodeA.countApiHit('key-1', 43)).toBe(1);
    const now = 1_000_000;
    const first = await Promise.all([
      nodeA.rememberSignedRequest('nonce-1', now + 300_000, now),
      nodeB.rememberSignedRequest('nonce-1', now + 300_000, now),
    ]);
    expect(first.filter(Boolean)).toHaveLength(1);
    // Once its window has passed, the nonce is forgotten.
    expect(await nodeB.rememberSignedRequest('nonce-1', now + 900_000, now + 600_000)).toBe(true);
  });

  it('undoes a savepoint alone and a failed transaction whole', async () => {
    const head = (await nodeA.head(store.id))!;
    await nodeA.transaction({ storeIds: [store.id] }, async (tx) => {
      await expect(
        tx.savepoint(async () => {
          await tx.setLastIssued(store.id, 'Z', '2025-03-10', 5);
          throw new Error('refused');
        }),
      ).rejects.toThrow('refused');
      await tx.setLastIssued(store.id, 'Y', '2025-03-10', 7);
    });
    expect(await nodeB.lastIssued(store.id, 'Z', '2025-03-10')).toBe(0);
    expect(await nodeB.lastIssued(store.id, 'Y', '2025-03-10')).toBe(7);
    await expect(
      nodeA.transaction({ storeIds: [store.id] }, async (tx) => {
        await tx.append(store.id, {
          origin: 'test',
          commandId: null,
          event: 'service_updated',
          entity: { kind: 'service', service: makeService('svc-b') },
        });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await nodeB.head(store.id)).toEqual(head);
    expect(await nodeB.service('svc-b')).toBeNull();
  });

  it('commits what a transaction keeps in memory, without what a rolled-back savepoint did', async () => {
    // Today's numbering, the log head, arrivals and applied commands are held by the
    // transaction and written with its COMMIT: another node must see exactly what committed.
    const day = new Date().toISOString().slice(0, 10);
    const before = (await nodeB.head(store.id))!;
    const applied = (id: string, name: string): AppliedCommandRecord => ({
      storeId: store.id,
      deviceId: 'kiosk-1',
      type: 'register',
      result: { ok: false, refusal: { code: 'not_allowed', message: name } },
      appliedAt: new Date().toISOString(),
    });
    const customer = (id: string, ticketNumber: number) => ({
      origin: 'test',
      commandId: null,
      event: 'registered' as const,
      entity: {
        kind: 'customer' as const,
        customer: makeCustomer(id, { storeId: store.id, ticketNumber }),
      },
    });
    await nodeA.transaction(
      { storeIds: [store.id], commandIds: ['cmd-kept', 'cmd-undone'] },
      async (tx) => {
        expect(await tx.appliedCommand('cmd-kept')).toBeNull();
        await tx.setLastIssued(store.id, 'M', day, 3);
        const arrival = await tx.nextArrivalSeq(store.id);
        await tx.append(store.id, customer('mem-1', 501));
        await tx.recordCommand('cmd-kept', applied('cmd-kept', 'kept'));
        await expect(
          tx.savepoint(async (sp) => {
            await sp.setLastIssued(store.id, 'M', day, 9);
            await sp.nextArrivalSeq(store.id);
            await sp.append(store.id, customer('mem-undone', 502));
            await sp.recordCommand('cmd-undone', applied('cmd-undone', 'undone'));
            expect(await sp.lastIssued(store.id, 'M', day)).toBe(9);
            expect(await sp.appliedCommand('cmd-undone')).not.toBeNull();
            throw new Error('refused');
          }),
        ).rejects.toThrow('refused');
        expect(await tx.lastIssued(store.id, 'M', day)).toBe(3);
        expect(await tx.appliedCommand('cmd-undone')).toBeNull();
        expect(await tx.appliedCommand('cmd-kept')).toMatchObject({ deviceId: 'kiosk-1' });
        // The undone change's seq and arrival are handed out again: no gap.
        expect(await tx.nextArrivalSeq(store.id)).toBe(arrival + 1);
        await tx.append(store.id, customer('mem-2', 503));
        expect((await tx.head(store.id))!.seq).toBe(before.seq + 2);
        // Nothing of it is visible to the other node before commit.
        expect(await nodeB.head(store.id)).toEqual(before);
      },
    );
    expect((await nodeB.head(store.id))!.seq).toBe(before.seq + 2);
    const log = await nodeB.changesSince(store.id, before.epoch, before.seq, 10);
    expect(log.map((c) => c.seq)).toEqual([before.seq + 1, before.seq + 2]);
    expect(await nodeB.lastIssued(store.id, 'M', day)).toBe(3);
    expect(await nodeB.appliedCommand('cmd-kept')).toMatchObject({ type: 'register' });
    expect(await nodeB.appliedCommand('cmd-undone')).toBeNull();
    expect(await nodeB.customer('mem-undone')).toBeNull();
    // The next transaction (on the other node) reads what the first committed.
    await nodeB.transaction({ storeIds: [store.id], commandIds: ['cmd-kept'] }, async (tx) => {
      expect(await tx.appliedCommand('cmd-kept')).toMatchObject({ deviceId: 'kiosk-1' });
      expect(await tx.lastIssued(store.id, 'M', day)).toBe(3);
      const arrival = await tx.nextArrivalSeq(store.id);
      await tx.setLastIssued(store.id, 'M', day, 4);
      expect(arrival).toBeGreaterThan(0);
    });
    expect(await nodeA.lastIssued(store.id, 'M', day)).toBe(4);
  });

  it('reads notification settings with the lock, and again once it wrote configuration', async () => {
    const webhook = `webhook:${store.organizationId}`;
    await nodeB.setNotifySetting(webhook, { url: 'https://partner.example/hook' });
    await nodeA.transaction({ storeIds: [store.id] }, async (tx) => {
      expect(await tx.notifySetting(webhook)).toEqual({ url: 'https://partner.example/hook' });
      expect(await tx.notifySetting('reminders')).toBeNull();
      // A configuration change forgets what was read up front: still there, read again.
      await tx.append(store.id, {
        origin: 'test',
        commandId: null,
        event: 'service_updated',
        entity: { kind: 'service', service: makeService('svc-settings') },
      });
      expect(await tx.notifySetting(webhook)).toEqual({ url: 'https://partner.example/hook' });
      await tx.setNotifySetting('reminders', [{ minutesBefore: 30 }]);
      expect(await tx.notifySetting('reminders')).toEqual([{ minutesBefore: 30 }]);
    });
  });

  it('counts every knock of one unknown device when two nodes record them at once', async () => {
    const at = (i: number) => new Date(Date.UTC(2026, 11, 2, 8, 0, i)).toISOString();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        nodes()[i % 2]!.recordWaitingDevice({
          macs: ['02:00:00:00:99:01'],
          hostname: 'Lobby-Kiosk',
          address: '10.0.0.9',
          at: at(i),
        }),
      ),
    );
    const waiting = (await nodeA.waitingDevices()).filter((d) => d.hostname === 'Lobby-Kiosk');
    expect(waiting).toHaveLength(1);
    expect(waiting[0]!.knocks).toBe(20);
    // The console removes it by the id it shows.
    expect(await nodeB.waitingDevice(waiting[0]!.id)).toEqual(waiting[0]);
  });

  it('keeps configuration read in a transaction only until it writes or undoes some', async () => {
    await nodeA.transaction({ storeIds: [store.id] }, async (tx) => {
      const before = await tx.services(store.id);
      (before[0] as { name?: unknown }).name = 'changed by a caller';
      expect(await tx.services(store.id)).not.toEqual(before);
      await expect(
        tx.savepoint(async (sp) => {
          await sp.append(store.id, {
            origin: 'test',
            commandId: null,
            event: 'service_updated',
            entity: { kind: 'service', service: makeService('svc-undone') },
          });
          expect((await sp.services(store.id)).map((s) => s.id)).toContain('svc-undone');
          throw new Error('refused');
        }),
      ).rejects.toThrow('refused');
      expect((await tx.services(store.id)).map((s) => s.id)).not.toContain('svc-undone');
      await tx.append(store.id, {
        origin: 'test',
        commandId: null,
        event: 'store_updated',
        entity: { kind: 'store', store: { ...store, name: 'Renamed in the transaction' } },
      });
      expect((await tx.store(store.id))?.name).toBe('Renamed in the transaction');
    });
  });

  it('opens the relay on several nodes starting at once on a new database', async () => {
    // CREATE TABLE IF NOT EXISTS alone lets a second node fail on the catalog
    // ("type socket_io_attachments already exists"), which is how CI once lost a start.
    for (let round = 0; round < 3; round += 1) {
      const url = cluster.createDatabase(`relay${round}`);
      const relays = await Promise.all(Array.from({ length: 6 }, () => openPgRelay(url)));
      await Promise.all(relays.map((r) => r.close()));
    }
  });
});
