// The Ombori ticket exchange (seed: ombori-queue-ticket-format.txt): a store's tickets out in
// Ombori JSON, and Ombori bookings in, as customers of the queue through the engine (each one
// transaction logged as `registered`). Import is idempotent by Ombori id, and each refused item
// says why without stopping the rest of the batch.
import {
  OMBORI_SOURCE,
  OmboriTicketSchema,
  customerFromOmbori,
  customerToOmbori,
  parseCheckInPosition,
  type OmboriTicket,
} from '../../shared/adapters/ombori.js';
import { WireMappingError } from '../../shared/adapters/filevirtuelle.js';
import { IdSchema, type Customer, type Service, type Store } from '../../shared/domain/entities.js';
import { nextFreeNumber, parseTicket, storeDay } from '../../shared/domain/numbering.js';
import type { HubRepo } from '../db/hub-repo.js';
import { newObjectId } from '../db/ids.js';
import type { HubEngine } from '../engine/hub-engine.js';
import { findStaff } from '../staff/staff.js';

/** The staff member who called the customer last, as Ombori's `servedBy`. */
function servedByOf(repo: HubRepo, c: Customer): OmboriTicket['servedBy'] {
  const last = c.staffCalls?.at(-1);
  if (last === undefined) return undefined;
  const staff = findStaff(repo, { id: last.staffId });
  if (staff === null) return { id: last.staffId, email: '' };
  const [firstName = '', ...rest] = staff.name.split(/\s+/);
  return {
    id: staff.id,
    email: staff.email,
    firstName,
    lastName: rest.join(' '),
    displayName: staff.name,
  };
}

export function toOmboriTicket(repo: HubRepo, store: Store, c: Customer): OmboriTicket {
  const servedBy = servedByOf(repo, c);
  return customerToOmbori(c, {
    timeZone: store.timeZone,
    location: store.name,
    ...(servedBy === undefined ? {} : { servedBy }),
  });
}

/** A store's customer by Ombori id (imported) or by Lineup id. */
function findTicket(repo: HubRepo, storeId: string, id: string): Customer | null {
  const imported = repo.partnerTicket(OMBORI_SOURCE, id);
  const c = repo.customer(imported?.customerId ?? id);
  return c !== null && c.storeId === storeId ? c : null;
}

/**
 * A store's tickets (its working set: anyone in the flow or booked, and everything of today),
 * or one ticket when `id` is given. Null when the store (or the ticket) does not exist.
 */
export function exportOmboriTickets(
  engine: HubEngine,
  storeId: string,
  now: Date,
  id?: string,
): OmboriTicket[] | OmboriTicket | null {
  const { repo } = engine;
  return repo.read(() => {
    const store = repo.store(storeId);
    if (store === null) return null;
    if (id !== undefined) {
      const c = findTicket(repo, storeId, id);
      return c === null ? null : toOmboriTicket(repo, store, c);
    }
    return repo
      .queueCustomers(storeId, storeDay(now, store.timeZone))
      .map((c) => toOmboriTicket(repo, store, c));
  });
}

export type ImportResult =
  | { id: string | null; ok: true; customerId: string; created: boolean; ticket: string }
  | { id: string | null; ok: false; error: string };

class ImportRefused extends Error {}

function serviceFor(services: readonly Service[], t: OmboriTicket, fallback?: string): Service {
  const byId = (id: string | undefined) => services.find((s) => s.id === id);
  const service = byId(t.station?.id) ?? byId(fallback);
  if (service === undefined)
    throw new ImportRefused(
      t.station === undefined
        ? 'It has no station: name a service of the store with ?service=ID.'
        : `Station ${t.station.id} is not a service of this store: name one with ?service=ID.`,
    );
  if (service.childIds.length > 0)
    throw new ImportRefused(`Service ${service.id} is a menu: choose one of its services.`);
  return service;
}

