// The ticket machine: issuing tickets (numbered from its own reserved blocks, or by the hub),
// keeping that reserve topped up, undoing tickets the hub refused, and paging its pager customers.
import { randomUUID } from 'node:crypto';
import { ApplianceError, type RegisterParams } from '../../../shared/api/appliance-api.js';
import { newCustomer } from '../../../shared/domain/customer.js';
import type { Customer, Device, Service } from '../../../shared/domain/entities.js';
import { estimateFor, estimateWaitMinutes, openDesksFor } from '../../../shared/domain/estimate.js';
import { storeDay } from '../../../shared/domain/numbering.js';
import { mustWaitAtRegistration, shouldAlert } from '../../../shared/domain/turn-near.js';
import type {
  Change,
  CommandEnvelope,
  Refusal,
  RegisterPayload,
} from '../../../shared/protocol/sync.js';
import type { LocalTicket, UsableBlock } from '../../local-db/local-db.js';
import { OfflineError } from '../../sync/sync-client.js';
import type { HubCommands } from '../hub-commands.js';
import type { RuntimeContext } from '../runtime-context.js';
import { ticketPageUrl } from './ticket-page-link.js';
import { printTicket, type PrintOutcome } from './ticket-printing.js';

/** A ticket this machine numbered itself; the hub may still refuse it. */
export type OfflineTicketEnvelope = Extract<CommandEnvelope, { type: 'register_from_block' }>;

interface Estimate {
  peopleBefore: number;
  waitMinutes: number;
}

export class MachineService {
  /** One reservation round at a time: a burst of status changes must not ask for many blocks. */
  private reserving: Promise<void> | null = null;
  /** Reprint requests already carried out (customer id and the request's time). */
  private readonly reprinted = new Set<string>();

  constructor(
    private readonly ctx: RuntimeContext,
    private readonly hub: HubCommands,
  ) {}

  // ---- issuing tickets ----------------------------------------------------------------------

  /**
   * Issues a ticket. A machine holding numbers of its own for the service always numbers from
   * them (one path, online or offline: the ticket and its command are written together before
   * anything is shown); when the hub is reachable it is sent at once and the customer gets the
   * hub's answer. Only a machine with no numbers left asks the hub to number the ticket.
   */
  async register(params: RegisterParams) {
    const { device } = this.ctx.requireRole('machine');
    const { options } = this.ctx;
    const service = this.leafService(params.serviceId);
    const payload = { ...params, appointment: null };
    const issued = this.registerFromBlock(device, service, payload);
    let customer: Customer | null = issued?.customer ?? null;
    let offline = true;
    const sync = this.ctx.sync();
    if (issued !== null && sync !== null && sync.connected) {
      const wait = options.registerAckMs ?? options.ackTimeoutMs ?? 5000;
      const result = await sync.flushAndWait(issued.envelope.id, wait);
      if (result !== null && !result.ok) {
        // Nobody saw this ticket yet: the hub numbers one itself when the block was the problem.
        if (result.refusal.code !== 'conflict' && result.refusal.code !== 'not_found')
          throw this.hub.refused(result.refusal);
        options.log.warn(`ticket ${issued.customer.ticket} refused: ${result.refusal.message}`);
        customer = null;
      } else if (result !== null && result.customer !== null) {
        customer = result.customer;
        offline = false;
      }
    }
    if (customer === null && sync !== null && sync.connected) {
      customer = await this.registerByHub(payload);
      if (customer !== null) offline = false;
      // No answer: perhaps a block came meanwhile.
      else customer = this.registerFromBlock(device, service, payload)?.customer ?? null;
    }
    if (customer === null)
      throw new ApplianceError(
        'offline',
        sync?.connected === true
          ? 'The hub did not answer and no ticket numbers are left for this service: please try again or ask a member of staff.'
          : 'The hub is unreachable and no ticket numbers are left for this service: please ask a member of staff.',
      );
    void this.reserveBlocks();
    this.ctx.scheduleState();
    const estimate = offline ? this.estimate(customer) : this.estimateAsHub(customer);
    const pageUrl = offline ? null : await ticketPageUrl(this.ctx, customer.id);
    const print = await printTicket(this.ctx, customer, service, estimate, pageUrl);
    // On paper, or (not printed) shown on this screen by the answer below: handed out.
    this.handOut(customer);
    if (!print.printed) this.reportPrint(customer, print);
    return { customer, ...estimate, print, offline };
  }

