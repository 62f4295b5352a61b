// What a phone is told about a store's queue, computed from the real queue with the domain's
// estimate: waiting counts and waits per service, a ticket's place, and whether the store is
// open (a desk open, within today's working hours when the store lists them).
import type { Customer, Device, Service, Store } from '../../shared/domain/entities.js';
import { estimateFor, type EstimateContext } from '../../shared/domain/estimate.js';
import { storeDay } from '../../shared/domain/numbering.js';
import { storeOpenState } from '../../shared/domain/store-status.js';
import { formatZoned, parseZoned } from '../../shared/domain/time.js';
import type { HubEngine } from '../engine/hub-engine.js';

export interface StoreQueue extends EstimateContext {
  day: string;
}

export function readStoreQueue(
  engine: HubEngine,
  store: Store,
  now = new Date(),
): Promise<StoreQueue> {
  const day = storeDay(now, store.timeZone);
  return engine.repo.read(async (tx) => ({
    store,
    day,
    now,
    services: await tx.services(store.id),
    devices: await tx.devices(store.id),
    customers: await tx.queueCustomers(store.id, day),
  }));
}

/** Services a phone may join: queues (not menus), walk-in (appointments are booked elsewhere). */
export function joinableServices(queue: Pick<StoreQueue, 'services'>): Service[] {
  return queue.services.filter(isJoinable);
}
export const isJoinable = (s: Service): boolean => s.childIds.length === 0 && !s.appointment;

export interface ServiceLoad {
  waiting: number;
  /** Minutes a customer joining now would wait. */
  waitMinutes: number;
}

export function serviceLoad(queue: StoreQueue, serviceId: string): ServiceLoad {
  const waiting = queue.customers.filter(
    (c) => c.serviceId === serviceId && c.state === 'waiting',
  ).length;
  const estimate = estimateFor({ serviceId }, queue);
  return { waiting, waitMinutes: Math.round(estimate.waitMinutes) };
}

export interface WorkingPeriod {
  from: Date;
  to: Date;
}

/** Today's opening periods as instants (the store's "HH:mm" in its time zone). */
export function workingPeriods(store: Store, now: Date): WorkingPeriod[] {
  const today = formatZoned(now, store.timeZone).slice(0, 10);
  const out: WorkingPeriod[] = [];
  for (const p of store.location.workingHours) {
    const from = parseZoned(`${today} ${p.from}`, store.timeZone);
    const to = parseZoned(`${today} ${p.to}`, store.timeZone);
    if (from !== null && to !== null) out.push({ from, to });
  }
  return out;
}

export function isStoreOpen(store: Store, devices: readonly Device[], now: Date): boolean {
  if (storeOpenState(devices) === 'closed') return false;
  const periods = workingPeriods(store, now);
  const t = now.getTime();
  return periods.length === 0 || periods.some((p) => p.from.getTime() <= t && t < p.to.getTime());
}

export interface TicketPlace {
  peopleBefore: number;
  waitMinutes: number;
}

/** People before a waiting ticket and its wait; zero for one no longer waiting. */
export function ticketPlace(queue: StoreQueue, customer: Customer): TicketPlace {
  if (customer.state !== 'waiting' && customer.state !== 'booked')
    return { peopleBefore: 0, waitMinutes: 0 };
  const estimate = estimateFor(customer, queue);
  return { peopleBefore: estimate.peopleBefore, waitMinutes: Math.round(estimate.waitMinutes) };
}

/** Great-circle distance in kilometres. */
export function distanceKm(
  a: { lat: number; lng: number },
  b: { lat: number; lng: number },
): number {
  const rad = (d: number) => (d * Math.PI) / 180;
  const dLat = rad(b.lat - a.lat);
  const dLng = rad(b.lng - a.lng);
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** "41.5725702999,-8.4263883" (a third number, altitude, is ignored); null when not that. */
export function parseCoordinates(text: string): { lat: number; lng: number } | null {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length < 2 || parts.length > 3) return null;
  const lat = Number(parts[0]);
  const lng = Number(parts[1]);
  if (parts[0] === '' || parts[1] === '' || !Number.isFinite(lat) || !Number.isFinite(lng))
    return null;
  if (Math.abs(lat) > 90 || Math.abs(lng) > 180) return null;
  return { lat, lng };
}

export function storePoint(store: Store): { lat: number; lng: number } | null {
  const { latitude, longitude } = store.location;
  return latitude === null || longitude === null ? null : { lat: latitude, lng: longitude };
}
