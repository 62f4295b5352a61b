// A store with many kiosks and desks, and a seeded random workload of registers and calls
// sent concurrently from many sockets; the invariants are checked against the hub's log.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { Socket } from 'socket.io-client';
import { openHubDb } from '../../../cloud/db/hub-db.js';
import { addDevice, seedStore } from '../../../cloud/engine/admin.js';
import { HubEngine } from '../../../cloud/engine/hub-engine.js';
import type { Customer } from '../../../shared/domain/entities.js';
import type {
  Change,
  CommandResult,
  DeviceCredential,
  PullResponse,
} from '../../../shared/protocol/sync.js';
import { connectDevice, envelope, type CommandInput } from './harness.js';

export const LEAF_SERVICES = [
  'demo-new-phone',
  'demo-accessories',
  'demo-repair',
  'demo-priority',
] as const;

export interface Fleet {
  kiosks: DeviceCredential[];
  desks: DeviceCredential[];
}

/** Seeds the demo store plus `kiosks` machines and `desks` desks serving every service. */
export function seedFleet(dataDir: string, kiosks: number, desks: number): Fleet {
  const db = openHubDb(dataDir);
  try {
    const engine = new HubEngine(db);
    seedStore(engine);
    const mac = (n: number) => `02:00:00:00:10:${n.toString(16).padStart(2, '0')}`;
    const fleet: Fleet = { kiosks: [], desks: [] };
    for (let i = 0; i < kiosks; i++) {
      const { credential } = addDevice(engine, {
        storeId: 'demo-store',
        mac: mac(i),
        hostname: `load-kiosk-${i}`,
        role: 'machine',
      });
      fleet.kiosks.push(credential);
    }
    for (let i = 0; i < desks; i++) {
      const { credential } = addDevice(engine, {
        storeId: 'demo-store',
        mac: mac(100 + i),
        hostname: `load-desk-${i}`,
        role: 'desk',
        serviceIds: [...LEAF_SERVICES],
      });
      fleet.desks.push(credential);
    }
    return fleet;
  } finally {
    db.close();
  }
}

export type Op =
  | { kind: 'register'; by: number; service: number; retry: boolean }
  | { kind: 'next'; by: number; retry: boolean };

export const opArb = (kiosks: number, desks: number): fc.Arbitrary<Op> =>
  fc.oneof(
    fc.record({
      kind: fc.constant('register' as const),
      by: fc.nat({ max: kiosks - 1 }),
      service: fc.nat({ max: LEAF_SERVICES.length - 1 }),
      retry: fc.boolean(),
    }),
    fc.record({
      kind: fc.constant('next' as const),
      by: fc.nat({ max: desks - 1 }),
      retry: fc.boolean(),
    }),
  );

export interface Sent {
  op: Op;
  id: string;
  result: CommandResult | null;
}

export interface Connected {
  kiosks: Socket[];
  desks: Socket[];
  close(): void;
}

export async function connectFleet(url: string, fleet: Fleet): Promise<Connected> {
  const kiosks = await Promise.all(fleet.kiosks.map((c) => connectDevice(url, c)));
  const desks = await Promise.all(fleet.desks.map((c) => connectDevice(url, c)));
  return {
    kiosks,
    desks,
    close: () => [...kiosks, ...desks].forEach((s) => s.disconnect()),
  };
}

export function commandFor(op: Op, n: number): CommandInput {
  return op.kind === 'register'
    ? ({
        type: 'register',
        payload: {
          serviceId: LEAF_SERVICES[op.service] as string,
          lang: 'EN',
          contactMode: 'name',
          contact: { name: `Customer ${n}` },
        },
      } as const)
    : ({ type: 'call_next', payload: {} } as const);
}

