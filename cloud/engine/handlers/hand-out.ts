// A ticket machine says a held ticket reached its customer (printed, or shown on its screen):
// desks may call it from now on. See Customer.held.
import {
  findCustomer,
  requireRole,
  saveCustomer,
  type CommandContext,
} from '../command-context.js';
import { refuse } from '../refusal.js';
import type { CommandOutcome } from '../sequencer.js';

export async function handOut(
  ctx: CommandContext,
  payload: { customerId: string },
): Promise<CommandOutcome> {
  requireRole(ctx, 'machine', 'hand out tickets');
  const c = await findCustomer(ctx, payload.customerId);
  if (c.machineId !== ctx.device.id)
    refuse('not_allowed', `Ticket ${c.ticket} was issued by another machine.`);
  // Said twice (a resend): nothing to change.
  if (!c.held) return { customer: c };
  if (c.state !== 'waiting' && c.state !== 'booked')
    refuse('illegal_transition', `Ticket ${c.ticket} is no longer waiting.`);
  return {
    customer: await saveCustomer(ctx, 'handed_out', {
      ...c,
      held: false,
      updatedAt: ctx.now.toISOString(),
    }),
  };
}
