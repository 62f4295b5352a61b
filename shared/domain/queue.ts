// Who is next for a desk: a written rule, not an accident of SQL.
// Order: prioritized (service `prioritize`, service `prm`, customer `prioritized`) first, then the
// sort time (arrival, or appointment time minus the lead `tbm` for checked-in appointments),
// then the arrival sequence, then the id (so the order is total and the same everywhere).
import type { Customer, Device, Service, Store } from './entities.js';

export interface QueueContext {
  services: readonly Service[];
  devices: readonly Device[];
  store: Store;
}

/** A desk calls when it is open and neither paused nor closed with redirect; pre-close still calls. */
export function canDeskCall(desk: Device): boolean {
  return desk.role === 'desk' && desk.status.open && !desk.status.pause && !desk.status.redirect;
}

/** Closed, and (when the store allows it) its services go to the other desks. */
export function isRedirecting(desk: Device, store: Store): boolean {
  return store.redirectDesks && desk.role === 'desk' && desk.status.redirect;
}

function serviceHandledBy(service: Service, deskId: string): boolean {
  return service.deskIds.length === 0 || service.deskIds.includes(deskId);
}

/**
 * Services a desk serves: those listing it (an empty list means every desk), plus, when
 * `store.redirectDesks`, those listing a desk that is closed with redirect.
 */
export function deskServiceIds(
  deskId: string,
  ctx: { services: readonly Service[]; devices: readonly Device[]; store: Store },
): Set<string> {
  const redirected = new Set(
    ctx.devices
      .filter((d) => d.id !== deskId && d.storeId === ctx.store.id && isRedirecting(d, ctx.store))
      .map((d) => d.id),
  );
  const ids = new Set<string>();
  for (const service of ctx.services) {
    if (service.storeId !== ctx.store.id) continue;
    if (serviceHandledBy(service, deskId) || service.deskIds.some((id) => redirected.has(id))) {
      ids.add(service.id);
    }
  }
  return ids;
}

/** Prioritized tier: the service is prioritized or PRM, or the customer was prioritized. */
export function isPrioritized(
  customer: Pick<Customer, 'serviceId' | 'prioritized'>,
  servicesById: ReadonlyMap<string, Service>,
): boolean {
  if (customer.prioritized) return true;
  const service = servicesById.get(customer.serviceId);
  return service !== undefined && (service.prioritize || service.prm);
}

/** The sort time a customer gets when checking in: now, or appointment time minus `tbm`. */
export function sortTimeAt(
  checkInAt: Date,
  appointmentAt: string | Date | null | undefined,
  store: Pick<Store, 'appointmentLeadMinutes'>,
): Date {
  if (appointmentAt === null || appointmentAt === undefined) return checkInAt;
  return earliestCallAt(appointmentAt, store);
}

/** An appointment customer may be called from `tbm` minutes before the appointment. */
export function earliestCallAt(
  appointmentAt: string | Date,
  store: Pick<Store, 'appointmentLeadMinutes'>,
): Date {
  const at =
    typeof appointmentAt === 'string' ? Date.parse(appointmentAt) : appointmentAt.getTime();
  return new Date(at - store.appointmentLeadMinutes * 60_000);
}

type Ordered = Pick<Customer, 'id' | 'serviceId' | 'prioritized' | 'sortAt' | 'arrivalSeq'>;

/** Negative when `a` is called before `b`. */
export function compareQueueOrder(
  a: Ordered,
  b: Ordered,
  servicesById: ReadonlyMap<string, Service>,
): number {
  const pa = isPrioritized(a, servicesById) ? 0 : 1;
  const pb = isPrioritized(b, servicesById) ? 0 : 1;
  if (pa !== pb) return pa - pb;
  const ta = Date.parse(a.sortAt);
  const tb = Date.parse(b.sortAt);
  if (ta !== tb) return ta - tb;
  if (a.arrivalSeq !== b.arrivalSeq) return a.arrivalSeq - b.arrivalSeq;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export interface PickNextInput extends QueueContext {
  deskId: string;
  customers: readonly Customer[];
  now: Date;
}

/**
 * May this desk call this customer now? Waiting, in this store, and either sent to this desk
 * (`deskId` set by a transfer or hold) or, when sent to no desk, of a service the desk serves.
 * A checked-in appointment customer is not callable before appointment time minus `tbm`; a
 * held ticket (not handed out by its machine yet) is not callable.
 */
export function isCallableBy(
  customer: Customer,
  deskId: string,
  serviceIds: ReadonlySet<string>,
  store: Store,
  now: Date,
): boolean {
  if (customer.state !== 'waiting' || customer.storeId !== store.id) return false;
  // Its machine has not handed it out yet: nobody may hold it (see Customer.held).
  if (customer.held) return false;
  if (customer.deskId !== null ? customer.deskId !== deskId : !serviceIds.has(customer.serviceId))
    return false;
  if (customer.appointment !== null) {
    if (now.getTime() < earliestCallAt(customer.appointment.at, store).getTime()) return false;
  }
  return true;
}

/** Every customer this desk may call now, in call order. */
export function queueFor(input: PickNextInput): Customer[] {
  const desk = input.devices.find((d) => d.id === input.deskId);
  if (desk === undefined || desk.storeId !== input.store.id || !canDeskCall(desk)) return [];
  const serviceIds = deskServiceIds(input.deskId, input);
  const servicesById = new Map(input.services.map((s) => [s.id, s]));
  return input.customers
    .filter((c) => isCallableBy(c, input.deskId, serviceIds, input.store, input.now))
    .sort((a, b) => compareQueueOrder(a, b, servicesById));
}

/** The customer this desk calls next, or null (desk cannot call, or nobody callable). */
export function pickNext(input: PickNextInput): Customer | null {
  const desk = input.devices.find((d) => d.id === input.deskId);
  if (desk === undefined || desk.storeId !== input.store.id || !canDeskCall(desk)) return null;
  const serviceIds = deskServiceIds(input.deskId, input);
  const servicesById = new Map(input.services.map((s) => [s.id, s]));
  let best: Customer | null = null;
  for (const c of input.customers) {
    if (!isCallableBy(c, input.deskId, serviceIds, input.store, input.now)) continue;
    if (best === null || compareQueueOrder(c, best, servicesById) < 0) best = c;
  }
  return best;
}
