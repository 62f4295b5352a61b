// Store setup from the console: store settings, services (the prequalification tree), desks and
// what they serve, API keys. Every change is a `store_updated` / `service_updated` change of the
// store's log through the engine (as the CLI's), so devices hear of it on the sync stream.
import {
  ServiceSchema,
  StoreSchema,
  type Device,
  type Service,
  type Store,
} from '../../shared/domain/entities.js';
import type {
  ApiKeyView,
  DeskSetup,
  ServiceCreateRequest,
  ServiceUpdateRequest,
  StoreSetupResponse,
  StoreUpdateRequest,
} from '../../shared/protocol/console.js';
import { newObjectId } from '../db/ids.js';
import { AdminError, updateService } from '../engine/admin.js';
import type { HubEngine } from '../engine/hub-engine.js';
import {
  createApiAccount,
  listApiAccounts,
  saveApiAccount,
  type ApiAccount,
} from '../rest/api-keys.js';
import type { Staff } from '../staff/staff.js';
import { ConsoleHttpError, seesAllStores } from './access.js';

export const consoleOrigin = (staff: Pick<Staff, 'id'>): string => `console:${staff.id}`;

function invalid(error: { issues: readonly { path: PropertyKey[]; message: string }[] }): never {
  const issue = error.issues[0];
  throw new ConsoleHttpError(
    400,
    'invalid',
    `${issue?.path.map(String).join('.') || 'value'}: ${issue?.message ?? 'invalid'}`,
  );
}

/** Whether `service` sends its customers to `desk` (an empty desk list: every desk). */
const serves = (service: Service, deskId: string): boolean =>
  service.deskIds.length === 0 || service.deskIds.includes(deskId);

export function deskSetup(desk: Device, services: readonly Service[]): DeskSetup {
  const queues = services.filter((s) => s.childIds.length === 0);
  return {
    deviceId: desk.id,
    name: desk.name,
    status: desk.status,
    serviceIds: queues.filter((s) => serves(s, desk.id)).map((s) => s.id),
    servesAll: queues.filter((s) => s.deskIds.length === 0).map((s) => s.id),
  };
}

const apiKeyView = (a: ApiAccount): ApiKeyView => ({
  key: a.key,
  name: a.name,
  locked: a.locked,
  testing: a.testing,
  maxHitsPerMinute: a.fairuse.max_hits,
  smsPerDay: a.fairuse.sms,
  emailPerDay: a.fairuse.email,
  storeIds: a.access.filter.suborganizations.whitelist,
});

/**
 * The keys of a store: those whose store filter names it. Keys for every store (no filter) are
 * shown to owners and admins only: a store manager may not lock another store's integration.
 */
async function storeKeys(engine: HubEngine, staff: Staff, storeId: string): Promise<ApiAccount[]> {
  return (await listApiAccounts(engine.repo)).filter((a) => {
    const list = a.access.filter.suborganizations.whitelist;
    return list.length === 0 ? seesAllStores(staff) : list.includes(storeId);
  });
}

export async function setupView(
  engine: HubEngine,
  staff: Staff,
  store: Store,
): Promise<StoreSetupResponse> {
  const services = await engine.repo.services(store.id);
  const devices = await engine.repo.devices(store.id);
  return {
    store,
    services,
    desks: devices.filter((d) => d.role === 'desk').map((d) => deskSetup(d, services)),
    devices,
    apiKeys: (await storeKeys(engine, staff, store.id)).map(apiKeyView),
  };
}

export async function updateStore(
  engine: HubEngine,
  staff: Staff,
  store: Store,
  patch: StoreUpdateRequest,
): Promise<Store> {
  return engine.mutate(
    async (append, tx) => {
      const current = (await tx.store(store.id)) ?? store;
      const { workingHours, ...rest } = patch;
      const parsed = StoreSchema.safeParse({
        ...current,
        ...rest,
        ...(workingHours === undefined ? {} : { location: { ...current.location, workingHours } }),
      });
      if (!parsed.success) invalid(parsed.error);
      await append(
        store.id,
        'store_updated',
        { kind: 'store', store: parsed.data },
        consoleOrigin(staff),
      );
      return parsed.data;
    },
    [store.id],
  );
}

/** The child ids must be services of the same store. */
async function checkChildren(
  engine: HubEngine,
  storeId: string,
  childIds: readonly string[],
): Promise<void> {
  for (const id of childIds) {
    if ((await engine.repo.service(id))?.storeId !== storeId) {
      throw new ConsoleHttpError(400, 'invalid', `childIds: no service ${id} in this store.`);
    }
  }
}

