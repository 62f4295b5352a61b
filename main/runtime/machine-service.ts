// The ticket machine: issuing tickets (numbered from its own reserved blocks, or by the hub),
// keeping that reserve topped up, undoing tickets the hub refused, and paging its pager customers.
import { randomUUID } from 'node:crypto';
import { ApplianceError } from '../../shared/api/appliance-api.js';
import type { Customer, Device, Service } from '../../shared/domain/entities.js';
import {
  estimateFor,
  estimateWaitMinutes,
  observedServiceMinutes,
  openDesksFor,
} from '../../shared/domain/estimate.js';
import { formatTicket, storeDay } from '../../shared/domain/numbering.js';
import { mustWaitAtRegistration, shouldAlert } from '../../shared/domain/turn-near.js';
import type {
  Change,
  Command,
  CommandEnvelope,
  Refusal,
  TicketBlock,
} from '../../shared/protocol/sync.js';
import { OfflineError } from '../sync/sync-client.js';
import type { HubCommands } from './hub-commands.js';
import type { RuntimeContext } from './runtime-context.js';
import { printTicket } from './ticket-printing.js';

export type RegisterPayload = Extract<Command, { type: 'register' }>['payload'];

export interface RegisterParams {
  serviceId: string;
  servicePath: string[];
  lang: string;
  contactMode: Customer['contactMode'];
  contact: Customer['contact'];
  pager: number | null;
}

/** A ticket this machine numbered itself; the hub may still refuse it. */
export type OfflineTicketEnvelope = Extract<
  CommandEnvelope,
  { type: 'register_from_block' | 'register_offline' }
>;

interface Estimate {
  peopleBefore: number;
  waitMinutes: number;
}

