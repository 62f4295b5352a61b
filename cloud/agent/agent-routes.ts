// The agent API (seed: oneview-chat-ticket-agent-api.txt) on the hub, and the staff sign-in it
// needs (the seed defines none): `POST /v1/login` → a bearer JWT, `POST /v1/logout`.
// Every error is the seed's `{errorCode, errorMessage}`, word for word.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AGENT_ERRORS, agentTickets } from '../../shared/adapters/agent.js';
import { IdSchema } from '../../shared/domain/entities.js';
import { storeDay } from '../../shared/domain/numbering.js';
import { pickText } from '../../shared/i18n/index.js';
import type { HubEngine } from '../engine/hub-engine.js';
import { tooManyAttempts, type SignInLimit } from '../auth/sign-in-limit.js';
import { checkSignIn } from '../staff/sign-in.js';
import type { Staff } from '../staff/staff.js';
import { authenticate, issueStaffToken, type StaffClaims } from '../staff/tokens.js';
import { agentInfoOf, setAgentStatus, signInAtDesk, signOut } from './agent-sessions.js';

type AgentErrorStatus = keyof typeof AGENT_ERRORS;

const fail = (reply: FastifyReply, status: AgentErrorStatus) =>
  reply.code(status).send(AGENT_ERRORS[status]);

export const LoginRequestSchema = z.object({
  email: z.string().min(1).max(254),
  password: z.string().min(1).max(200),
  /** The desk to sign in at as its agent; without it, a staff token (e.g. for the Ombori import). */
  deskId: IdSchema.optional(),
});

const AgentParamsSchema = z.object({ agentID: IdSchema });

export function registerAgentApi(
  app: FastifyInstance,
  engine: HubEngine,
  signInLimit: SignInLimit,
  clock: () => Date = () => new Date(),
): void {
  const { repo } = engine;

  /**
   * The caller, when the token is valid and names this agent signed in at a desk: 400 for an
   * agentID that cannot be one, 401 without a valid live token, 403 for another agent's (or a
   * token not bound to a desk), 404 when the account or desk is gone.
   */
  const agentOf = async (
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<{ staff: Staff; claims: StaffClaims; deskId: string } | null> => {
    const refuse = async (status: AgentErrorStatus) => {
      await fail(reply, status);
      return null;
    };
    const params = AgentParamsSchema.safeParse(request.params);
    if (!params.success) return refuse(400);
    const auth = await authenticate(repo, request.headers.authorization, clock());
    if (!auth.ok) return refuse(401);
    const { claims, staff } = auth;
    if (claims.sub !== params.data.agentID || claims.desk === null) return refuse(403);
    const desk = await repo.device(claims.desk);
    if (staff === null || desk === null || staff.agent.deskId !== desk.id) return refuse(404);
    return { staff, claims, deskId: desk.id };
  };

  void app.register(async (scope) => {
    // Bodies the JSON parser refuses (not JSON, wrong type, too large) and anything unexpected
    // answer in the seed's error shape too.
    scope.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
      const status = error.statusCode;
      return fail(reply, status !== undefined && status >= 400 && status < 500 ? 400 : 500);
    });

    scope.post('/v1/login', async (request, reply) => {
      const body = LoginRequestSchema.safeParse(request.body);
      if (!body.success) return fail(reply, 400);
      const now = clock();
      // One answer, taking as long, for an unknown email and a wrong password; the failures
      // count against the account's lock, shared with the console.
      const check = await checkSignIn(repo, body.data, now, signInLimit(request));
      if (!check.ok && check.reason === 'throttled') {
        // Not in the seed either: its error shape, with the standard Retry-After.
        return reply
          .code(429)
          .header('retry-after', String(check.retryAfterSeconds))
          .send({ errorCode: 429, errorMessage: tooManyAttempts(check.retryAfterSeconds) });
      }
      if (!check.ok && check.reason === 'locked') {
        // Not in the seed (nor is this route): its error shape, saying until when.
        return reply.code(423).send({
          errorCode: 423,
          errorMessage: `locked until ${check.lockedUntil}`,
        });
      }
      if (!check.ok) return fail(reply, 401);
      const { staff } = check;
      let signedIn = staff;
      if (body.data.deskId !== undefined) {
        const result = await signInAtDesk(engine, staff, body.data.deskId, now);
        if (result === 'not_found') return fail(reply, 404);
        if (result === 'forbidden') return fail(reply, 403);
        signedIn = result.staff;
      }
      const issued = await issueStaffToken(repo, staff, body.data.deskId ?? null, now);
      return {
        token: issued.token,
        expiresAt: Math.floor(issued.expiresAt.getTime() / 1000),
        agent: agentInfoOf(signedIn, now),
        deskId: body.data.deskId ?? null,
      };
    });

    scope.post('/v1/logout', async (request, reply) => {
      const now = clock();
      const auth = await authenticate(repo, request.headers.authorization, now);
      if (!auth.ok) return fail(reply, 401);
      if (auth.staff === null)
        await repo.revokeStaffTokens({ jti: auth.claims.jti }, now.toISOString());
      else await signOut(engine, auth.staff, auth.claims.jti, now);
      return reply.code(204).send();
    });

    scope.get('/v1/:agentID/tickets', async (request, reply) => {
      const agent = await agentOf(request, reply);
      if (agent === null) return reply;
      const desk = await repo.device(agent.deskId);
      const store = desk === null ? null : await repo.store(desk.storeId);
      if (store === null) return fail(reply, 404);
      const services = await repo.services(store.id);
      const names = new Map(
        services.map((s) => [s.id, pickText(s.name, store.langs[0] ?? 'EN', store.langs)]),
      );
      return agentTickets(
        { staffId: agent.staff.id, deskId: agent.deskId },
        await repo.queueCustomers(store.id, storeDay(clock(), store.timeZone)),
        services,
        (c) => names.get(c.serviceId) ?? c.serviceId,
      );
    });

    for (const status of ['online', 'offline'] as const) {
      scope.put(`/v1/:agentID/${status}`, async (request, reply) => {
        const agent = await agentOf(request, reply);
        if (agent === null) return reply;
        const now = clock();
        const result = await setAgentStatus(engine, agent.staff, agent.deskId, status, now);
        if (!result.ok) {
          const code = result.refusal.code;
          return fail(reply, code === 'not_found' ? 404 : code === 'not_allowed' ? 403 : 400);
        }
        return agentInfoOf(result.staff, now);
      });
    }
  });
}
