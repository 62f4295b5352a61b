// Joining, leaving and stepping back in a store's queue from a phone. A phone ticket is a real
// ticket: it is registered through the engine by one of the store's ticket machines (as REST
// /register does), so it has the store's numbering and order, desks call it, screens show it
// and every estimate counts it. The store's phone-queue settings and the anti-abuse rules
// (one live ticket per phone, the radius, joins per IP per minute) are checked here first.
import type { Customer, Device, Service, Store } from '../../shared/domain/entities.js';
import type { CommandResult } from '../../shared/protocol/sync.js';
import { HubEngine } from '../engine/hub-engine.js';
import { customerIdOfPageToken, pageSecret, pageTokenOf } from './page-token.js';
import {
  distanceKm,
  isJoinable,
  isStoreOpen,
  readStoreQueue,
  serviceLoad,
  storePoint,
  type StoreQueue,
} from './queue-view.js';

/** Why a phone request was refused; `status` is the HTTP status it is answered with. */
export class PhoneRefusal extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'PhoneRefusal';
  }
}

const LIVE_STATES: ReadonlySet<Customer['state']> = new Set([
  'booked',
  'waiting',
  'called',
  'serving',
]);

export interface JoinRequest {
  storeId: string;
  serviceId: string;
  /** The Bloom account, when the phone logged in. */
  accountId: string | null;
  /** Who holds the ticket for "one per phone": the account id, or the browser's own key. */
  phoneKey: string;
  ip: string;
  /** Where the phone says it is, when it says. */
  position: { lat: number; lng: number } | null;
  lang: string;
  name?: string | undefined;
}

export interface PageTicket {
  customer: Customer;
  token: string;
}

export class PhoneQueue {
  private readonly hits = new Map<string, { minute: number; count: number }>();
  private secret: string | null = null;

