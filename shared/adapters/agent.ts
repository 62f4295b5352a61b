// The agent API (staff online/offline at a desk, and their tickets). An agent is a staff member
// signed in at a desk: online opens the desk, offline closes it; the agent's tickets are the
// customers they called (from `staffCalls`) and those sent to their desk. Times are unix seconds
// (int64 in the API).
import { z } from 'zod';
import type { Customer, Service } from '../domain/entities.js';
import { compareQueueOrder } from '../domain/queue.js';
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

const seconds = (iso: string | null | undefined): number | undefined =>
  iso === null || iso === undefined ? undefined : Math.floor(Date.parse(iso) / 1000);

/** `PUT /v1/{agentID}/online|offline` → the desk status command. */
export function agentStatusToDeskChange(status: 'online' | 'offline'): DeskStatusChange {
  return status === 'online' ? 'open' : 'close';
}

/** What the agent API tells of an agent. */
export interface AgentRecord {
  id: string;
  name: string;
  lastLoginAt: string | null;
  /** When the current status (online/offline) began. */
  statusSince: string | null;
}

export function toAgentInfo(agent: AgentRecord, now: Date): AgentInfo {
  const since = seconds(agent.statusSince);
  const last = seconds(agent.lastLoginAt);
  return {
    id: agent.id,
    name: agent.name,
    ...(last === undefined ? {} : { lastLoginTime: last }),
    ...(since === undefined
      ? {}
      : {
          updatedAt: since,
          agentTimeInStatus: Math.max(0, Math.floor(now.getTime() / 1000) - since),
        }),
  };
}

/** The agent asking: the staff member and the desk they are signed in at. */
export interface AgentAtDesk {
  staffId: string;
  deskId: string;
}

const ENDED: ReadonlySet<Customer['state']> = new Set(['done', 'no_show', 'cancelled']);

function lastCallBy(c: Customer, staffId: string) {
  return (c.staffCalls ?? []).findLast((s) => s.staffId === staffId);
}

/**
 * ESCALATED once another staff member took the customer, or it was transferred away from the
 * agent's desk; CLOSED when it ended with the agent; ASSIGNED while with the agent's desk.
 */
export function agentTicketStatus(c: Customer, agent: AgentAtDesk): AgentTicketStatus {
  const last = c.staffCalls?.at(-1);
  if (last !== undefined && last.staffId !== agent.staffId) return 'ESCALATED';
  if (ENDED.has(c.state)) return 'CLOSED';
  const desk = lastCallBy(c, agent.staffId)?.deskId ?? agent.deskId;
  return c.deskId === desk ? 'ASSIGNED' : 'ESCALATED';
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
  agent: AgentAtDesk,
  opts: { queueName: string; priority: number },
): AgentTicket {
  const assigned = seconds(lastCallBy(c, agent.staffId)?.at);
  return {
    id: c.id,
    ticketStatus: agentTicketStatus(c, agent),
    ...(assigned === undefined ? {} : { assignedTime: assigned }),
    createdAt: seconds(c.registeredAt),
    queue: opts.queueName,
    channel: 'in-store',
    content: { ticket: c.ticket, state: c.state, serviceId: c.serviceId },
    metadata: { ccr: opts.queueName },
    statusReason: c.state,
    priority: opts.priority,
    customer: { id: c.id, ...splitName(c.contact.name) },
  };
}

/**
 * The agent's tickets: customers they called (whatever became of them) and customers waiting
 * for their desk. `priority` is the rank in the queue rule's call order (1 = called first).
 */
export function agentTickets(
  agent: AgentAtDesk,
  customers: readonly Customer[],
  services: readonly Service[],
  queueName: (c: Customer) => string,
): AgentTicket[] {
  const byId = new Map(services.map((s) => [s.id, s]));
  return customers
    .filter(
      (c) =>
        lastCallBy(c, agent.staffId) !== undefined ||
        (c.state === 'waiting' && c.deskId === agent.deskId),
    )
    .sort((a, b) => compareQueueOrder(a, b, byId))
    .map((c, i) => customerToAgentTicket(c, agent, { queueName: queueName(c), priority: i + 1 }));
}
