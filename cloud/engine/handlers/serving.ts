// What a desk does with a customer it called (recall, start, finish, no-show), a cancel from a
// machine or desk, and a transfer to another service or desk. Each is one domain event.
import type { CustomerEventName } from '../../../shared/domain/lifecycle.js';
import {
  findCustomer,
  queueService,
  requireRole,
  stepCustomer,
  type CommandContext,
} from '../command-context.js';
import { refuse } from '../refusal.js';
import type { CommandOutcome } from '../sequencer.js';

export async function serve(
  ctx: CommandContext,
  id: string,
  event: Extract<CustomerEventName, 'recall' | 'start' | 'finish' | 'no_show' | 'cancel'>,
): Promise<CommandOutcome> {
  if (ctx.device.role === 'screen') refuse('not_allowed', 'A screen cannot change customers.');
  const c = await findCustomer(ctx, id);
  if (event !== 'cancel') {
    requireRole(ctx, 'desk', 'serve customers');
    if (c.deskId !== null && c.deskId !== ctx.device.id && c.state !== 'waiting') {
      refuse('not_allowed', `Ticket ${c.ticket} is handled by another desk.`);
    }
  }
  return { customer: await stepCustomer(ctx, c, event) };
}

export async function transfer(
  ctx: CommandContext,
  payload: { customerId: string; toServiceId?: string | undefined; toDeskId?: string | undefined },
): Promise<CommandOutcome> {
  requireRole(ctx, 'desk', 'transfer customers');
  if (payload.toServiceId === undefined && payload.toDeskId === undefined) {
    refuse('invalid', 'A transfer needs a service or a desk to send the customer to.');
  }
  const c = await findCustomer(ctx, payload.customerId);
  const service =
    payload.toServiceId === undefined ? null : await queueService(ctx, payload.toServiceId);
  if (payload.toDeskId !== undefined) {
    const desk = (await ctx.devices()).find((d) => d.id === payload.toDeskId);
    if (desk === undefined || desk.role !== 'desk')
      refuse('not_found', `Desk ${payload.toDeskId} does not exist.`);
  }
  return {
    customer: await stepCustomer(ctx, c, 'transfer', {
      toService: service,
      toDeskId: payload.toDeskId ?? null,
    }),
  };
}
