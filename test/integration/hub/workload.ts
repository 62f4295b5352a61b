// A store with many kiosks and desks, and a seeded random workload of registers (numbered by the
// hub, or by the kiosk from a block it holds, as runtimes do) and calls sent concurrently from
// many sockets; the invariants are checked against the hub's log.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { Socket } from 'socket.io-client';
import { openTestHubRepo } from '../../support/hub-engine.js';
import { addDevice, claimCredential, seedStore } from '../../../cloud/engine/admin.js';
import { HubEngine } from '../../../cloud/engine/hub-engine.js';
import type { Customer } from '../../../shared/domain/entities.js';
import type {
  Change,
  CommandResult,
  DeviceCredential,
  PullResponse,
  TicketBlock,
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
  /** blocks[kiosk][service]: numbers each kiosk holds for each of LEAF_SERVICES today. */
  blocks: TicketBlock[][];
}

/** Numbers each kiosk holds per service: more than any workload issues from one block. */
const BLOCK_SIZE = 400;

/**
 * Seeds the demo store plus `kiosks` machines and `desks` desks serving every service; each
 * kiosk reserves a block per service, so registers the hub numbers must skip them.
 */
export async function seedFleet(dataDir: string, kiosks: number, desks: number): Promise<Fleet> {
  const repo = await openTestHubRepo(dataDir);
  try {
    const engine = new HubEngine(repo);
    await seedStore(engine);
    const mac = (n: number) => `02:00:00:00:10:${n.toString(16).padStart(2, '0')}`;
    const fleet: Fleet = { kiosks: [], desks: [], blocks: [] };
    // Each device claims its credential once, as its runtime would with POST /provision.
    const claim = async (deviceId: string): Promise<DeviceCredential> => {
      const credential = await claimCredential(engine, deviceId);
      if (credential === null) throw new Error(`${deviceId} already claimed its credential`);
      return credential;
    };
    for (let i = 0; i < kiosks; i++) {
      const { device } = await addDevice(engine, {
        storeId: 'demo-store',
        mac: mac(i),
        hostname: `load-kiosk-${i}`,
        role: 'machine',
      });
      const credential = await claim(device.id);
      fleet.kiosks.push(credential);
      const blocks: TicketBlock[] = [];
      for (const serviceId of LEAF_SERVICES) {
        const r = await engine.applyCommand(
          { deviceId: credential.deviceId, origin: credential.deviceId },
          {
            id: randomUUID(),
            issuedAt: new Date().toISOString(),
            type: 'reserve_block',
            payload: { serviceId, size: BLOCK_SIZE },
          },
        );
        if (!r.ok || r.block === null) throw new Error(`no block: ${JSON.stringify(r)}`);
        blocks.push(r.block);
      }
      fleet.blocks.push(blocks);
    }
    for (let i = 0; i < desks; i++) {
      const { device } = await addDevice(engine, {
        storeId: 'demo-store',
        mac: mac(100 + i),
        hostname: `load-desk-${i}`,
        role: 'desk',
        serviceIds: [...LEAF_SERVICES],
      });
      const credential = await claim(device.id);
      fleet.desks.push(credential);
    }
    return fleet;
  } finally {
    await repo.close();
  }
}

export type Op =
  | { kind: 'register' | 'register_block'; by: number; service: number; retry: boolean }
  | { kind: 'next'; by: number; retry: boolean };

