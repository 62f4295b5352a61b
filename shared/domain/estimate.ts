// People before a customer and the wait estimate. The estimate uses the service's minutes,
// corrected by what desks actually took lately, divided over the open desks that serve it.
import type { Customer, Device, Service, Store } from './entities.js';
import { canDeskCall, compareQueueOrder, deskServiceIds } from './queue.js';

/** What observed service times read of a finished customer. */
export type ServiceTime = Pick<Customer, 'serviceId' | 'state' | 'servingAt' | 'finishedAt'>;

export interface EstimateContext {
  customers: readonly Customer[];
  services: readonly Service[];
  devices: readonly Device[];
  store: Store;
  now: Date;
  /**
   * The observed minutes when the caller keeps them (then `customers` may be only the active
   * ones); otherwise they are computed from `customers`.
   */
  observedMinutes?: number | null;
}

/** A customer not registered yet (what the kiosk shows before printing). */
export interface CustomerDraft {
  serviceId: string;
  prioritized?: boolean;
}

type Subject = Customer | CustomerDraft;

function isCustomer(s: Subject): s is Customer {
  return 'id' in s && 'state' in s;
}

/** Desks of the store, with the services each serves (redirects included). */
function deskServiceMap(ctx: Omit<EstimateContext, 'customers' | 'now'>): Map<string, Set<string>> {
  const map = new Map<string, Set<string>>();
  for (const d of ctx.devices) {
    if (d.role !== 'desk' || d.storeId !== ctx.store.id) continue;
    map.set(d.id, deskServiceIds(d.id, ctx));
  }
  return map;
}

/** Services that compete with `serviceId` for the same desks (itself included). */
export function competingServiceIds(
  serviceId: string,
  ctx: Omit<EstimateContext, 'customers' | 'now'>,
): Set<string> {
  return competingServices(serviceId, deskServiceMap(ctx));
}

function competingServices(serviceId: string, desks: Map<string, Set<string>>): Set<string> {
  const out = new Set<string>([serviceId]);
  for (const ids of desks.values()) {
    if (ids.has(serviceId)) for (const id of ids) out.add(id);
  }
  return out;
}

/**
 * Waiting customers who will be called before this one: same store, of a service some desk
 * serves together with this one's, and ahead in queue order. A draft ranks last of its tier.
 */
export function peopleBefore(subject: Subject, ctx: EstimateContext): number {
  const servicesById = new Map(ctx.services.map((s) => [s.id, s]));
  const competing = competingServices(subject.serviceId, deskServiceMap(ctx));
  const me = isCustomer(subject)
    ? subject
    : {
        id: '\uffff',
        serviceId: subject.serviceId,
        prioritized: subject.prioritized ?? false,
        sortAt: ctx.now.toISOString(),
        arrivalSeq: Number.MAX_SAFE_INTEGER,
      };
  let n = 0;
  for (const c of ctx.customers) {
    if (c.state !== 'waiting' || c.storeId !== ctx.store.id || c.id === me.id) continue;
    if (!competing.has(c.serviceId)) continue;
    if (compareQueueOrder(c, me, servicesById) < 0) n += 1;
  }
  return n;
}

/**
 * Minutes until the customer's turn: people before × minutes per customer ÷ open desks,
 * rounded up. Observed minutes, when known, replace the configured ones. With no desk open
 * the estimate is made as for one desk (the store is expected to open one).
 */
export function estimateWaitMinutes(input: {
  peopleBefore: number;
  serviceMinutes: number;
  openDesks: number;
  observedMinutes: number | null;
}): number {
  const perCustomer = input.observedMinutes ?? input.serviceMinutes;
  const desks = Math.max(1, input.openDesks);
  const minutes = (Math.max(0, input.peopleBefore) * Math.max(0, perCustomer)) / desks;
  return Math.ceil(minutes);
}

/** How many recent finished customers the observed time looks at. */
export const OBSERVED_SAMPLE = 20;

/**
 * Median minutes a desk actually spent (serving → done) on the last OBSERVED_SAMPLE finished
 * customers of this service; null when none finished yet. The median ignores the odd outlier.
 */
export function observedServiceMinutes(
  customers: readonly ServiceTime[],
  serviceId: string,
): number | null {
  const samples = customers
    .filter(
      (c) =>
        c.serviceId === serviceId &&
        c.state === 'done' &&
        c.servingAt !== null &&
        c.finishedAt !== null,
    )
    .map((c) => ({
      end: Date.parse(c.finishedAt as string),
      minutes: (Date.parse(c.finishedAt as string) - Date.parse(c.servingAt as string)) / 60_000,
    }))
    .filter((s) => Number.isFinite(s.minutes) && s.minutes >= 0)
    .sort((a, b) => b.end - a.end)
    .slice(0, OBSERVED_SAMPLE)
    .map((s) => s.minutes)
    .sort((a, b) => a - b);
  if (samples.length === 0) return null;
  const mid = Math.floor(samples.length / 2);
  const median =
    samples.length % 2 === 1
      ? (samples[mid] as number)
      : ((samples[mid - 1] as number) + (samples[mid] as number)) / 2;
  return Math.round(median * 10) / 10;
}

/** Desks that can call now and serve this service. */
export function openDesksFor(
  serviceId: string,
  ctx: Omit<EstimateContext, 'customers' | 'now'>,
): number {
  let n = 0;
  for (const [deskId, ids] of deskServiceMap(ctx)) {
    const desk = ctx.devices.find((d) => d.id === deskId);
    if (desk !== undefined && canDeskCall(desk) && ids.has(serviceId)) n += 1;
  }
  return n;
}

export interface Estimate {
  peopleBefore: number;
  waitMinutes: number;
}

export function estimateFor(subject: Subject, ctx: EstimateContext): Estimate {
  return estimateWith(subject.serviceId, peopleBefore(subject, ctx), ctx.customers, ctx);
}

/**
 * The estimate once people before are known (the hub counts them with an indexed query);
 * `finished` needs only the service's latest finished customers.
 */
export function estimateWith(
  serviceId: string,
  before: number,
  finished: readonly ServiceTime[],
  ctx: Omit<EstimateContext, 'customers' | 'now'>,
): Estimate {
  const service = ctx.services.find((s) => s.id === serviceId);
  return {
    peopleBefore: before,
    waitMinutes: estimateWaitMinutes({
      peopleBefore: before,
      serviceMinutes: service?.serviceMinutes ?? 5,
      openDesks: openDesksFor(serviceId, ctx),
      observedMinutes:
        ctx.observedMinutes !== undefined
          ? ctx.observedMinutes
          : observedServiceMinutes(finished, serviceId),
    }),
  };
}