  constructor(
    readonly engine: HubEngine,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** The unguessable token of a ticket's page: `/t/<token>` (any ticket of the hub). */
  async pageToken(customerId: string): Promise<string> {
    return pageTokenOf(await this.pageSecret(), customerId);
  }

  /** The ticket a page token names, or null when the token is not one the hub made. */
  async customerOfToken(token: string): Promise<Customer | null> {
    const id = customerIdOfPageToken(await this.pageSecret(), token);
    return id === null ? null : this.engine.repo.customer(id);
  }

  private async pageSecret(): Promise<string> {
    this.secret ??= await pageSecret(this.engine.repo);
    return this.secret;
  }

  /** A store that takes phone tickets, or a refusal. */
  async phoneStore(storeId: string): Promise<Store> {
    const store = await this.engine.repo.store(storeId);
    if (store === null) throw new PhoneRefusal(`There is no location ${storeId}.`, 404);
    if (!store.phoneQueue.enabled)
      throw new PhoneRefusal(`${store.name} does not take tickets from phones.`, 403);
    return store;
  }

  async join(request: JoinRequest): Promise<PageTicket> {
    const store = await this.phoneStore(request.storeId);
    this.countJoin(request.ip, store.phoneQueue.joinsPerMinutePerIp);
    const settings = store.phoneQueue;
    const now = this.clock();
    const queue = await readStoreQueue(this.engine, store, now);
    const service = queue.services.find((s) => s.id === request.serviceId);
    if (service === undefined || !isJoinable(service))
      throw new PhoneRefusal(`There is no service ${request.serviceId} at ${store.name}.`, 404);
    if (!isStoreOpen(store, queue.devices, now))
      throw new PhoneRefusal(`${store.name} is closed: no tickets can be taken now.`, 409);
    this.checkRadius(store, request.position);
    this.checkQueueLength(queue, service);
    if (!settings.allowMultiTicket) {
      const live = (await this.liveTickets(request.phoneKey))[0];
      if (live !== undefined)
        throw new PhoneRefusal(
          `You already hold ticket ${live.ticket}: one ticket per phone.`,
          409,
        );
    }
    const machine = ticketMachineFor(queue.devices, service);
    if (machine === undefined)
      throw new PhoneRefusal(`${store.name} has no ticket machine offering this service.`, 409);
    const result = await this.engine.applyCommand(
      { deviceId: machine.id, origin: 'bloom', registeredBy: `bloom:${request.phoneKey}` },
      {
        id: HubEngine.newCommandId(),
        issuedAt: now.toISOString(),
        type: 'register',
        payload: {
          serviceId: service.id,
          servicePath: [],
          lang: request.lang,
          contactMode: 'anonymous',
          contact: request.name === undefined ? {} : { name: request.name },
          pager: null,
          appointment: null,
        },
      },
    );
    const customer = customerOf(result);
    await this.engine.repo.insertBloomTicket({
      customerId: customer.id,
      storeId: store.id,
      accountId: request.accountId,
      phoneKey: request.phoneKey,
      createdMs: now.getTime(),
    });
    return { customer, token: await this.pageToken(customer.id) };
  }

  /** The phone's tickets still in the flow (newest last). */
  async liveTickets(phoneKey: string): Promise<Customer[]> {
    const out: Customer[] = [];
    for (const t of await this.engine.repo.bloomTickets({ phoneKey })) {
      const c = await this.engine.repo.customer(t.customerId);
      if (c !== null && LIVE_STATES.has(c.state)) out.push(c);
    }
    return out;
  }

  /** Leaves the queue: the ticket is cancelled everywhere (desks, screens, estimates). */
  async cancel(customer: Customer): Promise<Customer> {
    return customerOf(
      await this.asMachine(customer, { type: 'cancel', payload: { customerId: customer.id } }),
    );
  }

  /** "I'm running late": moves back `places` places. */
  async postpone(customer: Customer, places: number): Promise<Customer> {
    return customerOf(
      await this.asMachine(customer, {
        type: 'postpone',
        payload: { customerId: customer.id, places },
      }),
    );
  }

  private async asMachine(
    customer: Customer,
    command:
      | { type: 'cancel'; payload: { customerId: string } }
      | { type: 'postpone'; payload: { customerId: string; places: number } },
  ): Promise<CommandResult> {
    const devices = await this.engine.repo.devices(customer.storeId);
    const machine =
      devices.find((d) => d.id === customer.machineId) ?? devices.find((d) => d.role === 'machine');
    if (machine === undefined) throw new PhoneRefusal('This store has no ticket machine.', 409);
    return this.engine.applyCommand(
      { deviceId: machine.id, origin: 'bloom' },
      { id: HubEngine.newCommandId(), issuedAt: this.clock().toISOString(), ...command },
    );
  }

  private checkRadius(store: Store, position: JoinRequest['position']): void {
    const radius = store.phoneQueue.radiusKm;
    const point = storePoint(store);
    if (radius <= 0 || position === null || point === null) return;
    const km = distanceKm(position, point);
    if (km > radius) {
      throw new PhoneRefusal(
        `You are ${km.toFixed(1)} km from ${store.name}; tickets are taken within ${radius} km.`,
        403,
      );
    }
  }

  private checkQueueLength(queue: StoreQueue, service: Service): void {
    const { minCustomers, minWaitingMinutes } = queue.store.phoneQueue;
    if (minCustomers === 0 && minWaitingMinutes === 0) return;
    const load = serviceLoad(queue, service.id);
    const longEnough =
      (minCustomers > 0 && load.waiting >= minCustomers) ||
      (minWaitingMinutes > 0 && load.waitMinutes >= minWaitingMinutes);
    if (!longEnough) {
      throw new PhoneRefusal(
        'The line is short right now: take a ticket at the store’s ticket machine.',
        409,
      );
    }
  }

  /** Joins per IP per minute (kept in memory: a restart forgives). */
  private countJoin(ip: string, limit: number): void {
    const minute = Math.floor(this.clock().getTime() / 60_000);
    const hit = this.hits.get(ip);
    const count = hit !== undefined && hit.minute === minute ? hit.count + 1 : 1;
    if (this.hits.size > 10_000) this.hits.clear();
    this.hits.set(ip, { minute, count });
    if (count > limit)
      throw new PhoneRefusal('Too many tickets from this network: try again in a minute.', 429);
  }
}

function ticketMachineFor(devices: readonly Device[], service: Service): Device | undefined {
  return devices.find(
    (d) =>
      d.role === 'machine' &&
      (service.machineIds.length === 0 || service.machineIds.includes(d.id)),
  );
}

function customerOf(result: CommandResult): Customer {
  if (!result.ok)
    throw new PhoneRefusal(result.refusal.message, refusalStatus(result.refusal.code));
  if (result.customer === null) throw new PhoneRefusal('The hub returned no ticket.', 500);
  return result.customer;
}

function refusalStatus(code: string): number {
  return code === 'not_found'
    ? 404
    : code === 'illegal_transition' || code === 'conflict'
      ? 409
      : 400;
}