export const opArb = (kiosks: number, desks: number): fc.Arbitrary<Op> =>
  fc.oneof(
    fc.record({
      kind: fc.constantFrom('register' as const, 'register_block' as const),
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
  command: CommandInput;
  result: CommandResult | null;
}

export interface Connected {
  kiosks: Socket[];
  desks: Socket[];
  /** The next number each kiosk takes from its block per service (as a runtime keeps it). */
  nextInBlock: number[][];
  blocks: TicketBlock[][];
  close(): void;
}

/**
 * Connects every device to the hub at `url`; with several hub nodes, device i of each kind to
 * node (i + shift) mod n.
 */
export async function connectFleet(
  url: string | readonly string[],
  fleet: Fleet,
  shift = 0,
): Promise<Connected> {
  const urls = typeof url === 'string' ? [url] : url;
  const on = (i: number): string => urls[(i + shift) % urls.length] ?? urls[0]!;
  const kiosks = await Promise.all(fleet.kiosks.map((c, i) => connectDevice(on(i), c)));
  const desks = await Promise.all(fleet.desks.map((c, i) => connectDevice(on(i), c)));
  return {
    kiosks,
    desks,
    blocks: fleet.blocks,
    nextInBlock: fleet.blocks.map((perService) => perService.map((b) => b.first)),
    close: () => [...kiosks, ...desks].forEach((s) => s.disconnect()),
  };
}

/** The command an op sends; a block register takes the kiosk's next number for the service. */
export function commandFor(op: Op, n: number, conn: Connected): CommandInput {
  if (op.kind === 'next') return { type: 'call_next', payload: {} } as const;
  const payload = {
    serviceId: LEAF_SERVICES[op.service] as string,
    lang: 'EN',
    contactMode: 'name',
    contact: { name: `Customer ${n}` },
  } as const;
  if (op.kind === 'register') return { type: 'register', payload } as const;
  const block = conn.blocks[op.by]?.[op.service];
  const next = conn.nextInBlock[op.by];
  if (block === undefined || next === undefined) throw new Error('no block for this op');
  const ticketNumber = next[op.service] ?? block.first;
  if (ticketNumber > block.last) throw new Error('the workload ran past a block');
  next[op.service] = ticketNumber + 1;
  return {
    type: 'register_from_block',
    payload: {
      ...payload,
      customerId: randomUUID().replaceAll('-', ''),
      blockId: block.id,
      ticketNumber,
      issuedAt: new Date().toISOString(),
    },
  } as const;
}

/** Sends every op at once (concurrently over all sockets); a `retry` op is sent twice. */
/**
 * A result the device may rely on: not lost, and not the hub failing (`internal`, e.g. its
 * database restarting), which says nothing about whether the command took effect.
 */
export function answered(result: CommandResult | null | undefined): result is CommandResult {
  return result != null && (result.ok || result.refusal.code !== 'internal');
}

export async function runOps(
  conn: Connected,
  ops: readonly Op[],
  timeoutMs = 20_000,
  onAck: () => void = () => undefined,
): Promise<Sent[]> {
  return Promise.all(
    ops.map(async (op, n) => {
      const socket = op.kind === 'next' ? conn.desks[op.by] : conn.kiosks[op.by];
      const id = randomUUID();
      const command = commandFor(op, n, conn);
      const env = envelope(command, id);
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
      if (answered(first) && answered(second) && JSON.stringify(first) !== JSON.stringify(second)) {
        throw new Error(`retry of ${id} gave another result`);
      }
      const result = [first, second].find(answered) ?? first ?? second ?? null;
      return { op, id, command, result };
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

export type Pulled = Awaited<ReturnType<typeof pullAll>>;

/**
 * The whole log through each socket, once it has stopped growing: the hub's own follow-ups (the
 * turn-near alerts after calls and registers) may still be appended after the last answer.
 */
export async function settledPulls<const T extends readonly Socket[]>(
  sockets: T,
): Promise<{ -readonly [K in keyof T]: Pulled }> {
  for (let attempt = 0; ; attempt++) {
    const pulled = await Promise.all(sockets.map((s) => pullAll(s)));
    const again = await pullAll(sockets[0]!);
    const settled = [...pulled, again].every(
      (p) => p.head.epoch === again.head.epoch && p.head.seq === again.head.seq,
    );
    if (settled || attempt === 40) return pulled as { -readonly [K in keyof T]: Pulled };
    await new Promise((resolve) => setTimeout(resolve, 250));
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
    if (s.op.kind !== 'next') {
      if (!s.result.ok) broken.push(`${s.command.type} refused: ${s.result.refusal.message}`);
      else if (!final.has(s.result.customer!.id))
        broken.push(`acknowledged register ${s.result.customer!.id} lost`);
      else if (s.command.type === 'register_from_block') {
        const want = s.command.payload;
        const got = final.get(s.result.customer!.id)!;
        const block = want.blockId;
        if (got.id !== want.customerId || got.ticketNumber !== want.ticketNumber)
          broken.push(`block ${block} ticket ${want.ticketNumber} renumbered to ${got.ticket}`);
      }
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
