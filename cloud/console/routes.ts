// The hub console's HTTP API (shared/protocol/console.ts): every route of the table, with its
// session, CSRF and per-store permission checks at the HTTP level, whatever the UI shows.
import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { IdSchema } from '../../shared/domain/entities.js';
import { pickText } from '../../shared/i18n/index.js';
import {
  CONSOLE_API_PREFIX,
  CONSOLE_ROUTES,
  type ConsolePermission,
  type ConsoleRouteName,
  type StatsQuery,
} from '../../shared/protocol/console.js';
import {
  PROVISION_PATH,
  ProvisionRequestSchema,
  SYNC_NAMESPACE,
} from '../../shared/protocol/sync.js';
import { AdminError, addDevice, removeDevice, resetDevice } from '../engine/admin.js';
import type { HubEngine } from '../engine/hub-engine.js';
import { changePassword, verifyStaffPassword, type Staff } from '../staff/staff.js';
import type { SyncServer } from '../sync/sync-server.js';
import { ConsoleHttpError, requirePermission, requireStore, userView } from './access.js';
import { fleetOf } from './fleet.js';
import { raiseFleetAlerts } from '../notify/fleet-alerts.js';
import type { SignInLimit } from '../auth/sign-in-limit.js';
import { watchPresence, type Presence } from './presence.js';
import { dismissWaiting, provisionWaiting, recordKnock, waitingDevices } from './provisioning.js';
import { liveQueue, queueAction } from './live-queue.js';
import {
  createService,
  createStoreApiKey,
  editService,
  setDeskServices,
  setupView,
  updateStore,
  updateStoreApiKey,
} from './setup.js';
import {
  checkCsrf,
  clearSessionCookie,
  csrfTokenOf,
  sessionOf,
  setSessionCookie,
  signIn,
  type ConsoleSession,
} from './session.js';
import { statsCsv } from './statistics.js';
import { startStatsRunner } from './stats-runner.js';
import type { HubDbLocation } from '../db/open-hub-repo.js';

/** How often the fleet is looked at for alerts (besides right after each health report). */
const FLEET_LOOK_MS = 15_000;

export interface ConsoleOptions {
  storage: HubDbLocation;
  clock?: () => Date;
  /** Failed password checks per client address (shared with the other sign-in doors). */
  signInLimit: SignInLimit;
  /** Told when fleet alerts queued mails (the delivery worker is woken). */
  onMailQueued?: () => void;
}

export interface ConsoleApi {
  presence: Presence;
}

const ParamsSchema = z.object({
  storeId: IdSchema.optional(),
  deviceId: IdSchema.optional(),
  serviceId: IdSchema.optional(),
  deskId: IdSchema.optional(),
  waitingId: IdSchema.optional(),
  key: z.string().max(64).optional(),
});
type Params = z.infer<typeof ParamsSchema>;

interface Call {
  request: FastifyRequest;
  reply: FastifyReply;
  session: ConsoleSession;
  staff: Staff;
  params: Params;
  /** The parsed body (or query for GET). */
  input: unknown;
  now: Date;
}

const issuesOf = (error: z.ZodError) =>
  error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));

