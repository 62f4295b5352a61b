// The agent API (desk staff online/offline and their assigned tickets). Lineup reads an agent
// as a desk: online = open, offline = closed; the agent's tickets are the customers its desk
// called or was sent. Times are unix seconds (int64 in the API).
import { z } from 'zod';
import type { Customer, Device } from '../domain/entities.js';
import type { DeskStatusChange } from '../protocol/sync.js';

export const AgentTicketStatusSchema = z.enum(['ASSIGNED', 'ESCALATED', 'CLOSED']);
export type AgentTicketStatus = z.infer<typeof AgentTicketStatusSchema>;

export const AgentInfoSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  lastLoginTime: z.number().int().optional(),
  updatedAt: z.number().int().optional(),
  agentTimeInStatus: z.number().int().optional(),
});
export type AgentInfo = z.infer<typeof AgentInfoSchema>;

export const AgentTicketSchema = z.object({
  id: z.string(),
  ticketStatus: AgentTicketStatusSchema,
  assignedTime: z.number().int().optional(),
  createdAt: z.number().int().optional(),
  queue: z.string().optional(),
  channel: z.string().optional(),
  content: z.record(z.string(), z.unknown()).optional(),
  metadata: z
    .object({
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
    .object({ id: z.string(), firstName: z.string().optional(), lastName: z.string().optional() })
    .optional(),
});
export type AgentTicket = z.infer<typeof AgentTicketSchema>;

export const AgentErrorSchema = z.object({ errorCode: z.number().int(), errorMessage: z.string() });
export const AGENT_ERRORS = {
  400: { errorCode: 400, errorMessage: 'bad request' },
  401: { errorCode: 401, errorMessage: 'not authorize' },
  403: { errorCode: 403, errorMessage: 'forbidden' },
  404: { errorCode: 404, errorMessage: 'not found' },
  500: { errorCode: 500, errorMessage: 'internal server error' },
} as const;

const seconds = (iso: string | null): number | undefined =>
  iso === null ? undefined : Math.floor(Date.parse(iso) / 1000);

/** `PUT /v1/{agentID}/online|offline` → the desk status command. */
export function agentStatusToDeskChange(status: 'online' | 'offline'): DeskStatusChange {
  return status === 'online' ? 'open' : 'close';
}

export function deskToAgentInfo(
  desk: Device,
  opts: { now: Date; statusSince?: string | null; lastLoginAt?: string | null },
): AgentInfo {
  const since = seconds(opts.statusSince ?? null);
  const now = Math.floor(opts.now.getTime() / 1000);
  return {
    id: desk.id,
    name: desk.name,
    ...(opts.lastLoginAt == null ? {} : { lastLoginTime: seconds(opts.lastLoginAt) }),
    ...(since === undefined
      ? {}
      : { updatedAt: since, agentTimeInStatus: Math.max(0, now - since) }),
  };
}

/** ASSIGNED while with the desk; CLOSED once ended; ESCALATED when moved on to another desk. */
export function agentTicketStatus(c: Customer, deskId: string): AgentTicketStatus {
  if (c.state === 'done' || c.state === 'no_show' || c.state === 'cancelled') return 'CLOSED';
  return c.deskId === deskId ? 'ASSIGNED' : 'ESCALATED';
}

function splitName(name: string | undefined): { firstName?: string; lastName?: string } {
  const parts = (name ?? '').trim().split(/\s+/).filter(Boolean);
  const [firstName, ...rest] = parts;
  return {
    ...(firstName === undefined ? {} : { firstName }),
    ...(rest.length === 0 ? {} : { lastName: rest.join(' ') }),
  };
}

export function customerToAgentTicket(
  c: Customer,
  deskId: string,
  opts: { queueName: string; priority?: number },
): AgentTicket {
  return {
    id: c.id,
    ticketStatus: agentTicketStatus(c, deskId),
    ...(c.calledAt === null ? {} : { assignedTime: seconds(c.calledAt) }),
    createdAt: seconds(c.registeredAt),
    queue: opts.queueName,
    channel: 'in-store',
    content: { ticket: c.ticket, state: c.state },
    statusReason: c.state,
    // Lower first, as the agent API sorts by it: prioritized customers before the others.
    priority: opts.priority ?? (c.prioritized ? 1 : 2),
    customer: { id: c.id, ...splitName(c.contact.name) },
  };
}

/** The agent's tickets: customers its desk holds (called, serving) or was sent (waiting). */
export function agentTickets(
  deskId: string,
  customers: readonly Customer[],
  queueName: (c: Customer) => string,
): AgentTicket[] {
  return customers
    .filter(
      (c) =>
        c.deskId === deskId &&
        (c.state === 'waiting' || c.state === 'called' || c.state === 'serving'),
    )
    .map((c) => customerToAgentTicket(c, deskId, { queueName: queueName(c) }));
}
