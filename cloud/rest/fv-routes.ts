// FileVirtuelle Public API v2 at /api/public/v2. Reads map hub entities to the wire through the
// adapter, then search and projection apply; writes (/register, /next, PUT and DELETE
// /customer) go through the hub engine, so they are sequenced and logged like device commands.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  FV_MESSAGES,
  WireMappingError,
  applyCustomerUpdate,
  customerToWire,
  deviceToWire,
  organizationToWire,
  registerFromWire,
  serviceToWire,
  storeToWire,
} from '../../shared/adapters/filevirtuelle.js';
import { ContactSchema, type Customer, type Store } from '../../shared/domain/entities.js';
import { IllegalTransitionError } from '../../shared/domain/lifecycle.js';
import type { CommandResult, RefusalCode } from '../../shared/protocol/sync.js';
import { HubEngine, contactModeAvailable } from '../engine/hub-engine.js';
import { type ApiAccount, type FvEntity, type FvRight } from './api-keys.js';
import { FvAuthenticator, type Authenticated } from './fv-auth.js';
import {
  FvError,
  fvErrorBody,
  fvErrorOfHttp,
  invalidField,
  type FvErrorName,
} from './fv-errors.js';
import {
  matches,
  parseProjection,
  parseSearch,
  project,
  type Projection,
  type SearchQuery,
} from './fv-query.js';

export const FV_PREFIX = '/api/public/v2';

type Wire = Record<string, unknown>;

interface Collection<T> {
  entity: FvEntity;
  plural: string;
  singular: string;
  notFound: FvErrorName;
  all(engine: HubEngine): Promise<T[]>;
  one(engine: HubEngine, id: string): Promise<T | null>;
  /** Organization and store the entity belongs to, for the account's filters. */
  owner(engine: HubEngine, item: T): Owner | Promise<Owner>;
  wire(engine: HubEngine, item: T): Wire | Promise<Wire>;
}

interface Owner {
  organizationId: string;
  storeId: string | null;
}

const storeOwner = async (engine: HubEngine, storeId: string): Promise<Owner> => ({
  organizationId: (await engine.repo.store(storeId))?.organizationId ?? '',
  storeId,
});

const displayOf = async (engine: HubEngine, storeId: string) =>
  (await engine.repo.store(storeId))?.display ?? {
    screen: 'ticket' as const,
    desk: 'full-name' as const,
  };

/** A collection read at `/<entity>s` and `/<entity>/:id`, each with an optional projection. */
function collection<T>(
  entity: FvEntity,
  notFound: FvErrorName,
  read: Pick<Collection<T>, 'all' | 'one' | 'owner' | 'wire'>,
): Collection<never> {
  const col: Collection<T> = { entity, plural: `${entity}s`, singular: entity, notFound, ...read };
  return col as unknown as Collection<never>;
}

const COLLECTIONS: Collection<never>[] = [
  collection('organization', 'InvalidOrganization', {
    all: (e) => e.repo.organizations(),
    one: (e, id) => e.repo.organization(id),
    owner: (_e, o) => ({ organizationId: o.id, storeId: null }),
    wire: (_e, o) => organizationToWire(o),
  }),
  collection('suborganization', 'InvalidSuborganization', {
    all: (e) => e.repo.stores(),
    one: (e, id) => e.repo.store(id),
    owner: (_e, s) => ({ organizationId: s.organizationId, storeId: s.id }),
    wire: (_e, s) => storeToWire(s),
  }),
  collection('device', 'InvalidDevice', {
    all: (e) => e.repo.devices(),
    one: (e, id) => e.repo.device(id),
    owner: (_e, d) => ({ organizationId: d.organizationId, storeId: d.storeId }),
    wire: (_e, d) => deviceToWire(d),
  }),
  collection('prequalification', 'InvalidPrequalification', {
    all: (e) => e.repo.services(),
    one: (e, id) => e.repo.service(id),
    owner: (e, s) => storeOwner(e, s.storeId),
    wire: (_e, s) => serviceToWire(s),
  }),
  collection('customer', 'InvalidEntity', {
    all: (e) => e.repo.customers(),
    one: (e, id) => e.repo.customer(id),
    owner: (e, c) => storeOwner(e, c.storeId),
    wire: async (e, c) => customerToWire(c, { display: await displayOf(e, c.storeId) }),
  }),
];

