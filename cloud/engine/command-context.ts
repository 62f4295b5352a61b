// What a command handler sees (the store, the device, the clock, the repo port) and the few
// rules every handler shares: who may do what, and the one way a customer is saved and stepped
// (the domain's applyEvent, logged under the domain's event name).
import {
  CUSTOMER_LOG_EVENTS,
  applyEvent,
  type EventContext,
} from '../../shared/domain/customer.js';
import {
  type Customer,
  type Device,
  type Service,
  type Store,
} from '../../shared/domain/entities.js';
import type { CustomerEventName } from '../../shared/domain/lifecycle.js';
import type { ChangeEvent } from '../../shared/protocol/sync.js';
import type { HubTx } from '../db/hub-repo.js';
import { refuse } from './refusal.js';
import type { Emit } from './sequencer.js';

export interface CommandContext {
  /** The command's transaction. */
  repo: HubTx;
  store: Store;
  device: Device;
  registeredBy: string;
  now: Date;
  /** The store-local day of `now`. */
  day: string;
  emit: Emit;
  /** The store's services and devices (a handful; read once per command). */
  services: () => Promise<Service[]>;
  devices: () => Promise<Device[]>;
}

export function requireRole(ctx: CommandContext, role: Device['role'], what: string): void {
  if (ctx.device.role !== role)
    refuse('not_allowed', `Only a ${role === 'machine' ? 'ticket machine' : role} can ${what}.`);
}

/** A service of this store that customers queue for (not a menu). */
export async function queueService(ctx: CommandContext, serviceId: string): Promise<Service> {
  const service = (await ctx.services()).find((s) => s.id === serviceId);
  if (service === undefined)
    return refuse('not_found', `Service ${serviceId} does not exist in this store.`);
  if (service.childIds.length > 0) {
    return refuse('not_allowed', `Service ${serviceId} is a menu: choose one of its services.`);
  }
  return service;
}

export async function findCustomer(ctx: CommandContext, id: string): Promise<Customer> {
  const c = await ctx.repo.customer(id);
  if (c === null || c.storeId !== ctx.store.id)
    return refuse('not_found', `Customer ${id} does not exist.`);
  return c;
}

/** Logs a customer as it now is (the log validates it): the customer as stored. */
export async function saveCustomer(
  ctx: CommandContext,
  event: ChangeEvent,
  customer: Customer,
): Promise<Customer> {
  const { entity } = await ctx.emit(event, { kind: 'customer', customer });
  return entity.kind === 'customer' ? entity.customer : customer;
}

/** One lifecycle event through the domain, logged under its event name. */
export function stepCustomer(
  ctx: CommandContext,
  customer: Customer,
  event: CustomerEventName,
  extra: Omit<EventContext, 'now' | 'store'> = {},
): Promise<Customer> {
  const next = applyEvent(customer, event, { now: ctx.now, store: ctx.store, ...extra });
  return saveCustomer(ctx, CUSTOMER_LOG_EVENTS[event], next);
}