export class MachineService {
  /** One reservation round at a time: a burst of status changes must not ask for many blocks. */
  private reserving: Promise<void> | null = null;

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
      const result = await sync.flushAndWait(issued.commandId, wait);
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
    const print = await printTicket(this.ctx, customer, service, estimate);
    return { customer, ...estimate, print, offline };
  }

  private leafService(serviceId: string): Service {
    const service = this.ctx.store?.services().find((s) => s.id === serviceId);
    if (service === undefined) throw new ApplianceError('invalid', `Unknown service ${serviceId}.`);
    if (service.childIds.length > 0)
      throw new ApplianceError('invalid', 'This is a menu: choose one of its services.');
    return service;
  }

  /** The hub numbers the ticket (after every reserved block); null when it did not answer. */
  private async registerByHub(payload: RegisterPayload): Promise<Customer | null> {
    const store = this.ctx.store;
    const sync = this.ctx.sync();
    if (store === null || sync === null) return null;
    const envelope = this.hub.envelope({ type: 'register', payload });
    store.enqueue(envelope);
    try {
      const result = await sync.send(envelope);
      if (!result.ok) {
        store.removeOutbox(envelope.id);
        throw this.hub.refused(result.refusal);
      }
      store.removeOutbox(envelope.id, () => {
        if (result.customer !== null) store.applyResultCustomer(result.customer, result.position);
      });
      return result.customer;
    } catch (error) {
      if (!(error instanceof OfflineError)) throw error;
      // No answer: the hub may still apply it later; then it is cancelled (see the outbox).
      store.markAbandoned(envelope.id);
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
  ): { customer: Customer; commandId: string } | null {
    const store = this.ctx.store;
    const shop = store?.store() ?? null;
    if (store === null || shop === null) return null;
    const now = this.ctx.now();
    const day = storeDay(now, shop.timeZone);
    const block = this.usableBlocks(device, service, day)[0]?.block;
    if (block === undefined) return null;
    return store.db.transaction((): { customer: Customer; commandId: string } | null => {
      const n = store.takeBlockNumber(block);
      if (n === null) return null;
      const at = now.toISOString();
      const arrivalSeq = store.customers().reduce((m, c) => Math.max(m, c.arrivalSeq), 0) + 1;
      const customer: Customer = {
        id: randomUUID().replaceAll('-', ''),
        storeId: shop.id,
        serviceId: service.id,
        servicePath: payload.servicePath.length > 0 ? payload.servicePath : [service.id],
        machineId: device.id,
        lang: payload.lang,
        registeredBy: device.id,
        contactMode: payload.contactMode,
        contact: payload.contact,
        pager: payload.pager,
        state: 'waiting',
        ticketPrefix: block.ticketPrefix,
        ticketNumber: n,
        ticketDay: block.ticketDay,
        ticket: formatTicket(block.ticketPrefix, n),
        prioritized: service.prioritize || service.prm,
        appointment: null,
        registeredAt: at,
        checkedInAt: null,
        sortAt: at,
        arrivalSeq,
        calledAt: null,
        servingAt: null,
        finishedAt: null,
        updatedAt: at,
        deskId: null,
        recalls: 0,
        peopleBefore: 0,
        mustWait: false,
        alerted: false,
        visits: 0,
      };
      const estimate = this.estimate(customer);
      customer.peopleBefore = estimate.peopleBefore;
      customer.mustWait = mustWaitAtRegistration(estimate, shop);
      const envelope = this.hub.envelope({
        type: 'register_from_block',
        payload: {
          ...payload,
          customerId: customer.id,
          blockId: block.id,
          ticketNumber: n,
          issuedAt: at,
        },
      });
      store.enqueue(envelope, () => store.putLocalCustomer(customer));
      return { customer, commandId: envelope.id };
    })();
  }

  /** The hub's people-before for a ticket it accepted, and the wait that goes with it here. */
  private estimateAsHub(customer: Customer): Estimate {
    const store = this.ctx.store;
    const shop = store?.store() ?? null;
    if (store === null || shop === null)
      return { peopleBefore: customer.peopleBefore, waitMinutes: 0 };
    const service = store.services().find((s) => s.id === customer.serviceId);
    return {
      peopleBefore: customer.peopleBefore,
      waitMinutes: estimateWaitMinutes({
        peopleBefore: customer.peopleBefore,
        serviceMinutes: service?.serviceMinutes ?? 5,
        openDesks: openDesksFor(customer.serviceId, {
          services: store.services(),
          devices: store.devices(),
          store: shop,
        }),
        observedMinutes: observedServiceMinutes(store.customers(), customer.serviceId),
      }),
    };
  }

  private estimate(customer: Customer): Estimate {
    const store = this.ctx.store;
    const shop = store?.store() ?? null;
    if (store === null || shop === null) return { peopleBefore: 0, waitMinutes: 0 };
    return estimateFor(customer, {
      customers: store.customers(),
      services: store.services(),
      devices: store.devices(),
      store: shop,
      now: this.ctx.now(),
    });
  }

  // ---- the offline reserve ------------------------------------------------------------------

  /** This machine's blocks for the service today that still fit it (its prefix may change). */
  private usableBlocks(
    device: Device,
    service: Service,
    day: string,
  ): { block: TicketBlock; left: number }[] {
    return (this.ctx.store?.usableBlocks(device.id, service.id, day) ?? []).filter(
      (b) => b.block.ticketPrefix === service.ticketPrefix,
    );
  }

  /** Keeps a reserve of offline numbers per service this machine offers. */
  reserveBlocks(): Promise<void> {
    this.reserving ??= this.reserveOnce().finally(() => {
      this.reserving = null;
    });
    return this.reserving;
  }

  private async reserveOnce(): Promise<void> {
    const store = this.ctx.store;
    const sync = this.ctx.sync();
    const device = this.ctx.device();
    const { options } = this.ctx;
    const shop = store?.store() ?? null;
    if (
      store === null ||
      sync === null ||
      !sync.connected ||
      device?.role !== 'machine' ||
      shop === null
    )
      return;
    const size = options.blockSize ?? 20;
    const low = options.blockLow ?? Math.ceil(size / 4);
    const day = storeDay(this.ctx.now(), shop.timeZone);
    for (const service of store.services()) {
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
          store.putBlock(result.block, result.position);
        }
      } catch (error) {
        options.log.warn(`could not reserve offline numbers: ${(error as Error).message}`);
        return;
      }
    }
  }

  /** The hub refused a ticket this machine numbered itself: take it out of the local queue. */
  onTicketRefused(envelope: OfflineTicketEnvelope, refusal: Refusal, awaited: boolean): void {
    const store = this.ctx.store;
    const id = envelope.payload.customerId;
    if (awaited) {
      // Refused before anyone saw it: register() tells the customer; just undo it here.
      store?.dropLocalCustomer(id);
      this.ctx.scheduleState();
      return;
    }
    // The ticket was handed out: keep telling staff, and take it out of the local queue.
    const ticket =
      store?.customers().find((c) => c.id === id)?.ticket ?? String(envelope.payload.ticketNumber);
    store?.dropLocalCustomer(id);
    this.ctx.notice(
      'error',
      `Offline ticket ${ticket} was refused by the hub: ${refusal.message} It is no longer in the queue.`,
    );
    this.ctx.scheduleState();
  }

  // ---- pagers -------------------------------------------------------------------------------

  /** A call (or recall) of one of this machine's pager customers; `key` identifies the change. */
  pageCalled(change: Change, customer: Customer, key: string): void {
    const store = this.ctx.store;
    if (store === null || customer.pager === null) return;
    if (customer.machineId !== this.ctx.device()?.id) return;
    // Each call (and each recall) buzzes once, however often the change is replayed.
    if (!store.markAnnounced(`pager:${key}`, change.at)) return;
    const desk = store.devices().find((d) => d.id === customer.deskId);
    void this.page(customer, desk?.name ?? '');
  }

  /**
   * "Your turn is near" for the pager customers of this machine who were told to come back
   * (mustWait): once per customer, when the domain rule says so.
   */
  pageTurnsNear(): void {
    const store = this.ctx.store;
    const shop = store?.store() ?? null;
    const me = this.ctx.device()?.id;
    if (this.ctx.role() !== 'machine' || this.ctx.peripherals.pager === null || store === null)
      return;
    if (!shop) return;
    const customers = store.customers();
    const mine = customers.filter(
      (c) => c.machineId === me && c.pager !== null && c.mustWait && c.state === 'waiting',
    );
    if (mine.length === 0) return;
    const ctx = {
      customers,
      services: store.services(),
      devices: store.devices(),
      store: shop,
      now: this.ctx.now(),
    };
    for (const customer of mine) {
      if (!shouldAlert(customer, estimateFor(customer, ctx), shop)) continue;
      if (!store.markAnnounced(`pager-near:${customer.id}`, ctx.now.toISOString())) continue;
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
