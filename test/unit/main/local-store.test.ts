import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { Change } from '../../../shared/protocol/sync.js';
import { MIGRATIONS, openDatabase } from '../../../main/store/database.js';
import { LocalStore } from '../../../main/store/local-store.js';

const dirs: string[] = [];
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'lineup-store-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const at = '2026-01-05T10:00:00.000Z';
const snapshot = {
  position: { epoch: 'e1', seq: 3 },
  organization: { id: 'org', name: 'Org', logo: '', colorOne: '#1F3A5F', colorTwo: '#FFFFFF' },
  store: {
    id: 'st',
    organizationId: 'org',
    name: 'Store',
    langs: ['EN'],
    timeZone: 'Europe/Paris',
  },
  services: [],
  devices: [],
  customers: [],
  blocks: [],
};
const customer = (id: string, seq: number, state = 'waiting') => ({
  id,
  storeId: 'st',
  serviceId: 's',
  servicePath: ['s'],
  machineId: null,
  lang: 'EN',
  registeredBy: 'k',
  contactMode: 'anonymous',
  state,
  ticketPrefix: 'A',
  ticketNumber: seq,
  ticketDay: '2026-01-05',
  ticket: `A${seq}`,
  registeredAt: at,
  sortAt: at,
  arrivalSeq: seq,
  updatedAt: at,
});
const change = (seq: number, id: string, state = 'waiting'): Change =>
  ({
    storeId: 'st',
    epoch: 'e1',
    seq,
    at,
    origin: 'k',
    commandId: null,
    event: 'registered',
    entity: { kind: 'customer', customer: customer(id, seq, state) },
  }) as unknown as Change;

function fresh(): LocalStore {
  const store = new LocalStore(openDatabase(join(temp(), 'lineup.db')).db);
  store.applySnapshot(snapshot as never);
  return store;
}

describe('local store', () => {
  it('migrates an empty file to the latest schema', () => {
    const { db } = openDatabase(join(temp(), 'a.db'));
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('sets a damaged file aside under a dated name and starts fresh', () => {
    const dir = temp();
    writeFileSync(join(dir, 'lineup.db'), 'this is not a database'.repeat(100));
    const opened = openDatabase(join(dir, 'lineup.db'));
    expect(opened.setAsidePath).toMatch(/lineup\.db\.corrupt-\d{4}-/);
    expect(readdirSync(dir).some((f) => f.startsWith('lineup.db.corrupt-'))).toBe(true);
    expect(new LocalStore(opened.db).cursor()).toBeNull();
    opened.db.close();
  });

  it('applies changes in seq order whatever order they arrive in, and reports gaps', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray([4, 5, 6, 7, 8], { minLength: 5, maxLength: 5 }), (order) => {
        const store = fresh();
        for (const seq of order) store.applyChanges([change(seq, `c${seq}`)]);
        // Whatever arrived early waits for a pull; a pull returns everything in order.
        const outcome = store.applyChanges(order.map((s) => change(s, `c${s}`)));
        expect(outcome.gap).toBe(false);
        expect(store.cursor()?.position.seq).toBe(8);
        expect(
          store
            .customers()
            .map((c) => c.id)
            .sort(),
        ).toEqual(['c4', 'c5', 'c6', 'c7', 'c8']);
        store.db.close();
      }),
      { seed: 7, numRuns: 20 },
    );
    const store = fresh();
    expect(store.applyChanges([change(6, 'x')]).gap).toBe(true);
    expect(store.cursor()?.position.seq).toBe(3);
  });

  it('writes the outbox and the optimistic effect together or not at all', () => {
    const store = fresh();
    const envelope = {
      id: crypto.randomUUID(),
      issuedAt: at,
      type: 'cancel',
      payload: { customerId: 'c1' },
    } as const;
    expect(() =>
      store.enqueue(envelope, () => {
        store.putLocalCustomer(customer('local1', 9) as never);
        throw new Error('power cut');
      }),
    ).toThrow('power cut');
    expect(store.outboxCount()).toBe(0);
    expect(store.customer('local1')).toBeNull();
    store.enqueue(envelope, () => store.putLocalCustomer(customer('local1', 9) as never));
    expect(store.outboxCount()).toBe(1);
    expect(store.customer('local1')?.ticket).toBe('A9');
    // A snapshot keeps what the hub does not know yet.
    store.applySnapshot(snapshot as never);
    expect(store.customer('local1')).not.toBeNull();
  });

  it('never hands out the same offline number twice, even after the usage row is lost', () => {
    const store = fresh();
    const block = {
      id: 'b1',
      storeId: 'st',
      deviceId: 'k',
      serviceId: 's',
      ticketPrefix: 'A',
      ticketDay: '2026-01-05',
      first: 10,
      last: 12,
    };
    store.putBlock(block, { epoch: 'e1', seq: 3 });
    const a = store.takeBlockNumber(block);
    store.putLocalCustomer({ ...customer('l1', 10), ticketNumber: a } as never);
    store.db.prepare('DELETE FROM block_usage').run();
    expect(store.takeBlockNumber(block)).toBe(11);
    expect(store.takeBlockNumber(block)).toBe(12);
    expect(store.takeBlockNumber(block)).toBeNull();
  });
});
