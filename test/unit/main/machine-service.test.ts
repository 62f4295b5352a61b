// The ticket machine's own logic through the runtime-context seam: a real local database and a
// hub scripted per test (the real-process paths are in test/integration/runtime).
import { afterEach, describe, expect, it } from 'vitest';
import { ApplianceError } from '../../../shared/api/appliance-api.js';
import { newCustomer } from '../../../shared/domain/customer.js';
import type { Customer } from '../../../shared/domain/entities.js';
import type { CommandEnvelope, CommandResult, TicketBlock } from '../../../shared/protocol/sync.js';
import { DISK_FULL_MESSAGE } from '../../../main/local-db/local-db.js';
import { HubCommands } from '../../../main/runtime/hub-commands.js';
import { MachineService } from '../../../main/runtime/roles/machine-service.js';
import {
  anonymousTicket,
  DAY,
  machine,
  machineBlock,
  openSeam,
  type HubScript,
  type Seam,
} from './runtime-seam.js';

const seams: Seam[] = [];
afterEach(() => seams.splice(0).forEach((s) => s.close()));

/** A hub that reserves blocks of `size` from 1 up and accepts every ticket numbered from them. */
function fairHub(): HubScript & { blocks: TicketBlock[]; accepted: string[] } {
  let seq = 1;
  let nextFirst = 1;
  const blocks: TicketBlock[] = [];
  const accepted: string[] = [];
  const script = (envelope: CommandEnvelope): CommandResult => {
    seq += 1;
    const position = { epoch: 'e1', seq };
    if (envelope.type === 'reserve_block') {
      const block: TicketBlock = {
        ...machineBlock(`b${blocks.length + 1}`, nextFirst, nextFirst + envelope.payload.size - 1),
        serviceId: envelope.payload.serviceId,
      };
      nextFirst += envelope.payload.size;
      blocks.push(block);
      return { ok: true, position, customer: null, block };
    }
    if (envelope.type === 'register_from_block') {
      accepted.push(envelope.payload.customerId);
      return { ok: true, position, customer: null, block: null };
    }
    if (envelope.type === 'register') {
      const customer: Customer = newCustomer({
        id: `hub${seq}`,
        storeId: 'store-1',
        service: { id: 'svc-a', ticketPrefix: 'A' },
        machineId: machine.id,
        registeredBy: machine.id,
        request: { ...envelope.payload },
        ticketNumber: 500 + seq,
        ticketDay: DAY,
        issuedAt: envelope.issuedAt,
        arrivalSeq: seq,
      });
      return { ok: true, position, customer, block: null };
    }
    return { ok: false, refusal: { code: 'invalid', message: 'not scripted' } };
  };
  return Object.assign(script, { blocks, accepted });
}

/** A ticket machine on its own seam, whose hub answers as `script` says. */
function machineOn(script: HubScript): { seam: Seam; service: MachineService } {
  const seam = openSeam(script);
  seams.push(seam);
  return { seam, service: new MachineService(seam.ctx, new HubCommands(seam.ctx)) };
}