/** Sends every op at once (concurrently over all sockets); a `retry` op is sent twice. */
export async function runOps(
  conn: Connected,
  ops: readonly Op[],
  timeoutMs = 20_000,
  onAck: () => void = () => undefined,
): Promise<Sent[]> {
  return Promise.all(
    ops.map(async (op, n) => {
      const socket = op.kind === 'register' ? conn.kiosks[op.by] : conn.desks[op.by];
      const id = randomUUID();
      const env = envelope(commandFor(op, n), id);
      const emit = async (): Promise<CommandResult | null> => {
        try {
          const result = (await socket!
            .timeout(timeoutMs)
            .emitWithAck('command', env)) as CommandResult;
          onAck();
          return result;
        } catch {
          return null; // no ack: unknown outcome (the hub may have died)
        }
      };
      const [first, second] = await Promise.all([
        emit(),
        op.retry ? emit() : Promise.resolve(undefined),
      ]);
      if (
        second !== undefined &&
        first !== null &&
        second !== null &&
        JSON.stringify(first) !== JSON.stringify(second)
      ) {
        throw new Error(`retry of ${id} gave another result`);
      }
      return { op, id, result: first ?? second ?? null };
    }),
  );
}

export async function pullAll(
  socket: Socket,
): Promise<{ changes: Change[]; head: { epoch: string; seq: number } }> {
  const snapshotHead = (
    (await socket.timeout(20_000).emitWithAck('snapshot', {})) as { position: { epoch: string } }
  ).position;
  const changes: Change[] = [];
  let since = { epoch: snapshotHead.epoch, seq: 0 };
  for (;;) {
    const r = (await socket
      .timeout(20_000)
      .emitWithAck('pull', { since, limit: 5000 })) as PullResponse;
    if (!r.ok) throw new Error(r.refusal.message);
    changes.push(...r.changes);
    if (r.changes.length === 0 || r.head.seq === since.seq) return { changes, head: r.head };
    since = { epoch: r.head.epoch, seq: r.changes.at(-1)!.seq };
    if (since.seq >= r.head.seq) return { changes, head: r.head };
  }
}

/** The invariants every history must keep; returns a list of broken ones (empty = fine). */
export function checkInvariants(
  sent: readonly Sent[],
  changes: readonly Change[],
  head: { seq: number },
): string[] {
  const broken: string[] = [];
  changes.forEach((c, i) => {
    if (c.seq !== i + 1) broken.push(`gap in the log at ${i + 1} (found ${c.seq})`);
  });
  if (changes.length !== head.seq)
    broken.push(`log has ${changes.length} changes but head is ${head.seq}`);
  const final = new Map<string, Customer>();
  for (const c of changes)
    if (c.entity.kind === 'customer') final.set(c.entity.customer.id, c.entity.customer);
  const tickets = new Set<string>();
  for (const c of final.values()) {
    const key = `${c.ticketDay}/${c.ticket}`;
    if (tickets.has(key)) broken.push(`ticket ${key} issued twice`);
    tickets.add(key);
  }
  const calledIds = new Map<string, number>();
  for (const c of changes) {
    if (c.event === 'called' && c.entity.kind === 'customer') {
      calledIds.set(c.entity.customer.id, (calledIds.get(c.entity.customer.id) ?? 0) + 1);
    }
  }
  for (const [id, n] of calledIds) if (n > 1) broken.push(`customer ${id} called ${n} times`);
  const ackedCalls = new Set<string>();
  for (const s of sent) {
    if (s.result === null) continue;
    if (s.op.kind === 'register') {
      if (!s.result.ok) broken.push(`register refused: ${s.result.refusal.message}`);
      else if (!final.has(s.result.customer!.id))
        broken.push(`acknowledged register ${s.result.customer!.id} lost`);
    } else if (s.result.ok) {
      const id = s.result.customer!.id;
      if (ackedCalls.has(id)) broken.push(`two desks got customer ${id}`);
      ackedCalls.add(id);
      const now = final.get(id);
      if (now === undefined || now.state === 'waiting')
        broken.push(`acknowledged call of ${id} lost`);
    } else if (s.result.refusal.code !== 'queue_empty') {
      broken.push(`call refused: ${s.result.refusal.code}`);
    }
  }
  return broken;
}
