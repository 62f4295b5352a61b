import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { Change } from '../../../shared/protocol/sync.js';
import { MIGRATIONS, openDatabase } from '../../../main/local-db/database.js';
import { LocalDb } from '../../../main/local-db/local-db.js';

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

function fresh(path = join(temp(), 'lineup.db')): LocalDb {
  const db = new LocalDb(openDatabase(path).db);
  db.applySnapshot(snapshot as never);
  return db;
}

describe('local database', () => {
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
    expect(new LocalDb(opened.db).cursor()).toBeNull();
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
        store.close();
      }),
      { seed: 7, numRuns: 20 },
    );
    const store = fresh();
    expect(store.applyChanges([change(6, 'x')]).gap).toBe(true);
    expect(store.cursor()?.position.seq).toBe(3);
  });

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
  const envelopeFor = (customerId: string) =>
    ({
      id: crypto.randomUUID(),
      issuedAt: at,
      type: 'cancel',
      payload: { customerId },
    }) as const;
  const ticket = (n: number, arrival: number) => ({
    customer: { ...customer(`l${n}`, arrival), ticketNumber: n, ticket: `A${n}` } as never,
    envelope: envelopeFor(`l${n}`),
  });

  it('writes a local ticket, its number and its command together or not at all', () => {
    const db = fresh();
    db.putBlock(block, { epoch: 'e1', seq: 3 });
    expect(() =>
      db.issueLocalTicket(block, () => {
        throw new Error('power cut');
      }),
    ).toThrow('power cut');
    expect(db.outboxCount()).toBe(0);
    expect(db.usableBlocks('k', 's', '2026-01-05', 'A')[0]?.left).toBe(3);
    const issued = db.issueLocalTicket(block, ticket);
    expect(issued?.customer.ticketNumber).toBe(10);
    expect(db.outboxCount()).toBe(1);
    expect(db.customer('l10')?.ticket).toBe('A10');
    // A snapshot keeps what the hub does not know yet.
    db.applySnapshot(snapshot as never);
    expect(db.customer('l10')).not.toBeNull();
    db.close();
  });

  it('withdraws a ticket nobody saw: registration and row gone, number kept used, cancel first', () => {
    const db = fresh();
    db.putBlock(block, { epoch: 'e1', seq: 3 });
    const registration = (n: number, arrival: number) => ({
      customer: {
        ...customer(`l${n}`, arrival),
        machineId: 'k',
        held: true,
        ticketNumber: n,
        ticket: `A${n}`,
      } as never,
      envelope: {
        id: crypto.randomUUID(),
        issuedAt: at,
        type: 'register_from_block',
        payload: {
          serviceId: 's',
          lang: 'EN',
          contactMode: 'anonymous',
          customerId: `l${n}`,
          blockId: 'b1',
          ticketNumber: n,
          issuedAt: at,
          held: true,
        },
      } as never,
    });
    db.issueLocalTicket(block, registration);
    db.queueCommand({
      id: crypto.randomUUID(),
      issuedAt: at,
      type: 'hand_out',
      payload: { customerId: 'l10' },
    });
    db.issueLocalTicket(block, registration);
    // l10 was handed out; l11 never was (the machine died at its printer).
    expect(db.unhandedTickets('k').map((c) => c.id)).toEqual(['l11']);
    expect(db.unhandedTickets('other')).toEqual([]);
    db.withdrawTicket('l11', envelopeFor('l11'));
    expect(db.outbox().map((e) => e.envelope.type)).toEqual([
      'cancel',
      'register_from_block',
      'hand_out',
    ]);
    expect(db.customer('l11')).toBeNull();
    expect(db.unhandedTickets('k')).toEqual([]);
    // Its number is never issued again.
    expect(db.issueLocalTicket(block, registration)?.customer.ticketNumber).toBe(12);
    db.close();
  });

  it('never hands out the same offline number twice, even after the usage row is lost', () => {
    const path = join(temp(), 'lineup.db');
    const db = fresh(path);
    db.putBlock(block, { epoch: 'e1', seq: 3 });
    expect(db.issueLocalTicket(block, ticket)?.customer.ticketNumber).toBe(10);
    db.close();
    const raw = openDatabase(path).db;
    raw.prepare('DELETE FROM ticket_blocks').run();
    raw.close();
    const again = new LocalDb(openDatabase(path).db);
    // The block comes back from the hub: number 10 is held by a customer, so it stays used.
    again.applySnapshot({ ...snapshot, blocks: [block] } as never);
    expect(again.issueLocalTicket(block, ticket)?.customer.ticketNumber).toBe(11);
    expect(again.issueLocalTicket(block, ticket)?.customer.ticketNumber).toBe(12);
    expect(again.issueLocalTicket(block, ticket)).toBeNull();
    expect(again.usableBlocks('k', 's', '2026-01-05', 'A')).toEqual([]);
    again.close();
  });
});
