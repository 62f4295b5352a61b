// Phantom tickets (issue 17) as a property: a ticket machine dies at a random point of a random
// run of registrations (the hub applied a ticket but its answer never came back, or the ticket
// waits for a printer that never takes it), online or offline, with or without blocks; after
// its restart and reconnect, the tickets the hub keeps waiting are exactly those handed out, and
// no ticket number is used twice. A real local database file (opened again at "restart"); the
// hub is a model that applies each command once (by id) the way the hub's handlers do.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { RegisterParams } from '../../../shared/api/appliance-api.js';
import { newCustomer } from '../../../shared/domain/customer.js';
import type { Customer } from '../../../shared/domain/entities.js';
import type { CommandEnvelope, CommandResult, TicketBlock } from '../../../shared/protocol/sync.js';
import { openDatabase } from '../../../main/local-db/database.js';
import { LocalDb } from '../../../main/local-db/local-db.js';
import { HubCommands } from '../../../main/runtime/hub-commands.js';
import type { PrinterPort } from '../../../main/runtime/peripherals.js';
import { MachineService } from '../../../main/runtime/roles/machine-service.js';
import type { HubSync, RuntimeContext } from '../../../main/runtime/runtime-context.js';
import { OfflineError, settleAnswer } from '../../../main/sync/sync-client.js';
import {
  anonymousTicket,
  DAY,
  machine,
  machineBlock,
  openSeam,
  type Seam,
} from './runtime-seam.js';

const seams: Seam[] = [];
afterEach(() => seams.splice(0).forEach((s) => s.close()));

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

/** The hub's side, as its handlers behave: held tickets, hand-outs, cancels; once per command id. */
class ModelHub implements HubSync {
  connected = true;
  allowBlocks = true;
  readonly customers = new Map<string, Customer>();
  /** Set to die on the next registration: applied here, its answer never comes back. */
  dieOnRegistration: (() => void) | null = null;
  private readonly results = new Map<string, CommandResult>();
  private seq = 1;
  private nextFirst = 1;
  private nextHubNumber = 500;

  constructor(public db: LocalDb) {}

  get online(): boolean {
    return this.connected;
  }

  async send(envelope: CommandEnvelope): Promise<CommandResult> {
    if (!this.connected) throw new OfflineError('The hub is unreachable.');
    const result = this.results.get(envelope.id) ?? this.apply(envelope);
    this.results.set(envelope.id, result);
    const die = this.dieOnRegistration;
    if (die !== null && (envelope.type === 'register' || envelope.type === 'register_from_block')) {
      this.dieOnRegistration = null;
      die();
      return never();
    }
    return result;
  }

  /** Sends the outbox in order, as the sync client does (an abandoned register gets a cancel). */
  async flushAndWait(id: string): Promise<CommandResult | null> {
    let answer: CommandResult | null = null;
    for (const entry of this.db.outbox()) {
      let result: CommandResult;
      try {
        result = await this.send(entry.envelope);
      } catch {
        return null;
      }
      settleAnswer(this.db, entry, result);
      if (entry.envelope.id === id) answer = result;
    }
    return answer;
  }

  async pull(): Promise<boolean> {
    return true;
  }

  private ok(customer: Customer | null, block: TicketBlock | null = null): CommandResult {
    this.seq += 1;
    if (customer !== null) this.customers.set(customer.id, customer);
    return { ok: true, position: { epoch: 'e1', seq: this.seq }, customer, block };
  }

  private apply(envelope: CommandEnvelope): CommandResult {
    const refuse = (code: 'not_found' | 'conflict' | 'illegal_transition'): CommandResult => ({
      ok: false,
      refusal: { code, message: code },
    });
    const ticket = (id: string, ticketNumber: number, held: boolean | undefined) =>
      newCustomer({
        id,
        storeId: 'store-1',
        service: { id: 'svc-a', ticketPrefix: 'A' },
        machineId: machine.id,
        registeredBy: machine.id,
        request: { ...anonymousTicket, appointment: null },
        ticketNumber,
        ticketDay: DAY,
        issuedAt: envelope.issuedAt,
        arrivalSeq: this.seq,
        held: held ?? false,
      });
    switch (envelope.type) {
      case 'reserve_block': {
        if (!this.allowBlocks) return this.ok(null);
        const { size } = envelope.payload;
        const block = machineBlock(`b${this.nextFirst}`, this.nextFirst, this.nextFirst + size - 1);
        this.nextFirst += size;
        return this.ok(null, block);
      }
      case 'register_from_block': {
        const p = envelope.payload;
        if (this.customers.has(p.customerId)) return refuse('conflict');
        return this.ok(ticket(p.customerId, p.ticketNumber, p.held));
      }
      case 'register':
        return this.ok(ticket(`hub${this.seq}`, this.nextHubNumber++, envelope.payload.held));
      case 'hand_out':
      case 'cancel': {
        const c = this.customers.get(envelope.payload.customerId);
        if (c === undefined) return refuse('not_found');
        if (c.state !== 'waiting') return refuse('illegal_transition');
        return this.ok(
          envelope.type === 'cancel' ? { ...c, state: 'cancelled' } : { ...c, held: false },
        );
      }
      default:
        return this.ok(null);
    }
  }
}