function listAllows(list: { whitelist: string[]; blacklist: string[] }, id: string): boolean {
  return (
    (list.whitelist.length === 0 || list.whitelist.includes(id)) && !list.blacklist.includes(id)
  );
}

function canSee(account: ApiAccount, owner: Owner): boolean {
  const { organizations, suborganizations } = account.access.filter;
  if (!listAllows(organizations, owner.organizationId)) return false;
  return owner.storeId === null || listAllows(suborganizations, owner.storeId);
}

function requireRight(account: ApiAccount, entity: FvEntity, right: FvRight): void {
  if (account.access.rights[entity]?.[right] !== true) throw new FvError('InvalidRoute');
}

/** An account may only touch the stores its filters let it see. */
function requireStore(account: ApiAccount, store: Store): void {
  if (!canSee(account, { organizationId: store.organizationId, storeId: store.id })) {
    throw new FvError('InvalidRoute');
  }
}

function readQuery(request: FastifyRequest): {
  search: SearchQuery | null;
  projection: Projection | null;
} {
  const query = request.query as Record<string, unknown>;
  const params = request.params as Record<string, string | undefined>;
  const raw = query.search;
  if (Array.isArray(raw)) throw new FvError('InvalidSearch');
  const search = typeof raw === 'string' && raw !== '' ? parseSearch(raw) : null;
  const projection =
    params.projection !== undefined && params.projection !== ''
      ? parseProjection(params.projection)
      : null;
  return { search, projection };
}

function shape(docs: Wire[], search: SearchQuery | null, projection: Projection | null): Wire[] {
  return docs
    .filter((d) => search === null || matches(search, d))
    .map((d) => (projection === null ? d : project(d, projection)));
}

const REFUSAL_TO_FV: Record<RefusalCode, FvErrorName> = {
  invalid: 'InvalidEntity',
  not_found: 'InvalidEntity',
  illegal_transition: 'InvalidEntity',
  not_allowed: 'InvalidRoute',
  desk_closed: 'InvalidDesk',
  queue_empty: 'InvalidEntity',
  conflict: 'InvalidEntity',
  internal: 'InvalidEntity',
};