  // ---- tickets no customer saw (issue 17) ---------------------------------------------------
  //
  // Every ticket this machine issues is registered `held` (desks skip it) and handed out once
  // its print job returned: printed, or, when it could not be, shown on this screen by the
  // register answer. A ticket still held when the machine starts again never reached anyone
  // (killed or powered off in between): it is withdrawn before the hub link starts.

  /** Tells the hub (through the outbox, after the ticket's own command) that desks may call it. */
  private handOut(customer: Customer): void {
    if (!customer.held) return;
    this.queueForHub(this.hub.envelope({ type: 'hand_out', payload: { customerId: customer.id } }));
  }

  /**
   * At boot, before the hub link starts: this machine's tickets that were never handed out are
   * cancelled first thing on reconnect and leave the local queue. Returns their tickets.
   */
  withdrawUnhandedTickets(machineId: string): string[] {
    const db = this.ctx.db;
    if (db === null) return [];
    return db.unhandedTickets(machineId).map((customer) => {
      db.withdrawTicket(
        customer.id,
        this.hub.envelope({ type: 'cancel', payload: { customerId: customer.id } }),
      );
      return customer.ticket;
    });
  }

  // ---- what is on paper (issue 16) ----------------------------------------------------------

  /**
   * Tells the hub whether a ticket is on paper, through the outbox: after the ticket's own
   * command, and kept until the hub has it (desks show "not printed" beside it).
   */
  private reportPrint(customer: Customer, print: PrintOutcome): void {
    this.queueForHub(
      this.hub.envelope({
        type: 'print_result',
        payload: {
          customerId: customer.id,
          printed: print.printed,
          reason: print.reason === null ? null : print.reason.slice(0, 500),
        },
      }),
    );
  }

  /** Queues a command in the outbox (kept until the hub has it) and sends it now if online. */
  private queueForHub(envelope: CommandEnvelope): void {
    const db = this.ctx.db;
    if (db === null) return;
    db.queueCommand(envelope);
    const sync = this.ctx.sync();
    if (sync?.connected === true)
      void sync.flushAndWait(envelope.id, this.ctx.options.ackTimeoutMs ?? 5000);
    this.ctx.scheduleState();
  }

  /** Prints one of this machine's tickets again and tells the hub how it went. */
  private async printAgain(customer: Customer): Promise<PrintOutcome> {
    const service = this.ctx.db?.service(customer.serviceId) ?? null;
    if (service === null)
      throw new ApplianceError('invalid', `Unknown service ${customer.serviceId}.`);
    const pageUrl = await ticketPageUrl(this.ctx, customer.id);
    const print = await printTicket(this.ctx, customer, service, this.estimate(customer), pageUrl);
    if (!print.printed || customer.printState !== 'printed') this.reportPrint(customer, print);
    return print;
  }

  /** The technician view reprints one of this machine's tickets. */
  async reprint(customerId: string): Promise<{ customer: Customer }> {
    const { device, db } = this.ctx.requireRole('machine');
    const customer = db.customer(customerId);
    if (customer === null || customer.machineId !== device.id)
      throw new ApplianceError('invalid', 'This ticket was not issued by this machine.');
    const print = await this.printAgain(customer);
    if (!print.printed)
      throw new ApplianceError(
        'refused',
        `Ticket ${customer.ticket} could not be printed: ${print.reason ?? 'printer problem'}`,
      );
    return { customer: db.customer(customerId) ?? customer };
  }

  /**
   * Reprints asked for through the hub (a desk): carried out once per request by the machine
   * that issued the ticket, from the replica as it is now (a pull replays old requests).
   */
  reprintRequested(changes: readonly Change[]): void {
    const db = this.ctx.db;
    const me = this.ctx.device()?.id;
    if (db === null || me === undefined || this.ctx.role() !== 'machine') return;
    for (const change of changes) {
      if (change.entity.kind !== 'customer' || change.entity.customer.machineId !== me) continue;
      const customer = db.customer(change.entity.customer.id);
      if (customer?.printState !== 'reprint') continue;
      const key = `${customer.id}:${customer.updatedAt}`;
      if (this.reprinted.has(key)) continue;
      this.reprinted.add(key);
      this.printAgain(customer).catch((error: unknown) =>
        this.ctx.options.log.warn(`reprint of ${customer.ticket} failed: ${String(error)}`),
      );
    }
  }

  private leafService(serviceId: string): Service {
    const service = this.ctx.db?.service(serviceId) ?? null;
    if (service === null) throw new ApplianceError('invalid', `Unknown service ${serviceId}.`);
    if (service.childIds.length > 0)
      throw new ApplianceError('invalid', 'This is a menu: choose one of its services.');
    return service;
  }