/** A printer that takes every job, but never the one it is told to hang on. */
function printerOn(seam: Seam, hang: { next: (() => void) | null }): void {
  const printer = {
    print: () => {
      const stuck = hang.next;
      if (stuck === null) return Promise.resolve({ confirmed: true });
      hang.next = null;
      stuck();
      return never();
    },
  };
  (seam.ctx.peripherals as { printer: PrinterPort | null }).printer =
    printer as unknown as PrinterPort;
}

/** The machine as it starts again: the same database file opened anew, the hub link up. */
function restart(seam: Seam, hub: ModelHub): MachineService {
  const db = new LocalDb(openDatabase(seam.ctx.options.dataDir + '/lineup.db').db);
  hub.db = db;
  const ctx: RuntimeContext = {
    ...seam.ctx,
    db,
    sync: () => hub,
    requireRole: () => ({ device: machine, db }),
  };
  db.abandonPendingRegisters();
  const service = new MachineService(ctx, new HubCommands(ctx));
  service.withdrawUnhandedTickets(machine.id);
  return service;
}

const ticket: RegisterParams = anonymousTicket;

describe('phantom tickets (seeded property)', () => {
  it('after a crash at any point, the hub keeps waiting exactly the tickets handed out', async () => {
    const run = fc.record({
      before: fc.integer({ min: 0, max: 4 }),
      after: fc.integer({ min: 0, max: 2 }),
      crash: fc.constantFrom('answer-lost', 'printing'),
      offline: fc.boolean(),
      allowBlocks: fc.boolean(),
    });
    let crashed = 0;
    await fc.assert(
      fc.asyncProperty(run, async (r) => {
        const seam = openSeam(() => ({ ok: false, refusal: { code: 'internal', message: '' } }));
        seams.push(seam);
        const hub = new ModelHub(seam.db);
        hub.allowBlocks = r.allowBlocks;
        (seam.ctx as { sync: () => HubSync }).sync = () => hub;
        const hang = { next: null as (() => void) | null };
        printerOn(seam, hang);
        let service = new MachineService(seam.ctx, new HubCommands(seam.ctx));
        await service.reserveBlocks();
        const handedOut = new Set<string>();
        const issue = async (s: MachineService) => {
          try {
            handedOut.add((await s.register(ticket)).customer.id);
          } catch {
            // No number left offline: no ticket, nothing to hand out.
          }
        };
        for (let i = 0; i < r.before; i++) await issue(service);

        // The ticket the machine dies on: it never returns; the machine is gone.
        hub.connected = !r.offline;
        const died = new Promise<boolean>((resolve) => {
          if (r.crash === 'printing') hang.next = () => resolve(true);
          else hub.dieOnRegistration = () => resolve(true);
          void issue(service).then(() => resolve(false));
        });
        if (await died) crashed += 1;
        hang.next = null;
        hub.dieOnRegistration = null;

        hub.connected = true;
        service = restart(seam, hub);
        await hub.flushAndWait('');
        for (let i = 0; i < r.after; i++) await issue(service);
        await hub.flushAndWait('');

        const kept = [...hub.customers.values()].filter((c) => c.state === 'waiting');
        expect(new Set(kept.map((c) => c.id))).toEqual(handedOut);
        expect(kept.filter((c) => c.held)).toEqual([]);
        const numbers = [...hub.customers.values()].map((c) => c.ticketNumber);
        expect(new Set(numbers).size).toBe(numbers.length);
        expect(hub.db.outboxCount()).toBe(0);
      }),
      { seed: 1717, numRuns: 40 },
    );
    // The runs must really kill the machine mid-ticket, or the property proves nothing.
    expect(crashed).toBeGreaterThan(15);
  }, 120_000);
});
