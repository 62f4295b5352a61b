// The Ombori exchange over HTTP, for staff with a bearer token from `POST /v1/login` (owners
// and admins: any store; store managers: their stores). The seed defines no routes nor errors:
// errors are `{error, message}`.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { IdSchema } from '../../shared/domain/entities.js';
import type { HubEngine } from '../engine/hub-engine.js';
import { mayActOn } from '../staff/staff.js';
import { authenticate } from '../staff/tokens.js';
import { exportOmboriTickets, importOmboriTickets } from './ombori-exchange.js';

export const OMBORI_PATH = '/ombori/v1/stores/:storeId/tickets';
/** At most this many tickets in one import request. */
export const MAX_OMBORI_BATCH = 500;

const ERRORS = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  500: 'internal',
} as const;

const fail = (reply: FastifyReply, status: keyof typeof ERRORS, message: string) =>
  reply.code(status).send({ error: ERRORS[status], message });

const StoreParams = z.object({ storeId: IdSchema });
const TicketParams = StoreParams.extend({ ticketId: z.string().min(1).max(200) });
const ImportQuery = z.object({ service: IdSchema.optional() });

export function registerOmbori(
  app: FastifyInstance,
  engine: HubEngine,
  clock: () => Date = () => new Date(),
): void {
  const { repo } = engine;

  /** The staff member, when they may exchange tickets of `storeId`; else the reply is sent. */
  const staffFor = async (
    authorization: string | undefined,
    storeId: string,
    reply: FastifyReply,
  ) => {
    const auth = await authenticate(repo, authorization, clock());
    if (!auth.ok || auth.staff === null) {
      await fail(reply, 401, 'Sign in with POST /v1/login and send Authorization: Bearer <token>.');
      return null;
    }
    if (!mayActOn(auth.staff, storeId, ['store_manager'])) {
      await fail(
        reply,
        403,
        'Only owners, admins and the managers of this store exchange tickets.',
      );
      return null;
    }
    return auth.staff;
  };

  void app.register(async (scope) => {
    scope.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
      const status = error.statusCode;
      return status !== undefined && status >= 400 && status < 500
        ? fail(reply, 400, error.message)
        : fail(reply, 500, 'The hub could not handle this request.');
    });

    scope.get(OMBORI_PATH, async (request, reply) => {
      const params = StoreParams.safeParse(request.params);
      if (!params.success) return fail(reply, 400, 'The store id is not valid.');
      if ((await staffFor(request.headers.authorization, params.data.storeId, reply)) === null)
        return reply;
      const tickets = await exportOmboriTickets(engine, params.data.storeId, clock());
      return tickets ?? fail(reply, 404, `Store ${params.data.storeId} does not exist.`);
    });

    scope.get(`${OMBORI_PATH}/:ticketId`, async (request, reply) => {
      const params = TicketParams.safeParse(request.params);
      if (!params.success) return fail(reply, 400, 'The store or ticket id is not valid.');
      const { storeId, ticketId } = params.data;
      if ((await staffFor(request.headers.authorization, storeId, reply)) === null) return reply;
      const ticket = await exportOmboriTickets(engine, storeId, clock(), ticketId);
      return ticket ?? fail(reply, 404, `No ticket ${ticketId} in store ${storeId}.`);
    });

    scope.post(OMBORI_PATH, async (request, reply) => {
      const params = StoreParams.safeParse(request.params);
      const query = ImportQuery.safeParse(request.query);
      if (!params.success || !query.success)
        return fail(reply, 400, 'The store id or ?service= is not valid.');
      const { storeId } = params.data;
      const staff = await staffFor(request.headers.authorization, storeId, reply);
      if (staff === null) return reply;
      const body: unknown = request.body;
      const items = Array.isArray(body) ? body : [body];
      if (body === undefined || body === null || typeof body !== 'object')
        return fail(reply, 400, 'Send one Ombori ticket or an array of them as JSON.');
      if (items.length > MAX_OMBORI_BATCH)
        return fail(reply, 400, `At most ${MAX_OMBORI_BATCH} tickets per request.`);
      const results = await importOmboriTickets(engine, storeId, items, {
        origin: `staff:${staff.id}`,
        now: clock(),
        ...(query.data.service === undefined ? {} : { serviceId: query.data.service }),
      });
      return results === null ? fail(reply, 404, `Store ${storeId} does not exist.`) : { results };
    });
  });
}