  /** The hub numbers the ticket (after every reserved block); null when it did not answer. */
  private async registerByHub(payload: RegisterPayload): Promise<Customer | null> {
    const db = this.ctx.db;
    const sync = this.ctx.sync();
    if (db === null || sync === null) return null;
    // Held until handed out: desks cannot call it if this machine dies before printing it.
    const envelope = this.hub.envelope({ type: 'register', payload: { ...payload, held: true } });
    db.queueCommand(envelope);
    try {
      const result = await sync.send(envelope);
      if (!result.ok) {
        db.dropCommand(envelope.id);
        throw this.hub.refused(result.refusal);
      }
      db.settleCommand(envelope.id, result);
      return result.customer;
    } catch (error) {
      if (!(error instanceof OfflineError)) throw error;
      // No answer: the hub may still apply it later; then it is cancelled (see the outbox).
      db.markAbandoned(envelope.id);
      return null;
    }
  }

  /**
   * Numbers a ticket from this machine's next block and writes it, with its command, in one
   * transaction; null when no number is left for this service today.
   */
  private registerFromBlock(
    device: Device,
    service: Service,
    payload: RegisterPayload,
  ): LocalTicket | null {
    const db = this.ctx.db;
    const shop = db?.store() ?? null;
    if (db === null || shop === null) return null;
    const now = this.ctx.now();
    const day = storeDay(now, shop.timeZone);
    const block = this.usableBlocks(device, service, day)[0]?.block;
    if (block === undefined) return null;
    const at = now.toISOString();
    return db.issueLocalTicket(block, (ticketNumber, arrivalSeq) => {
      const customer = newCustomer({
        id: randomUUID().replaceAll('-', ''),
        storeId: shop.id,
        service: { id: service.id, ticketPrefix: block.ticketPrefix },
        machineId: device.id,
        registeredBy: device.id,
        request: payload,
        ticketNumber,
        ticketDay: block.ticketDay,
        issuedAt: at,
        arrivalSeq,
        held: true,
      });
      const estimate = this.estimate(customer);
      customer.peopleBefore = estimate.peopleBefore;
      customer.mustWait = mustWaitAtRegistration(estimate, shop);
      const envelope = this.hub.envelope({
        type: 'register_from_block',
        payload: {
          ...payload,
          customerId: customer.id,
          blockId: block.id,
          ticketNumber,
          issuedAt: at,
          held: true,
        },
      });
      return { customer, envelope };
    });
  }

  /** The hub's people-before for a ticket it accepted, and the wait that goes with it here. */
  private estimateAsHub(customer: Customer): Estimate {
    const db = this.ctx.db;
    const shop = db?.store() ?? null;
    if (db === null || shop === null)
      return { peopleBefore: customer.peopleBefore, waitMinutes: 0 };
    const service = db.service(customer.serviceId);
    return {
      peopleBefore: customer.peopleBefore,
      waitMinutes: estimateWaitMinutes({
        peopleBefore: customer.peopleBefore,
        serviceMinutes: service?.serviceMinutes ?? 5,
        openDesks: openDesksFor(customer.serviceId, {
          services: db.services(),
          devices: db.devices(),
          store: shop,
        }),
        observedMinutes: db.observedMinutes(customer.serviceId),
      }),
    };
  }

  private estimate(customer: Customer): Estimate {
    const db = this.ctx.db;
    const shop = db?.store() ?? null;
    if (db === null || shop === null) return { peopleBefore: 0, waitMinutes: 0 };
    return estimateFor(customer, {
      customers: db.openCustomers(),
      observedMinutes: db.observedMinutes(customer.serviceId),
      services: db.services(),
      devices: db.devices(),
      store: shop,
      now: this.ctx.now(),
    });
  }

  // ---- the offline reserve ------------------------------------------------------------------

  /** This machine's blocks for the service today that still fit it (its prefix may change). */
  private usableBlocks(device: Device, service: Service, day: string): UsableBlock[] {
    return this.ctx.db?.usableBlocks(device.id, service.id, day, service.ticketPrefix) ?? [];
  }

  /** Keeps a reserve of offline numbers per service this machine offers. */
  reserveBlocks(): Promise<void> {
    this.reserving ??= this.reserveOnce().finally(() => {
      this.reserving = null;
    });
    return this.reserving;
  }