export function registerFileVirtuelle(app: FastifyInstance, engine: HubEngine): void {
  const auth = new FvAuthenticator(engine.repo, engine.repo);
  const authenticated = new WeakMap<FastifyRequest, Authenticated>();
  const accountOf = (request: FastifyRequest): ApiAccount => {
    const signed = authenticated.get(request);
    if (signed === undefined) throw new FvError('NoAuthorizationHeaderError');
    return signed.account;
  };
  /** The request's account, if it has `right` on `entity`. */
  const allowed = (request: FastifyRequest, entity: FvEntity, right: FvRight): ApiAccount => {
    const account = accountOf(request);
    requireRight(account, entity, right);
    return account;
  };

  void app.register(
    async (fv) => {
      // Signature, timestamp and rate limit before the body is read; the replay check needs it.
      fv.addHook('onRequest', async (request) => {
        const ts = request.headers['x-fv-timestamp'];
        authenticated.set(
          request,
          await auth.authenticate({
            method: request.method,
            url: request.raw.url ?? request.url,
            authorization: request.headers.authorization,
            timestamp: Array.isArray(ts) ? ts[0] : ts,
          }),
        );
      });
      fv.addHook('preHandler', async (request) => {
        const signed = authenticated.get(request);
        if (signed !== undefined) await auth.refuseReplay(signed, request.body);
      });

      fv.setErrorHandler(
        (error: Error & { statusCode?: number; code?: string }, _request, reply: FastifyReply) => {
          if (error instanceof FvError) return reply.code(error.status).send(error.body());
          if (error instanceof WireMappingError || error instanceof IllegalTransitionError)
            return reply.code(422).send(fvErrorBody('InvalidEntity'));
          const fvError = fvErrorOfHttp(error);
          return reply.code(fvError.status).send(fvError.body());
        },
      );
      fv.setNotFoundHandler((_request, reply) => reply.code(403).send(fvErrorBody('InvalidRoute')));

      const apiInfo = async (request: FastifyRequest) => {
        const account = accountOf(request);
        const { search, projection } = readQuery(request);
        const info: Wire = {
          access: account.access,
          name: account.name,
          key: account.key,
          testing: account.testing,
          fairuse: account.fairuse,
          urls: account.urls,
        };
        const [out] = shape([info], search, projection);
        return out ?? {};
      };
      fv.get('/api_info', apiInfo);
      fv.get('/api_info/:projection', apiInfo);

      for (const col of COLLECTIONS) {
        const list = async (request: FastifyRequest) => {
          const account = allowed(request, col.entity, 'r');
          const { search, projection } = readQuery(request);
          const wires: Wire[] = [];
          for (const item of await col.all(engine)) {
            if (canSee(account, await col.owner(engine, item)))
              wires.push(await col.wire(engine, item));
          }
          return shape(wires, search, projection);
        };
        const one = async (request: FastifyRequest) => {
          const account = allowed(request, col.entity, 'r');
          const { search, projection } = readQuery(request);
          const id = (request.params as { id: string }).id;
          const item = await col.one(engine, id);
          if (item === null) throw new FvError(col.notFound);
          if (!canSee(account, await col.owner(engine, item))) throw new FvError('InvalidRoute');
          const [out] = shape([await col.wire(engine, item)], search, projection);
          if (out === undefined) throw new FvError(col.notFound);
          return out;
        };
        fv.get(`/${col.plural}`, list);
        fv.get(`/${col.plural}/:projection`, list);
        fv.get(`/${col.singular}/:id`, one);
        fv.get(`/${col.singular}/:id/:projection`, one);
      }

      fv.post('/register', async (request) => {
        const account = allowed(request, 'customer', 'c');
        const parsed = registerFromWire(request.body ?? {});
        if (!parsed.ok)
          throw parsed.error === null ? invalidField(parsed.field) : new FvError(parsed.error);
        // The documentation's examples send no suborganization: the machine's store is meant.
        const machine = await engine.repo.device(parsed.machineId);
        const store = await engine.repo.store(parsed.storeId ?? machine?.storeId ?? '');
        if (store === null)
          throw new FvError(parsed.storeId === null ? 'InvalidDevice' : 'InvalidSuborganization');
        requireStore(account, store);
        const reg = parsed.registration;
        const service = await engine.repo.service(reg.serviceId);
        if (service === null || service.storeId !== store.id || service.childIds.length > 0) {
          throw new FvError('InvalidPrequalification');
        }
        if (machine === null || machine.storeId !== store.id) throw new FvError('InvalidDevice');
        if (machine.role !== 'machine') throw new FvError('InvalidDeviceType');
        if (service.machineIds.length > 0 && !service.machineIds.includes(machine.id)) {
          throw new FvError('InvalidPrequalification');
        }
        // The path is the store's services, root first, ending with the chosen one.
        const pathServices = await Promise.all(
          reg.servicePath.map((id) => engine.repo.service(id)),
        );
        if (
          reg.servicePath.at(-1) !== service.id ||
          pathServices.some((s) => s?.storeId !== store.id)
        ) {
          throw new FvError('InvalidPrequalification');
        }
        if (!contactModeAvailable(store, reg.contactMode))
          throw new FvError('ContactModeUnavailable');
        const channel =
          reg.contactMode === 'phone' ? 'sms' : reg.contactMode === 'email' ? 'email' : null;
        if (account.testing && channel !== null && account.fairuse[channel] <= 0) {
          throw new FvError('FairUseExceeded');
        }
        const result = await engine.applyCommand(
          { deviceId: machine.id, origin: `rest:${account.key}`, registeredBy: account.key },
          {
            id: HubEngine.newCommandId(),
            issuedAt: new Date().toISOString(),
            type: 'register',
            payload: { ...reg, pager: null },
          },
        );
        const customer = customerOf(result);
        // Fair use is charged by the notification worker when the SMS or email goes out
        // (cloud/notify/worker.ts), not here when one is only asked for.
        return {
          message: FV_MESSAGES.customerAdded,
          change: FV_MESSAGES.changePostCustomer,
          entity: customerToWire(customer, { display: store.display }),
        };
      });

      fv.post('/next', async (request) => {
        const account = allowed(request, 'customer', 'u');
        const body = (request.body ?? {}) as Record<string, unknown>;
        if (typeof body.suborganization !== 'string') throw new FvError('InvalidSuborganization');
        if (typeof body.desk !== 'string') throw new FvError('InvalidDesk');
        const store = await engine.repo.store(body.suborganization);
        if (store === null) throw new FvError('InvalidSuborganization');
        requireStore(account, store);
        const desk = await engine.repo.device(body.desk);
        if (desk === null || desk.storeId !== store.id) throw new FvError('InvalidDesk');
        if (desk.role !== 'desk') throw new FvError('InvalidDeviceType');
        const result = await engine.applyCommand(
          { deviceId: desk.id, origin: `rest:${account.key}` },
          {
            id: HubEngine.newCommandId(),
            issuedAt: new Date().toISOString(),
            type: 'call_next',
            payload: {},
          },
        );
        if (!result.ok && result.refusal.code === 'queue_empty') {
          return {
            message: 'No customer is waiting for this desk',
            change: FV_MESSAGES.changePostCustomer,
            entity: null,
          };
        }
        return {
          message: FV_MESSAGES.customerAdded,
          change: FV_MESSAGES.changePostCustomer,
          entity: customerToWire(customerOf(result), { display: store.display }),
        };
      });

      fv.put('/customer', async (request) => {
        const account = allowed(request, 'customer', 'u');
        const body = (request.body ?? {}) as Record<string, unknown>;
        if (typeof body._id !== 'string') throw new FvError('InvalidEntity');
        if (typeof body.lang === 'string' && !/^[A-Za-z]{2}$/.test(body.lang))
          throw new FvError('InvalidLang');
        for (const field of ['mtimestamp', 'stimestamp'] as const) {
          if (
            body[field] !== undefined &&
            (typeof body[field] !== 'string' ||
              Number.isNaN(Date.parse(body[field])) ||
              !/^\d{4}-\d{2}-\d{2}T/.test(body[field]))
          ) {
            throw new FvError('InvalidIso8601');
          }
        }
        const contact = Object.fromEntries(
          (['name', 'phone', 'email'] as const)
            .filter((k) => body[k] !== undefined && body[k] !== '')
            .map((k) => [k, body[k]]),
        );
        if (!ContactSchema.safeParse(contact).success)
          throw new FvError('InvalidContactInformation');
        const id = body._id;
        // Through the engine: its clock, the domain's events, and the event in the log.
        const updated = await engine.updateCustomer(
          `rest:${account.key}`,
          id,
          async (current, store, tx) => {
            requireStore(account, store);
            const { customer, events } = applyCustomerUpdate(current, body);
            if (customer.serviceId !== current.serviceId) {
              const service = await tx.service(customer.serviceId);
              if (service === null || service.storeId !== store.id)
                throw new FvError('InvalidPrequalification');
            }
            if (customer.deskId !== null && customer.deskId !== current.deskId) {
              const desk = await tx.device(customer.deskId);
              if (desk === null || desk.storeId !== store.id || desk.role !== 'desk')
                throw new FvError('InvalidDesk');
            }
            return { customer, events };
          },
        );
        if (updated === null) throw new FvError('InvalidEntity');
        return {
          success: customerToWire(updated.customer, { display: updated.store.display }),
          message: FV_MESSAGES.customerModified,
        };
      });

      fv.delete('/customer/:id', async (request) => {
        const account = allowed(request, 'customer', 'd');
        const id = (request.params as { id: string }).id;
        const removed = await engine.removeCustomer(`rest:${account.key}`, id, (_current, store) =>
          requireStore(account, store),
        );
        if (removed === null) throw new FvError('InvalidEntity');
        return {
          success: customerToWire(removed.customer, { display: removed.store.display }),
          message: FV_MESSAGES.customerRemoved,
        };
      });
    },
    { prefix: FV_PREFIX },
  );
}

function customerOf(result: CommandResult): Customer {
  if (result.ok && result.customer !== null) return result.customer;
  if (!result.ok) throw new FvError(REFUSAL_TO_FV[result.refusal.code]);
  throw new FvError('InvalidEntity');
}