export function registerConsole(
  app: FastifyInstance,
  engine: HubEngine,
  sync: SyncServer,
  options: ConsoleOptions,
): ConsoleApi {
  const clock = options.clock ?? (() => new Date());
  const { repo } = engine;
  const presence = watchPresence(
    sync.io.of(SYNC_NAMESPACE),
    (storeId) => repo.head(storeId),
    clock,
  );
  const unsubscribe = engine.onChanges((changes) => presence.onChanges(changes));
  const stats = startStatsRunner(options.storage);

  const fleetFor = async (storeId: string) =>
    fleetOf(
      storeId,
      await repo.devices(storeId),
      (id) => presence.of(id),
      await repo.deviceHealth(storeId),
      await repo.head(storeId),
      clock(),
    );
  const lookAtFleet = async (storeId?: string) => {
    try {
      for (const store of storeId === undefined ? await repo.stores() : [{ id: storeId }]) {
        const { queued } = await raiseFleetAlerts(repo, await fleetFor(store.id), clock());
        if (queued > 0) options.onMailQueued?.();
      }
    } catch {
      // A busy database: the next look sees it.
    }
  };
  const unhear = sync.onHealthReport((entry) => void lookAtFleet(entry.storeId));
  const fleetTimer = setInterval(() => void lookAtFleet(), FLEET_LOOK_MS);
  fleetTimer.unref();

  // Unknown devices that knock on /provision join the waiting list (the route is the server's).
  app.addHook('preSerialization', async (request, _reply, payload: unknown) => {
    if (request.routeOptions.url === PROVISION_PATH && request.method === 'POST') {
      const status = (payload as { status?: unknown } | null)?.status;
      const parsed = ProvisionRequestSchema.safeParse(request.body);
      if (status === 'unknown' && parsed.success) {
        await recordKnock(engine, parsed.data, request.ip, clock());
      }
    }
    return payload;
  });

  app.addHook('onClose', async () => {
    clearInterval(fleetTimer);
    unhear();
    unsubscribe();
    await stats.close();
  });

  void app.register(async (scope) => {
    await scope.register(fastifyCookie);
    scope.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
      if (error instanceof ConsoleHttpError) {
        const wait = error.extra.retryAfterSeconds;
        if (wait !== undefined) void reply.header('retry-after', String(wait));
        return reply.code(error.status).send(error.body());
      }
      const status = error.statusCode;
      if (status !== undefined && status >= 400 && status < 500) {
        return reply.code(status).send({ error: 'invalid', message: error.message });
      }
      return reply
        .code(500)
        .send({ error: 'invalid', message: 'The hub could not handle this request.' });
    });
    // Unknown API paths answer JSON here, never the console's pages (served at `/`).
    scope.all(`${CONSOLE_API_PREFIX}/*`, async (_request, reply) =>
      reply.code(404).send({ error: 'not_found', message: 'No such console API route.' }),
    );

    const storeOf = async (call: Call, permission: ConsolePermission) => {
      const storeId = call.params.storeId ?? '';
      return requireStore(call.staff, await repo.store(storeId), storeId, permission);
    };
    const deviceOf = async (call: Call, permission: ConsolePermission) => {
      const store = await storeOf(call, permission);
      const device = await repo.device(call.params.deviceId ?? '');
      if (device === null || device.storeId !== store.id) {
        throw new ConsoleHttpError(404, 'not_found', 'No such device in this store.');
      }
      return { store, device };
    };
    const adminCall = async <T>(fn: () => Promise<T>): Promise<T> => {
      try {
        return await fn();
      } catch (error) {
        if (error instanceof AdminError) throw new ConsoleHttpError(400, 'invalid', error.message);
        throw error;
      }
    };

    /** A route of the table behind a session (and CSRF for changes). */
    const route = (name: ConsoleRouteName, handler: (call: Call) => unknown) => {
      const spec = CONSOLE_ROUTES[name];
      scope.route({
        method: spec.method,
        url: spec.path,
        handler: async (request, reply) => {
          const now = clock();
          const session = await sessionOf(repo, request, now);
          if (spec.method !== 'GET') checkCsrf(session, request);
          const params = ParamsSchema.safeParse(request.params);
          if (!params.success) {
            throw new ConsoleHttpError(404, 'not_found', 'No such thing.');
          }
          let input: unknown = undefined;
          if (spec.request !== null) {
            const parsed = spec.request.safeParse(
              spec.method === 'GET' ? request.query : (request.body ?? {}),
            );
            if (!parsed.success) {
              throw new ConsoleHttpError(400, 'invalid', 'The request does not fit the API.', {
                issues: issuesOf(parsed.error),
              });
            }
            input = parsed.data;
          }
          const call = {
            request,
            reply,
            session,
            staff: session.staff,
            params: params.data,
            input,
            now,
          };
          return handler(call);
        },
      });
    };

    // --- Session (sign-in has no session yet) ---
    scope.post(CONSOLE_ROUTES.signIn.path, async (request, reply) => {
      const parsed = CONSOLE_ROUTES.signIn.request.safeParse(request.body ?? {});
      if (!parsed.success) {
        throw new ConsoleHttpError(400, 'invalid', 'Send {"email": "...", "password": "..."}.', {
          issues: issuesOf(parsed.error),
        });
      }
      const now = clock();
      const { staff, token } = await signIn(repo, parsed.data, now, options.signInLimit(request));
      setSessionCookie(request, reply, token);
      return {
        user: userView(staff, await repo.stores()),
        csrfToken: await csrfTokenOf(repo, token.jti),
        expiresAt: token.expiresAt.toISOString(),
      };
    });
    route('whoAmI', async ({ session }) => ({
      user: userView(session.staff, await repo.stores()),
      csrfToken: session.csrfToken,
      expiresAt: session.expiresAt.toISOString(),
    }));
    route('csrf', ({ session }) => ({ csrfToken: session.csrfToken }));
    route('signOut', async ({ request, reply, session, now }) => {
      await repo.revokeStaffTokens({ jti: session.jti }, now.toISOString());
      clearSessionCookie(request, reply);
      return { ok: true };
    });
    route('changePassword', async ({ request, reply, staff, input, now }) => {
      const body = input as z.infer<typeof CONSOLE_ROUTES.changePassword.request>;
      if (!(await verifyStaffPassword(staff, body.currentPassword))) {
        throw new ConsoleHttpError(401, 'bad_credentials', 'The current password is wrong.');
      }
      // Every session of the account ends, this one included: sign in again.
      await changePassword(repo, staff.email, body.newPassword, now);
      clearSessionCookie(request, reply);
      return { ok: true };
    });

    // --- Stores ---
    route('stores', async ({ staff }) => ({
      stores: userView(staff, await repo.stores()).stores,
    }));

    // --- Waiting devices, provisioning, devices ---
    route('waitingDevices', async ({ staff }) => {
      requirePermission(staff, 'devices.manage');
      return { devices: await waitingDevices(engine) };
    });
    route('provisionWaiting', async (call) => {
      const body = call.input as z.output<typeof CONSOLE_ROUTES.provisionWaiting.request>;
      requireStore(call.staff, await repo.store(body.storeId), body.storeId, 'devices.manage');
      return provisionWaiting(engine, call.params.waitingId ?? '', body);
    });
    route('dismissWaiting', async (call) => {
      requirePermission(call.staff, 'devices.manage');
      await dismissWaiting(engine, call.params.waitingId ?? '');
      return { ok: true };
    });
    route('resetDevice', async (call) => {
      const { device } = await deviceOf(call, 'devices.manage');
      return adminCall(() => resetDevice(engine, device.id));
    });
    route('removeDevice', async (call) => {
      const { device } = await deviceOf(call, 'devices.manage');
      await adminCall(() => removeDevice(engine, device.id));
      return { ok: true };
    });
    route('updateDevice', async (call) => {
      const { store, device } = await deviceOf(call, 'devices.manage');
      const body = call.input as z.output<typeof CONSOLE_ROUTES.updateDevice.request>;
      return adminCall(() =>
        addDevice(engine, {
          storeId: store.id,
          id: device.id,
          mac: device.mac,
          hostname: device.hostname,
          role: body.role ?? device.role,
          name: body.name ?? device.name,
        }),
      );
    });

    // --- Fleet ---
    route('fleet', async (call) => fleetFor((await storeOf(call, 'fleet.read')).id));

    // --- Setup ---
    route('setup', async (call) =>
      setupView(engine, call.staff, await storeOf(call, 'setup.manage')),
    );
    route('updateStore', async (call) => ({
      store: await updateStore(
        engine,
        call.staff,
        await storeOf(call, 'setup.manage'),
        call.input as z.output<typeof CONSOLE_ROUTES.updateStore.request>,
      ),
    }));
    route('createService', async (call) => ({
      service: await createService(
        engine,
        call.staff,
        await storeOf(call, 'setup.manage'),
        call.input as z.output<typeof CONSOLE_ROUTES.createService.request>,
      ),
    }));
    route('updateService', async (call) => ({
      service: await editService(
        engine,
        call.staff,
        await storeOf(call, 'setup.manage'),
        call.params.serviceId ?? '',
        call.input as z.output<typeof CONSOLE_ROUTES.updateService.request>,
      ),
    }));
    route('setDeskServices', async (call) => ({
      desk: await setDeskServices(
        engine,
        call.staff,
        await storeOf(call, 'setup.manage'),
        call.params.deskId ?? '',
        (call.input as z.output<typeof CONSOLE_ROUTES.setDeskServices.request>).serviceIds,
      ),
    }));
    route('createApiKey', async (call) =>
      createStoreApiKey(
        engine,
        await storeOf(call, 'setup.manage'),
        call.input as z.output<typeof CONSOLE_ROUTES.createApiKey.request>,
      ),
    );
    route('updateApiKey', async (call) => ({
      apiKey: await updateStoreApiKey(
        engine,
        call.staff,
        await storeOf(call, 'setup.manage'),
        call.params.key ?? '',
        call.input as z.output<typeof CONSOLE_ROUTES.updateApiKey.request>,
      ),
    }));

    // --- Live queue ---
    route('queue', async (call) =>
      liveQueue(engine, await storeOf(call, 'queue.manage'), call.now),
    );
    route('queueAction', async (call) => {
      const result = await queueAction(
        engine,
        call.staff,
        await storeOf(call, 'queue.manage'),
        call.input as z.output<typeof CONSOLE_ROUTES.queueAction.request>,
        call.now,
      );
      return { customer: result.customer, position: result.position };
    });

    // --- Statistics ---
    const statsOf = async (call: Call) => {
      const store = await storeOf(call, 'stats.read');
      const query = call.input as StatsQuery;
      if (query.from > query.to) {
        throw new ConsoleHttpError(400, 'invalid', '`from` must not be after `to`.');
      }
      const lang = store.langs[0] ?? 'EN';
      const labels: Record<string, string> = {};
      for (const s of await repo.services(store.id)) labels[s.id] = pickText(s.name, lang) || s.id;
      for (const d of await repo.devices(store.id)) labels[d.id] = d.name;
      return stats.stats({ storeId: store.id, timeZone: store.timeZone, ...query, labels });
    };
    route('stats', statsOf);
    route('statsCsv', async (call) => {
      const result = await statsOf(call);
      void call.reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="lineup-${result.storeId}-${result.from}-${result.to}-${result.groupBy}.csv"`,
        );
      return statsCsv(result);
    });
  });

  return { presence };
}
