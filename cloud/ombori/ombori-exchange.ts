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
import type { HubData } from '../db/hub-repo.js';
import { newObjectId } from '../db/ids.js';
import type { HubEngine } from '../engine/hub-engine.js';
import { findStaff } from '../staff/staff.js';

/** The staff member who called the customer last, as Ombori's `servedBy`. */
async function servedByOf(repo: HubData, c: Customer): Promise<OmboriTicket['servedBy']> {
  const last = c.staffCalls?.at(-1);
  if (last === undefined) return undefined;
  const staff = await findStaff(repo, { id: last.staffId });
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

export async function toOmboriTicket(
  repo: HubData,
  store: Store,
  c: Customer,
): Promise<OmboriTicket> {
  const servedBy = await servedByOf(repo, c);
  return customerToOmbori(c, {
    timeZone: store.timeZone,
    location: store.name,
    ...(servedBy === undefined ? {} : { servedBy }),
  });
}

/** A store's customer by Ombori id (imported) or by Lineup id. */
async function findTicket(repo: HubData, storeId: string, id: string): Promise<Customer | null> {
  const imported = await repo.partnerTicket(OMBORI_SOURCE, id);
  const c = await repo.customer(imported?.customerId ?? id);
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
): Promise<OmboriTicket[] | OmboriTicket | null> {
  return engine.repo.read(async (tx) => {
    const store = await tx.store(storeId);
    if (store === null) return null;
    if (id !== undefined) {
      const c = await findTicket(tx, storeId, id);
      return c === null ? null : toOmboriTicket(tx, store, c);
    }
    const out: OmboriTicket[] = [];
    for (const c of await tx.queueCustomers(storeId, storeDay(now, store.timeZone)))
      out.push(await toOmboriTicket(tx, store, c));
    return out;
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
async function customerIdFor(repo: HubData, t: OmboriTicket): Promise<string> {
  const position = parseCheckInPosition(t.QRCodeCheckInPositionId ?? '');
  for (const candidate of [position, t.id]) {
    if (candidate !== null && IdSchema.safeParse(candidate).success)
      if ((await repo.customer(candidate)) === null) return candidate;
  }
  return newObjectId();
}

async function importOne(
  engine: HubEngine,
  store: Store,
  item: unknown,
  origin: string,
  now: Date,
  fallbackServiceId?: string,
): Promise<ImportResult> {
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
    return await engine.mutate(
      async (append, repo): Promise<ImportResult> => {
        const known = await repo.partnerTicket(OMBORI_SOURCE, t.id);
        const same = await repo.customer(known === null ? t.id : known.customerId);
        if (same !== null) {
          if (same.storeId !== store.id)
            throw new ImportRefused(`Ombori ticket ${t.id} is already in another store.`);
          return { id: t.id, ok: true, customerId: same.id, created: false, ticket: same.ticket };
        }
        const service = serviceFor(await repo.services(store.id), t, fallbackServiceId);
        const today = storeDay(now, store.timeZone);
        const label = parseTicket(t.label.replace(/\s+/g, ''));
        let ticketNumber: number | undefined;
        if (label === null) {
          const last = await repo.lastIssued(store.id, service.ticketPrefix, today);
          ticketNumber = nextFreeNumber(
            last,
            await repo.blocks(store.id, service.ticketPrefix, today),
          );
          await repo.setLastIssued(store.id, service.ticketPrefix, today, ticketNumber);
        }
        const customer = customerFromOmbori(t, {
          timeZone: store.timeZone,
          storeId: store.id,
          serviceId: service.id,
          arrivalSeq: await repo.nextArrivalSeq(store.id),
          ticketPrefix: service.ticketPrefix,
          ticketDay: today,
          registeredBy: origin,
          customerId: await customerIdFor(repo, t),
          ...(ticketNumber === undefined ? {} : { ticketNumber }),
        });
        if (label !== null) {
          const { ticketPrefix: prefix, ticketDay: day, ticketNumber: n } = customer;
          if (await repo.ticketTaken(store.id, prefix, day, n))
            throw new ImportRefused(`Ticket ${customer.ticket} of ${day} is already taken here.`);
          if ((await repo.lastIssued(store.id, prefix, day)) < n)
            await repo.setLastIssued(store.id, prefix, day, n);
        }
        const { entity } = await append(
          store.id,
          'registered',
          { kind: 'customer', customer },
          origin,
        );
        await repo.insertPartnerTicket(OMBORI_SOURCE, t.id, {
          customerId: customer.id,
          storeId: store.id,
        });
        const saved = entity.kind === 'customer' ? entity.customer : customer;
        return { id: t.id, ok: true, customerId: saved.id, created: true, ticket: saved.ticket };
      },
      [store.id],
    );
  } catch (error) {
    if (error instanceof ImportRefused || error instanceof WireMappingError)
      return { id: t.id, ok: false, error: error.message };
    throw error;
  }
}

/** Imports each ticket in its own transaction: one refused item does not stop the others. */
export async function importOmboriTickets(
  engine: HubEngine,
  storeId: string,
  items: readonly unknown[],
  opts: { origin: string; now: Date; serviceId?: string },
): Promise<ImportResult[] | null> {
  const store = await engine.repo.store(storeId);
  if (store === null) return null;
  const results: ImportResult[] = [];
  for (const item of items)
    results.push(await importOne(engine, store, item, opts.origin, opts.now, opts.serviceId));
  return results;
}