export async function createService(
  engine: HubEngine,
  staff: Staff,
  store: Store,
  input: ServiceCreateRequest,
): Promise<Service> {
  await checkChildren(engine, store.id, input.childIds ?? []);
  return engine.mutate(
    async (append, tx) => {
      const id = input.id ?? newObjectId();
      if ((await tx.service(id)) !== null) {
        throw new ConsoleHttpError(409, 'conflict', `A service ${id} already exists.`);
      }
      const parsed = ServiceSchema.safeParse({ ...input, id, storeId: store.id });
      if (!parsed.success) invalid(parsed.error);
      await append(
        store.id,
        'service_updated',
        { kind: 'service', service: parsed.data },
        consoleOrigin(staff),
      );
      return parsed.data;
    },
    [store.id],
  );
}

export async function editService(
  engine: HubEngine,
  staff: Staff,
  store: Store,
  serviceId: string,
  patch: ServiceUpdateRequest,
): Promise<Service> {
  const current = await engine.repo.service(serviceId);
  if (current === null || current.storeId !== store.id) {
    throw new ConsoleHttpError(404, 'not_found', `No service ${serviceId} in store ${store.id}.`);
  }
  await checkChildren(engine, store.id, patch.childIds ?? []);
  try {
    return await updateService(engine, serviceId, patch, consoleOrigin(staff));
  } catch (error) {
    if (error instanceof AdminError) throw new ConsoleHttpError(400, 'invalid', error.message);
    throw error;
  }
}

/**
 * Sets which queue services a desk serves: each service whose desk list changes is logged. A
 * service listing no desk means "every desk": taking one desk off it lists the others.
 */
export async function setDeskServices(
  engine: HubEngine,
  staff: Staff,
  store: Store,
  deskId: string,
  serviceIds: readonly string[],
): Promise<DeskSetup> {
  return engine.mutate(
    async (append, tx) => {
      const devices = await tx.devices(store.id);
      const desk = devices.find((d) => d.id === deskId && d.role === 'desk');
      if (desk === undefined) {
        throw new ConsoleHttpError(404, 'not_found', `No desk ${deskId} in store ${store.id}.`);
      }
      const services = await tx.services(store.id);
      for (const id of serviceIds) {
        if (!services.some((s) => s.id === id && s.childIds.length === 0)) {
          throw new ConsoleHttpError(400, 'invalid', `No queue service ${id} in this store.`);
        }
      }
      const allDesks = devices.filter((d) => d.role === 'desk').map((d) => d.id);
      const updated: Service[] = [];
      for (const service of services) {
        if (
          service.childIds.length > 0 ||
          serviceIds.includes(service.id) === serves(service, deskId)
        ) {
          updated.push(service);
          continue;
        }
        const want = serviceIds.includes(service.id);
        const deskIds = want
          ? [...service.deskIds, deskId]
          : (service.deskIds.length === 0 ? allDesks : service.deskIds).filter((d) => d !== deskId);
        if (deskIds.length === 0) {
          throw new ConsoleHttpError(
            400,
            'invalid',
            `Service ${service.id} would have no desk left: give it another desk first.`,
          );
        }
        const next = ServiceSchema.parse({ ...service, deskIds });
        await append(
          store.id,
          'service_updated',
          { kind: 'service', service: next },
          consoleOrigin(staff),
        );
        updated.push(next);
      }
      return deskSetup(desk, updated);
    },
    [store.id],
  );
}

export async function createStoreApiKey(
  engine: HubEngine,
  store: Store,
  input: { name: string; maxHitsPerMinute?: number; smsPerDay?: number; emailPerDay?: number },
): Promise<{ apiKey: ApiKeyView; secret: string }> {
  const account = await createApiAccount(engine.repo, {
    name: input.name,
    access: { filter: { suborganizations: { whitelist: [store.id] } } },
    ...(input.maxHitsPerMinute === undefined ? {} : { maxHits: input.maxHitsPerMinute }),
    ...(input.smsPerDay === undefined ? {} : { sms: input.smsPerDay }),
    ...(input.emailPerDay === undefined ? {} : { email: input.emailPerDay }),
  });
  return { apiKey: apiKeyView(account), secret: account.secret };
}

export async function updateStoreApiKey(
  engine: HubEngine,
  staff: Staff,
  store: Store,
  key: string,
  patch: { locked?: boolean; maxHitsPerMinute?: number; smsPerDay?: number; emailPerDay?: number },
): Promise<ApiKeyView> {
  const account = (await storeKeys(engine, staff, store.id)).find((a) => a.key === key);
  if (account === undefined) {
    throw new ConsoleHttpError(404, 'not_found', `No API key ${key} for store ${store.id}.`);
  }
  const next: ApiAccount = {
    ...account,
    locked: patch.locked ?? account.locked,
    fairuse: {
      max_hits: patch.maxHitsPerMinute ?? account.fairuse.max_hits,
      sms: patch.smsPerDay ?? account.fairuse.sms,
      email: patch.emailPerDay ?? account.fairuse.email,
    },
  };
  await saveApiAccount(engine.repo, next);
  return apiKeyView(next);
}
