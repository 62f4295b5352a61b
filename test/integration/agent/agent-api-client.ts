// An agent API client written from the seed alone (oneview-chat-ticket-agent-api.txt) plus the
// hub's documented sign-in (README: POST /v1/login). It knows only the wire format: no imports
// from cloud/ or shared/.
import { z } from 'zod';

export const SeedErrorSchema = z.object({ errorCode: z.number().int(), errorMessage: z.string() });
/** The seed's error bodies, word for word. */
export const SEED_ERRORS = {
  400: { errorCode: 400, errorMessage: 'bad request' },
  401: { errorCode: 401, errorMessage: 'not authorize' },
  403: { errorCode: 403, errorMessage: 'forbidden' },
  404: { errorCode: 404, errorMessage: 'not found' },
  500: { errorCode: 500, errorMessage: 'internal server error' },
} as const;

export const AgentInfoSchema = z.strictObject({
  id: z.string(),
  name: z.string().optional(),
  lastLoginTime: z.number().int().optional(),
  updatedAt: z.number().int().optional(),
  agentTimeInStatus: z.number().int().optional(),
});
export type AgentInfo = z.infer<typeof AgentInfoSchema>;

export const TicketSchema = z.strictObject({
  id: z.string(),
  ticketStatus: z.enum(['ASSIGNED', 'ESCALATED', 'CLOSED']),
  assignedTime: z.number().int().optional(),
  createdAt: z.number().int().optional(),
  queue: z.string().optional(),
  channel: z.string().optional(),
  content: z.record(z.string(), z.unknown()).optional(),
  metadata: z
    .strictObject({
      ccr: z.string().optional(),
      agentJwt: z.string().optional(),
      roomId: z.string().optional(),
      roomName: z.string().optional(),
      roomSubscriptionToken: z.string().optional(),
      orderId: z.string().optional(),
      agentAccesses: z.array(z.string()).optional(),
    })
    .optional(),
  statusReason: z.string().optional(),
  priority: z.number().int().optional(),
  customer: z
    .strictObject({
      id: z.string().optional(),
      firstName: z.string().optional(),
      lastName: z.string().optional(),
    })
    .optional(),
});
export type Ticket = z.infer<typeof TicketSchema>;

export interface Answer<T> {
  status: number;
  body: T | z.infer<typeof SeedErrorSchema>;
}

async function call(
  hub: string,
  method: string,
  path: string,
  token: string | null,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(new URL(path, hub), {
    method,
    headers: {
      ...(token === null ? {} : { Authorization: `bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? null : (JSON.parse(text) as unknown) };
}

function answer<T>(r: { status: number; json: unknown }, ok: z.ZodType<T>): Answer<T> {
  return {
    status: r.status,
    body: r.status === 200 ? ok.parse(r.json) : SeedErrorSchema.parse(r.json),
  };
}

export const getTickets = async (hub: string, agentID: string, token: string | null) =>
  answer(
    await call(hub, 'GET', `/v1/${encodeURIComponent(agentID)}/tickets`, token),
    z.array(TicketSchema),
  );

export const putOnline = async (hub: string, agentID: string, token: string | null) =>
  answer(
    await call(hub, 'PUT', `/v1/${encodeURIComponent(agentID)}/online`, token),
    AgentInfoSchema,
  );

export const putOffline = async (hub: string, agentID: string, token: string | null) =>
  answer(
    await call(hub, 'PUT', `/v1/${encodeURIComponent(agentID)}/offline`, token),
    AgentInfoSchema,
  );

export const LoginSchema = z.object({
  token: z.string(),
  expiresAt: z.number().int(),
  agent: AgentInfoSchema,
  deskId: z.string().nullable(),
});

/** The hub's sign-in (README): `POST /v1/login {email, password, deskId?}`. */
export const login = async (hub: string, body: unknown) =>
  answer(await call(hub, 'POST', '/v1/login', null, body), LoginSchema);

export const logout = async (hub: string, token: string) =>
  (await call(hub, 'POST', '/v1/logout', token)).status;
