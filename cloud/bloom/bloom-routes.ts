// The Bloom Enterprise Virtual Ticket API at /vt/api/{json|xml}/...: customer accounts, the
// locations and services a phone can join, and the customer's tickets, taken and cancelled
// through PhoneQueue (real tickets of the store's queue). Every refusal is the seed's shape,
// `success: false` with the reason in `error`, and an HTTP status that says the same.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  BLOOM_NOTIFICATION_TEXTS,
  BloomCancelTicketRequestSchema,
  BloomCreateTicketRequestSchema,
  bloomCoordinates,
  bloomLocationService,
  customerToBloom,
  storeToBloomMaster,
} from '../../shared/adapters/bloom.js';
import type { Customer, Service, Store } from '../../shared/domain/entities.js';
import { formatZoned } from '../../shared/domain/time.js';
import type { HubEngine } from '../engine/hub-engine.js';
import { hashPassword, verifyPassword } from '../auth/passwords.js';
import { tooManyAttempts, type SignInLimit } from '../auth/sign-in-limit.js';
import { BloomAccounts, displayName, type BloomAccount } from './accounts.js';
import type { PhoneQueue } from './phone-queue.js';
import { PhoneRefusal } from './phone-queue.js';
import {
  distanceKm,
  isStoreOpen,
  joinableServices,
  parseCoordinates,
  readStoreQueue,
  serviceLoad,
  storePoint,
  ticketPlace,
  workingPeriods,
  type StoreQueue,
} from './queue-view.js';
import { isBloomFormat, parseBloomXml, renderBloom, type BloomFormat } from './wire-format.js';

export const BLOOM_PREFIX = '/vt/api';

/** The seed's OAuth providers. Lineup cannot verify their tokens, so it refuses them. */
const OAUTH_PROVIDERS = ['google', 'facebook'] as const;

const optionalText = (max: number) =>
  z
    .union([z.string().trim().max(max), z.null()])
    .optional()
    .transform((v) => (v === undefined || v === null || v === '' ? null : v));

const OAuthFields = {
  oauth_provider: optionalText(40),
  oauth_token: optionalText(4000),
};

const RegisterSchema = z.object({
  ...OAuthFields,
  username: optionalText(100),
  password: optionalText(200),
  email: z
    .union([z.email().max(254), z.null(), z.literal('')])
    .optional()
    .transform((v) => (v === undefined || v === null || v === '' ? null : v)),
  phone: optionalText(40),
  pushnotification: optionalText(4000),
  first_name: optionalText(100),
  last_name: optionalText(100),
});

const LoginSchema = z.object({
  ...OAuthFields,
  username: optionalText(254),
  password: optionalText(200),
  customer_attribute: z.record(z.string(), z.unknown()).nullable().optional(),
});

const NewPasswordSchema = z.object({
  vt: z.union([z.boolean(), z.enum(['true', 'false'])]).optional(),
  password: z.string().min(8).max(200),
  repeat_password: z.string().max(200),
  token: z.string().min(1).max(200),
});

/** Fields a login may update through `customer_attribute` (others are kept as attributes). */
const ATTRIBUTE_FIELDS = {
  first_name: 'firstName',
  last_name: 'lastName',
  phone: 'phone',
  address: 'address',
  preferred_language: 'preferredLanguage',
  pushnotification: 'pushNotificationKey',
  push_notification_key: 'pushNotificationKey',
} as const satisfies Record<string, keyof BloomAccount>;

class BloomError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Sent as Retry-After (429). */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }
}

const describe = (error: z.ZodError): string => {
  const first = error.issues[0];
  if (first === undefined) return 'The request body does not fit this route.';
  return `${first.path.length > 0 ? first.path.join('.') : 'body'}: ${first.message}`;
};

function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw new BloomError(400, describe(parsed.error));
  return parsed.data;
}

const queryText = (request: FastifyRequest, name: string): string | null => {
  const v = (request.query as Record<string, unknown>)[name];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
};

const stamp = (at: Date | string | null, tz: string): string | null =>
  at === null ? null : formatZoned(typeof at === 'string' ? new Date(at) : at, tz, true);

