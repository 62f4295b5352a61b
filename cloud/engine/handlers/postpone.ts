// "I'm running late" from the customer's phone: a waiting customer moves back N places in its
// service's queue (the domain's postponeCustomer), logged as `postponed`.
import { postponeCustomer } from '../../../shared/domain/postpone.js';
import { findCustomer, saveCustomer, type CommandContext } from '../command-context.js';
import { refuse } from '../refusal.js';
import type { CommandOutcome } from '../sequencer.js';

export async function postpone(
  ctx: CommandContext,
  payload: { customerId: string; places: number },
): Promise<CommandOutcome> {
  if (ctx.device.role === 'screen') refuse('not_allowed', 'A screen cannot change customers.');
  const c = await findCustomer(ctx, payload.customerId);
  if (c.state !== 'waiting')
    refuse('illegal_transition', `Ticket ${c.ticket} is not waiting: it cannot move back.`);
  const sameQueue = (await ctx.repo.queueCustomers(ctx.store.id, ctx.day)).filter(
    (o) => o.serviceId === c.serviceId && o.deskId === c.deskId,
  );
  const next = postponeCustomer(
    c,
    payload.places,
    sameQueue,
    await ctx.services(),
    await ctx.repo.nextArrivalSeq(ctx.store.id),
    ctx.now,
  );
  if (next === c) refuse('conflict', `Nobody is behind ticket ${c.ticket}: it is already last.`);
  return { customer: await saveCustomer(ctx, 'postponed', next) };
}