/** The Lineup id: the check-in QR's position id (so scanning it finds the ticket), else the Ombori id. */
function customerIdFor(repo: HubRepo, t: OmboriTicket): string {
  const position = parseCheckInPosition(t.QRCodeCheckInPositionId ?? '');
  for (const candidate of [position, t.id]) {
    if (candidate !== null && IdSchema.safeParse(candidate).success)
      if (repo.customer(candidate) === null) return candidate;
  }
  return newObjectId();
}

function importOne(
  engine: HubEngine,
  store: Store,
  item: unknown,
  origin: string,
  now: Date,
  fallbackServiceId?: string,
): ImportResult {
  const { repo } = engine;
  const rawId = (item as { id?: unknown } | null)?.id;
  const id = typeof rawId === 'string' ? rawId : null;
  const parsed = OmboriTicketSchema.safeParse(item);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') ?? '';
    return { id, ok: false, error: `${where === '' ? 'ticket' : where}: ${issue?.message ?? ''}` };
  }
  const t = parsed.data;
  if (t.status === 'notified' || t.status === 'fulfilled')
    return {
      id,
      ok: false,
      error: `status: a ${t.status} ticket is with an Ombori desk; import it before or after.`,
    };
  try {
    return engine.mutate((append): ImportResult => {
      const known = repo.partnerTicket(OMBORI_SOURCE, t.id);
      const same = known === null ? repo.customer(t.id) : repo.customer(known.customerId);
      if (same !== null) {
        if (same.storeId !== store.id)
          throw new ImportRefused(`Ombori ticket ${t.id} is already in another store.`);
        return { id: t.id, ok: true, customerId: same.id, created: false, ticket: same.ticket };
      }
      const service = serviceFor(repo.services(store.id), t, fallbackServiceId);
      const today = storeDay(now, store.timeZone);
      const label = parseTicket(t.label.replace(/\s+/g, ''));
      let ticketNumber: number | undefined;
      if (label === null) {
        const last = repo.lastIssued(store.id, service.ticketPrefix, today);
        ticketNumber = nextFreeNumber(last, repo.blocks(store.id, service.ticketPrefix, today));
        repo.setLastIssued(store.id, service.ticketPrefix, today, ticketNumber);
      }
      const customer = customerFromOmbori(t, {
        timeZone: store.timeZone,
        storeId: store.id,
        serviceId: service.id,
        arrivalSeq: repo.nextArrivalSeq(store.id),
        ticketPrefix: service.ticketPrefix,
        ticketDay: today,
        registeredBy: origin,
        customerId: customerIdFor(repo, t),
        ...(ticketNumber === undefined ? {} : { ticketNumber }),
      });
      if (label !== null) {
        const { ticketPrefix: prefix, ticketDay: day, ticketNumber: n } = customer;
        if (repo.ticketTaken(store.id, prefix, day, n))
          throw new ImportRefused(`Ticket ${customer.ticket} of ${day} is already taken here.`);
        if (repo.lastIssued(store.id, prefix, day) < n)
          repo.setLastIssued(store.id, prefix, day, n);
      }
      const { entity } = append(store.id, 'registered', { kind: 'customer', customer }, origin);
      repo.insertPartnerTicket(OMBORI_SOURCE, t.id, {
        customerId: customer.id,
        storeId: store.id,
      });
      const saved = entity.kind === 'customer' ? entity.customer : customer;
      return { id: t.id, ok: true, customerId: saved.id, created: true, ticket: saved.ticket };
    });
  } catch (error) {
    if (error instanceof ImportRefused || error instanceof WireMappingError)
      return { id: t.id, ok: false, error: error.message };
    throw error;
  }
}

/** Imports each ticket in its own transaction: one refused item does not stop the others. */
export function importOmboriTickets(
  engine: HubEngine,
  storeId: string,
  items: readonly unknown[],
  opts: { origin: string; now: Date; serviceId?: string },
): ImportResult[] | null {
  const store = engine.repo.store(storeId);
  if (store === null) return null;
  return items.map((item) => importOne(engine, store, item, opts.origin, opts.now, opts.serviceId));
}