  private async reserveOnce(): Promise<void> {
    const db = this.ctx.db;
    const sync = this.ctx.sync();
    const device = this.ctx.device();
    const { options } = this.ctx;
    const shop = db?.store() ?? null;
    if (
      db === null ||
      sync === null ||
      !sync.connected ||
      device?.role !== 'machine' ||
      shop === null
    )
      return;
    const size = options.blockSize ?? 20;
    const low = options.blockLow ?? Math.ceil(size / 4);
    const day = storeDay(this.ctx.now(), shop.timeZone);
    for (const service of db.services()) {
      if (service.childIds.length > 0) continue;
      if (service.machineIds.length > 0 && !service.machineIds.includes(device.id)) continue;
      const left = this.usableBlocks(device, service, day).reduce((n, b) => n + b.left, 0);
      if (left >= low) continue;
      try {
        const result = await sync.send(
          this.hub.envelope({ type: 'reserve_block', payload: { serviceId: service.id, size } }),
        );
        if (!result.ok) {
          options.log.warn(
            `could not reserve offline numbers for ${service.id}: ${result.refusal.message}`,
          );
        } else if (result.block !== null) {
          db.putBlock(result.block, result.position);
        }
      } catch (error) {
        options.log.warn(`could not reserve offline numbers: ${(error as Error).message}`);
        return;
      }
    }
  }

  /** The hub refused a ticket this machine numbered itself: take it out of the local queue. */
  onTicketRefused(envelope: OfflineTicketEnvelope, refusal: Refusal, awaited: boolean): void {
    const db = this.ctx.db;
    const id = envelope.payload.customerId;
    if (awaited) {
      // Refused before anyone saw it: register() tells the customer; just undo it here.
      db?.dropLocalCustomer(id);
      this.ctx.scheduleState();
      return;
    }
    // The ticket was handed out: keep telling staff, and take it out of the local queue.
    const ticket = db?.customer(id)?.ticket ?? String(envelope.payload.ticketNumber);
    db?.dropLocalCustomer(id);
    this.ctx.notice(
      'error',
      `Offline ticket ${ticket} was refused by the hub: ${refusal.message} It is no longer in the queue.`,
    );
    this.ctx.scheduleState();
  }

  // ---- pagers -------------------------------------------------------------------------------

  /** A call (or recall) of one of this machine's pager customers; `key` identifies the change. */
  pageCalled(change: Change, customer: Customer, key: string): void {
    const db = this.ctx.db;
    if (db === null || customer.pager === null) return;
    if (customer.machineId !== this.ctx.device()?.id) return;
    // Each call (and each recall) buzzes once, however often the change is replayed.
    if (!db.markAnnounced(`pager:${key}`, change.at)) return;
    const desk = customer.deskId === null ? null : db.device(customer.deskId);
    void this.page(customer, desk?.name ?? '');
  }

  /**
   * "Your turn is near" for the pager customers of this machine who were told to come back
   * (mustWait): once per customer, when the domain rule says so.
   */
  pageTurnsNear(): void {
    const db = this.ctx.db;
    const shop = db?.store() ?? null;
    const me = this.ctx.device()?.id;
    if (this.ctx.role() !== 'machine' || this.ctx.peripherals.pager === null || db === null) return;
    if (!shop) return;
    const customers = db.customers();
    const mine = customers.filter(
      (c) => c.machineId === me && c.pager !== null && c.mustWait && c.state === 'waiting',
    );
    if (mine.length === 0) return;
    const ctx = {
      customers,
      services: db.services(),
      devices: db.devices(),
      store: shop,
      now: this.ctx.now(),
    };
    for (const customer of mine) {
      if (!shouldAlert(customer, estimateFor(customer, ctx), shop)) continue;
      if (!db.markAnnounced(`pager-near:${customer.id}`, ctx.now.toISOString())) continue;
      void this.page(customer, null);
    }
  }

  /** Pages a customer (the driver retries); a failure is told to staff, never dropped. */
  private async page(customer: Customer, deskName: string | null): Promise<void> {
    if (customer.pager === null) return;
    // Pagers show short ASCII: the ticket, and where to go when called.
    const text = deskName === null ? customer.ticket : `${customer.ticket} ${deskName}`.trim();
    const failure = await this.ctx.peripherals.page(customer.pager, text);
    if (failure === null) return;
    const what = deskName === null ? 'that their turn is near' : 'that they are called';
    this.ctx.notice(
      'error',
      `Ticket ${customer.ticket} could not be told ${what} by pager ${customer.pager}: ${failure} Please call them another way.`,
    );
    this.ctx.scheduleState();
  }
}