export function registerBloom(
  app: FastifyInstance,
  engine: HubEngine,
  phone: PhoneQueue,
  signInLimit: SignInLimit,
): void {
  const accounts = new BloomAccounts(engine.repo);

  const tokenOf = (request: FastifyRequest): string | null => {
    const header = request.headers.authorization;
    if (typeof header === 'string' && /^Bearer /i.test(header)) return header.slice(7).trim();
    const body = request.body as Record<string, unknown> | undefined;
    if (body !== undefined && typeof body === 'object' && typeof body.vt_token === 'string')
      return body.vt_token;
    return queryText(request, 'vt_token');
  };
  const signedIn = async (request: FastifyRequest): Promise<BloomAccount> => {
    const token = tokenOf(request);
    if (token === null)
      throw new BloomError(401, 'Send your vt_token as "Authorization: Bearer <vt_token>".');
    const account = await accounts.accountOfToken(token);
    if (account === null)
      throw new BloomError(401, 'This vt_token is unknown, expired or revoked: log in again.');
    return account;
  };

  const refuseOAuth = (provider: string | null): void => {
    if (provider === null) return;
    const known = (OAUTH_PROVIDERS as readonly string[]).includes(provider.toLowerCase());
    throw new BloomError(
      400,
      known
        ? `Sign-in with ${provider} is not configured on this hub: Lineup does not verify third-party tokens. Use a username and password.`
        : `Unknown oauth_provider "${provider}": use google, facebook or null.`,
    );
  };

  const detailsOf = async (a: BloomAccount, vtToken: string | null, tz: string) => ({
    id: a.id,
    username: a.username ?? '',
    first_name: a.firstName,
    last_name: a.lastName,
    display_name: displayName(a),
    phone: a.phone,
    email: a.email,
    vt_token: vtToken,
    oauth_provider: a.oauthProvider,
    oauth_token: null,
    push_notification_key: a.pushNotificationKey,
    address: a.address,
    created_at: stamp(a.createdAt, tz),
    updated_at: stamp(a.updatedAt, tz),
    app_count: (await engine.repo.bloomTickets({ accountId: a.id })).length,
    // The token itself is never shown here: it is a credential.
    reset_token: null,
    reset_token_date: stamp(a.resetTokenAt, tz),
    ticket_warning: 0,
    preferred_language: a.preferredLanguage,
  });

  const ticketOf = async (customer: Customer, account: BloomAccount | null) => {
    const store = await engine.repo.store(customer.storeId);
    const service = await engine.repo.service(customer.serviceId);
    if (store === null || service === null) throw new BloomError(404, 'This ticket is gone.');
    const q = await readStoreQueue(engine, store);
    const place = ticketPlace(q, customer);
    const ticket = customerToBloom(customer, {
      store,
      service,
      lang: customer.lang,
      peopleBefore: place.peopleBefore,
      waitMinutes: place.waitMinutes,
    });
    return {
      ...ticket,
      customer: {
        ...ticket.customer,
        id: account?.id ?? ticket.customer.id,
        display_name: account === null ? ticket.customer.display_name : displayName(account),
        phone: account?.phone ?? ticket.customer.phone,
        email: account?.email ?? ticket.customer.email,
      },
      // Lineup's own: the ticket's live page for this phone.
      page_url: `/t/${await phone.pageToken(customer.id)}`,
    };
  };

  const settingsOf = (store: Store | null) => {
    const s = store?.phoneQueue;
    return {
      request_ticket_radius: s?.radiusKm ?? 0,
      request_ticket_min_customers: s?.minCustomers ?? 0,
      request_ticket_min_waiting_time: s?.minWaitingMinutes ?? 0,
      allow_multi_ticket: s?.allowMultiTicket ?? false,
      notification_texts: BLOOM_NOTIFICATION_TEXTS,
    };
  };

  const workingHoursOf = (store: Store, now: Date) =>
    workingPeriods(store, now).map((p) => ({
      open_today_from: stamp(p.from, store.timeZone),
      open_today_to: stamp(p.to, store.timeZone),
    }));

  const phoneStores = async (): Promise<Store[]> =>
    (await engine.repo.stores()).filter((s) => s.phoneQueue.enabled);

  const serviceLine = (queue: StoreQueue, service: Service) => {
    const load = serviceLoad(queue, service.id);
    return bloomLocationService(
      service,
      queue.store.langs[0] ?? 'EN',
      queue.store.langs,
      load.waiting,
      load.waitMinutes,
    );
  };

  type Handler = (request: FastifyRequest, format: BloomFormat) => unknown;

  const routes: { method: 'GET' | 'POST'; path: string; handler: Handler }[] = [];
  const route = (method: 'GET' | 'POST', path: string, handler: Handler): void => {
    routes.push({ method, path, handler });
  };
  const mount = (scope: FastifyInstance, { method, path, handler }: (typeof routes)[number]) => {
    scope.route({
      method,
      url: `${BLOOM_PREFIX}/:format/${path}`,
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        const raw = (request.params as { format?: string }).format ?? '';
        const format: BloomFormat = isBloomFormat(raw) ? raw : 'json';
        let status = 200;
        let body: unknown;
        try {
          if (!isBloomFormat(raw))
            throw new BloomError(404, `Unknown response format "${raw}": use json or xml.`);
          body = await handler(request, format);
        } catch (error) {
          if (error instanceof BloomError || error instanceof PhoneRefusal) {
            status = error.status;
            if (error instanceof BloomError && error.retryAfterSeconds !== null)
              void reply.header('retry-after', String(error.retryAfterSeconds));
            body = { success: false, status: { success: 'false' }, error: error.message };
          } else throw error;
        }
        const out = renderBloom(format, body);
        return reply.code(status).type(out.type).send(out.text);
      },
    });
  };

  // Users and authentication.
  route('POST', 'customer/register', async (request) => {
    const body = parseBody(RegisterSchema, request.body);
    refuseOAuth(body.oauth_provider);
    if (body.username === null || body.password === null)
      throw new BloomError(400, 'username and password are required.');
    if (body.password.length < 8) throw new BloomError(400, 'password: use at least 8 characters.');
    if ((await accounts.byUsername(body.username)) !== null)
      throw new BloomError(409, `The username "${body.username}" is taken.`);
    const account = await accounts.create({
      username: body.username,
      email: body.email,
      phone: body.phone,
      firstName: body.first_name ?? '',
      lastName: body.last_name ?? '',
      passwordHash: await hashPassword(body.password),
      oauthProvider: null,
      pushNotificationKey: body.pushnotification,
      address: null,
      preferredLanguage: null,
      attributes: {},
    });
    return { success: true, vt_token: await accounts.issueToken(account.id) };
  });

  route('POST', 'customer/login', async (request) => {
    const body = parseBody(LoginSchema, request.body);
    refuseOAuth(body.oauth_provider);
    if (body.username === null || body.password === null)
      throw new BloomError(400, 'username and password are required.');
    const attempts = signInLimit(request);
    const wait = await attempts.retryAfter();
    if (wait !== null) throw new BloomError(429, tooManyAttempts(wait), wait);
    const account =
      (await accounts.byUsername(body.username)) ?? (await accounts.byEmail(body.username));
    if (!(await verifyPassword(body.password, account?.passwordHash ?? null)) || account === null) {
      await attempts.failed();
      throw new BloomError(401, 'Wrong username or password.');
    }
    const attrs = body.customer_attribute ?? {};
    let updated = account;
    if (Object.keys(attrs).length > 0) {
      const fields: Partial<BloomAccount> = {};
      const extra: Record<string, unknown> = { ...account.attributes };
      for (const [key, value] of Object.entries(attrs)) {
        const field = ATTRIBUTE_FIELDS[key as keyof typeof ATTRIBUTE_FIELDS];
        if (field !== undefined && (typeof value === 'string' || value === null))
          Object.assign(fields, { [field]: value ?? (field.endsWith('Name') ? '' : null) });
        else if (key === 'name' && typeof value === 'string') fields.firstName = value;
        else extra[key] = value;
      }
      updated = await accounts.save({ ...account, ...fields, attributes: extra });
    }
    return { success: true, vt_token: await accounts.issueToken(updated.id) };
  });

  route('POST', 'customer/details', async (request) => {
    const account = await signedIn(request);
    return {
      status: { success: 'true' },
      user: await detailsOf(account, tokenOf(request), (await phoneStores())[0]?.timeZone ?? 'UTC'),
    };
  });

  route('GET', 'customer/resetpassword', async (request) => {
    const email = queryText(request, 'email');
    if (email === null || !z.email().safeParse(email).success)
      throw new BloomError(400, 'email: give the email address of the account.');
    // The same answer whether or not an account has it: nobody learns who has an account.
    await accounts.requestReset(email);
    return { success: true };
  });

  route('POST', 'customer/newpassword', async (request) => {
    const body = parseBody(NewPasswordSchema, request.body);
    if (body.password !== body.repeat_password)
      throw new BloomError(400, 'password and repeat_password differ.');
    const account = await accounts.resetPassword(body.token, body.password);
    if (account === null)
      throw new BloomError(400, 'This reset token is unknown, used or expired: ask for a new one.');
    return { success: true, vt_token: await accounts.issueToken(account.id) };
  });

  // Locations and services.
  route('GET', 'locations/get', async (request) => {
    const region = queryText(request, 'region')?.toLowerCase() ?? null;
    const city = queryText(request, 'city')?.toLowerCase() ?? null;
    const coordinates = queryText(request, 'coordinates');
    const point = coordinates === null ? null : parseCoordinates(coordinates);
    if (coordinates !== null && point === null)
      throw new BloomError(
        400,
        'coordinates: give "latitude,longitude", e.g. "41.57257,-8.42638".',
      );
    const now = new Date();
    let stores = (await phoneStores()).filter(
      (s) =>
        (region === null || s.location.region.toLowerCase() === region) &&
        (city === null || s.location.city.toLowerCase() === city),
    );
    const distance = (s: Store): number => {
      const p = storePoint(s);
      return point === null || p === null ? Number.POSITIVE_INFINITY : distanceKm(point, p);
    };
    if (point !== null) {
      // Nearest first; a store that takes tickets within a radius is listed only within it.
      stores = stores
        .filter((s) => s.phoneQueue.radiusKm === 0 || distance(s) <= s.phoneQueue.radiusKm)
        .sort((a, b) => distance(a) - distance(b));
    }
    const locations = [];
    for (const store of stores) {
      const queue = await readStoreQueue(engine, store, now);
      locations.push({
        id: store.id,
        name: store.name,
        city: store.location.city,
        region: store.location.region,
        country: store.location.country,
        coordinates: bloomCoordinates(store),
        address: store.location.address,
        timezone: store.timeZone,
        isOpen: isStoreOpen(store, queue.devices, now),
        working_hours: workingHoursOf(store, now),
        services: joinableServices(queue).map((s) => serviceLine(queue, s)),
        ...(point === null || storePoint(store) === null
          ? {}
          : { distance_km: Math.round(distance(store) * 100) / 100 }),
        settings: settingsOf(store),
      });
    }
    return {
      status: { success: 'true' },
      locations,
      settings: settingsOf(stores[0] ?? null),
    };
  });

  route('GET', 'server_services/get', async (request) => {
    const serviceId = queryText(request, 'server_service_id');
    const locationId = queryText(request, 'location_id');
    const now = new Date();
    const stores = (await phoneStores()).filter((s) => locationId === null || s.id === locationId);
    if (locationId !== null && stores.length === 0)
      throw new BloomError(404, `There is no location ${locationId}.`);
    const out = [];
    for (const store of stores) {
      const queue = await readStoreQueue(engine, store, now);
      const open = isStoreOpen(store, queue.devices, now);
      const hours = workingHoursOf(store, now);
      const from = hours[0]?.open_today_from ?? null;
      const to = hours.at(-1)?.open_today_to ?? null;
      for (const service of joinableServices(queue)) {
        if (serviceId !== null && service.id !== serviceId) continue;
        const line = serviceLine(queue, service);
        const name = line.description;
        out.push({
          id: service.id,
          name,
          state: '',
          description: '',
          locations: [
            {
              ...storeToBloomMaster(store),
              city: store.location.city,
              region: store.location.region,
              country: store.location.country,
              isOpen: open,
              working_hours: hours,
              services: [
                {
                  id: service.id,
                  server_service_id: service.id,
                  location_id: store.id,
                  name,
                  color: '',
                  ticket_counter: await engine.repo.lastIssued(
                    store.id,
                    service.ticketPrefix,
                    queue.day,
                  ),
                  hours: line.waiting_avg.slice(0, 2),
                  minutes: line.waiting_avg.slice(3, 5),
                  tag: service.ticketPrefix,
                  waiting_tickets: Number(line.waiting_tickets),
                  waiting_avg: line.waiting_avg,
                  isOpen: open,
                  open_today_from: from,
                  open_today_to: to,
                },
              ],
              settings: settingsOf(store),
            },
          ],
          isOpen: open,
          open_today_from: from,
          open_today_to: to,
        });
      }
    }
    if (serviceId !== null && out.length === 0)
      throw new BloomError(404, `There is no server_service ${serviceId}.`);
    return { success: true, server_services: out };
  });

  // Tickets.
  const myTickets = async (account: BloomAccount): Promise<Customer[]> => {
    const out: Customer[] = [];
    for (const t of await engine.repo.bloomTickets({ accountId: account.id })) {
      const c = await engine.repo.customer(t.customerId);
      if (c !== null) out.push(c);
    }
    return out;
  };
  const ticketsOf = async (customers: readonly Customer[], account: BloomAccount) => {
    const out = [];
    for (const c of customers) out.push(await ticketOf(c, account));
    return out;
  };

  route('GET', 'customer/tickets', async (request) => {
    const account = await signedIn(request);
    return { success: true, tickets: await ticketsOf(await myTickets(account), account) };
  });

  route('GET', 'customer/tickets/:ticket_id', async (request) => {
    const account = await signedIn(request);
    const id = (request.params as { ticket_id: string }).ticket_id;
    const customer = (await myTickets(account)).find((c) => c.id === id);
    if (customer === undefined) throw new BloomError(404, `You have no ticket ${id}.`);
    return { success: true, tickets: [await ticketOf(customer, account)] };
  });

  route('POST', 'ticket/create', async (request) => {
    const account = await signedIn(request);
    const body = parseBody(
      BloomCreateTicketRequestSchema.extend({ coordinates: z.string().max(100).optional() }),
      request.body,
    );
    const position = body.coordinates === undefined ? null : parseCoordinates(body.coordinates);
    if (body.coordinates !== undefined && position === null)
      throw new BloomError(400, 'coordinates: give "latitude,longitude".');
    const made = [];
    for (const t of body.tickets) {
      const store = await engine.repo.store(t.master_id);
      made.push(
        await phone.join({
          storeId: t.master_id,
          serviceId: t.service_id,
          accountId: account.id,
          phoneKey: `account:${account.id}`,
          ip: request.ip,
          position,
          lang: account.preferredLanguage ?? store?.langs[0] ?? 'EN',
          name: displayName(account) || undefined,
        }),
      );
    }
    const tickets = await ticketsOf(
      made.map((t) => t.customer),
      account,
    );
    return { success: true, ticket: tickets[0], ...(tickets.length > 1 ? { tickets } : {}) };
  });

  route('POST', 'ticket/cancel', async (request) => {
    const account = await signedIn(request);
    const body = parseBody(BloomCancelTicketRequestSchema, request.body);
    const customer = (await myTickets(account)).find((c) => c.id === body.ticket);
    if (customer === undefined) throw new BloomError(404, `You have no ticket ${body.ticket}.`);
    if (customer.state !== 'waiting' && customer.state !== 'booked')
      throw new BloomError(409, `Ticket ${customer.ticket} was already ${customer.state}.`);
    await phone.cancel(customer);
    return { success: true };
  });

  route('GET', 'settings/get', async (request) => {
    const locationId = queryText(request, 'location_id');
    const store =
      locationId === null ? ((await phoneStores())[0] ?? null) : await phone.phoneStore(locationId);
    const s = settingsOf(store);
    return {
      success: true,
      settings: [
        { id: 'vt_max_radius', value: String(s.request_ticket_radius) },
        { id: 'request_ticket_radius', value: String(s.request_ticket_radius) },
        { id: 'request_ticket_min_customers', value: String(s.request_ticket_min_customers) },
        {
          id: 'request_ticket_min_waiting_time',
          value: String(s.request_ticket_min_waiting_time),
        },
        { id: 'allow_multi_ticket', value: String(s.allow_multi_ticket) },
      ],
    };
  });

  void app.register(async (scope) => {
    // An XML route may also be sent an XML body (a JSON body is read as everywhere else).
    scope.addContentTypeParser(
      ['application/xml', 'text/xml'],
      { parseAs: 'string' },
      (_request, body, done) => {
        const parsed = parseBloomXml(typeof body === 'string' ? body : body.toString('utf8'));
        if (parsed === null) {
          const error = new BloomError(400, 'The body is not valid XML.') as BloomError & {
            statusCode: number;
          };
          error.statusCode = 400;
          return done(error, undefined);
        }
        done(null, parsed);
      },
    );
    scope.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
      // Bodies Fastify could not read (bad JSON or XML, too large, wrong type) in the seed's shape.
      const raw = (request.params as { format?: string } | undefined)?.format ?? 'json';
      const status =
        error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 500;
      const out = renderBloom(isBloomFormat(raw) ? raw : 'json', {
        success: false,
        status: { success: 'false' },
        error: status < 500 ? error.message : 'The hub could not handle this request.',
      });
      void reply.code(status).type(out.type).send(out.text);
    });
    for (const r of routes) mount(scope, r);
  });
}