describe('ticket machine (through the runtime-context seam)', () => {
  it('numbers tickets from its own block, one after another, and tops the reserve up', async () => {
    const hub = fairHub();
    const { seam, service } = machineOn(hub);
    await service.reserveBlocks();
    expect(hub.blocks).toHaveLength(1);
    const numbers: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const ticket = await service.register(anonymousTicket);
      numbers.push(ticket.customer.ticketNumber);
      expect(ticket.offline).toBe(true);
      // The rule is one place: a new ticket is never prioritized by its service at creation.
      expect(ticket.customer.prioritized).toBe(false);
      await service.reserveBlocks();
    }
    expect(numbers).toEqual([1, 2, 3, 4, 5]);
    expect(hub.accepted).toHaveLength(5);
    expect(seam.db.outboxCount()).toBe(0);
    expect(
      seam.db
        .customers()
        .map((c) => c.ticketNumber)
        .sort((a, b) => a - b),
    ).toEqual(numbers);
  });

  it('offline with numbers left: issues from the block and keeps the command for later', async () => {
    const hub = fairHub();
    const { seam, service } = machineOn(hub);
    await service.reserveBlocks();
    seam.hub.connected = false;
    const a = await service.register(anonymousTicket);
    const b = await service.register(anonymousTicket);
    expect([a.customer.ticket, b.customer.ticket]).toEqual(['A1', 'A2']);
    expect(a.offline && b.offline).toBe(true);
    // The seam has no printer: each ticket is handed out on screen, and its "not printed" report
    // waits right after it.
    expect(seam.db.outbox().map((e) => e.envelope.type)).toEqual([
      'register_from_block',
      'hand_out',
      'print_result',
      'register_from_block',
      'hand_out',
      'print_result',
    ]);
  });

  it('offline with no numbers left: refuses plainly and writes nothing', async () => {
    const { seam, service } = machineOn(fairHub());
    seam.hub.connected = false;
    const error = await service.register(anonymousTicket).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplianceError);
    expect((error as ApplianceError).code).toBe('offline');
    expect(seam.db.outboxCount()).toBe(0);
    expect(seam.db.customers()).toEqual([]);
  });

  it('a block the hub refuses (conflict): the ticket is undone and the hub numbers one', async () => {
    const hub = fairHub();
    const { seam, service } = machineOn((envelope) =>
      envelope.type === 'register_from_block'
        ? { ok: false, refusal: { code: 'conflict', message: 'number used' } }
        : hub(envelope),
    );
    await service.reserveBlocks();
    const ticket = await service.register(anonymousTicket);
    expect(ticket.offline).toBe(false);
    expect(ticket.customer.id).toMatch(/^hub/);
    // The refused local ticket is not in the queue, and nothing waits in the outbox.
    service.onTicketRefused(
      seam.hub.sent.find((e) => e.type === 'register_from_block') as never,
      { code: 'conflict', message: 'number used' },
      true,
    );
    expect(seam.db.customers().map((c) => c.id)).toEqual([ticket.customer.id]);
    expect(seam.db.outboxCount()).toBe(0);
  });

  it('an offline ticket refused later is taken out of the queue and staff are told', async () => {
    const hub = fairHub();
    const { seam, service } = machineOn(hub);
    await service.reserveBlocks();
    seam.hub.connected = false;
    const ticket = await service.register(anonymousTicket);
    const [entry] = seam.db.outbox();
    service.onTicketRefused(
      entry?.envelope as never,
      { code: 'not_found', message: 'Gone.' },
      false,
    );
    expect(seam.db.customer(ticket.customer.id)).toBeNull();
    expect(seam.events).toContainEqual({
      type: 'notice',
      notice: {
        level: 'error',
        message: `Offline ticket ${ticket.customer.ticket} was refused by the hub: Gone. It is no longer in the queue.`,
      },
    });
  });

  it('a full disk is told plainly, and the number it could not write is not lost', async () => {
    const { seam, service } = machineOn(fairHub());
    seam.db.putBlock(machineBlock('big', 1, 5000), { epoch: 'e1', seq: 1 });
    seam.hub.connected = false;
    // A real SQLite "database or disk is full": the file may not grow past its current size.
    seam.raw.pragma(`max_page_count = ${String(seam.raw.pragma('page_count', { simple: true }))}`);
    let error: unknown = null;
    const issued: number[] = [];
    for (let i = 0; i < 2000 && error === null; i += 1) {
      try {
        issued.push((await service.register(anonymousTicket)).customer.ticketNumber);
      } catch (e) {
        error = e;
      }
    }
    expect(error).toBeInstanceOf(ApplianceError);
    expect((error as ApplianceError).message).toBe(DISK_FULL_MESSAGE);
    // Space again: the next ticket takes the number the failed one could not write.
    seam.raw.pragma('max_page_count = 1000000');
    const next = await service.register(anonymousTicket);
    expect(next.customer.ticketNumber).toBe(issued.length + 1);
  });
});
