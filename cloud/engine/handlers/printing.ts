// Whether a ticket is on paper (issue 16): the machine that issued it reports each print, and a
// desk (or that machine's technician view) asks for a reprint, which that machine carries out
// when it sees the change (so a machine that was offline prints it when it is back).
import {
  findCustomer,
  requireRole,
  saveCustomer,
  type CommandContext,
} from '../command-context.js';
import { refuse } from '../refusal.js';
import type { CommandOutcome } from '../sequencer.js';

export async function printResult(
  ctx: CommandContext,
  payload: { customerId: string; printed: boolean; reason: string | null },
): Promise<CommandOutcome> {
  requireRole(ctx, 'machine', 'report a print');
  const c = await findCustomer(ctx, payload.customerId);
  if (c.machineId !== ctx.device.id)
    refuse('not_allowed', `Ticket ${c.ticket} was issued by another machine.`);
  return {
    customer: await saveCustomer(ctx, 'customer_updated', {
      ...c,
      printState: payload.printed ? 'printed' : 'not_printed',
      printProblem: payload.printed ? null : payload.reason,
      updatedAt: ctx.now.toISOString(),
    }),
  };
}

export async function reprint(
  ctx: CommandContext,
  payload: { customerId: string },
): Promise<CommandOutcome> {
  if (ctx.device.role === 'screen') refuse('not_allowed', 'A screen cannot reprint tickets.');
  const c = await findCustomer(ctx, payload.customerId);
  if (c.machineId === null)
    refuse('not_allowed', `Ticket ${c.ticket} was not issued by a machine.`);
  if (c.state !== 'waiting' && c.state !== 'called' && c.state !== 'booked')
    refuse('illegal_transition', `Ticket ${c.ticket} is no longer waiting.`);
  return {
    customer: await saveCustomer(ctx, 'customer_updated', {
      ...c,
      printState: 'reprint',
      updatedAt: ctx.now.toISOString(),
    }),
  };
}
