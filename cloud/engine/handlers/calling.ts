// A desk calls: the next customer by the domain's rule (among the few candidates the repo's
// indexed queue heads give), or one chosen from its list. Calling means the desk is done with
// the customer it had (FileVirtuelle `processed`).
import { applyEvent, CUSTOMER_LOG_EVENTS } from '../../../shared/domain/customer.js';
import type { Customer } from '../../../shared/domain/entities.js';
import {
  canDeskCall,
  deskServiceIds,
  pickNext,
  type PickNextInput,
} from '../../../shared/domain/queue.js';
import type { HubData } from '../../db/hub-repo.js';
import {
  findCustomer,
  requireRole,
  saveCustomer,
  stepCustomer,
  type CommandContext,
} from '../command-context.js';
import { refuse } from '../refusal.js';
import type { CommandOutcome } from '../sequencer.js';
import { prioritizedServiceIds } from './estimate.js';

function requireCallingDesk(ctx: CommandContext): void {
  requireRole(ctx, 'desk', 'call customers');
  if (!canDeskCall(ctx.device))
    refuse('desk_closed', 'This desk is closed or paused: open it to call.');
}

/** The customer the desk had (called or serving) is done; a called one counts from its call. */
async function closeCurrent(ctx: CommandContext): Promise<void> {
  for (const c of await ctx.repo.customersAtDesk(ctx.store.id, ctx.device.id)) {
    const done = applyEvent(c, 'finish', {
      now: ctx.now,
      store: { ...ctx.store, finishFromCalled: true },
    });
    await saveCustomer(ctx, CUSTOMER_LOG_EVENTS.finish, done);
  }
}

async function call(ctx: CommandContext, c: Customer): Promise<CommandOutcome> {
  const staffId = ctx.device.agent?.staffId;
  return {
    customer: await stepCustomer(ctx, c, 'call', {
      deskId: ctx.device.id,
      ...(staffId === undefined ? {} : { staffId }),
    }),
  };
}

/**
 * Who the desk calls next: the domain's `pickNext` (the rule) over the repo's queue heads
 * (a few indexed reads), so the cost does not grow with the queue or the day.
 */
export async function nextCustomer(
  repo: HubData,
  queue: Omit<PickNextInput, 'customers'>,
): Promise<Customer | null> {
  const candidates = await repo.queueHeads({
    storeId: queue.store.id,
    deskId: queue.deskId,
    serviceIds: [...deskServiceIds(queue.deskId, queue)],
    prioritizedServiceIds: prioritizedServiceIds(queue.services),
    now: queue.now,
    appointmentLeadMinutes: queue.store.appointmentLeadMinutes,
  });
  return pickNext({ ...queue, customers: candidates });
}

export async function callNext(ctx: CommandContext): Promise<CommandOutcome> {
  requireCallingDesk(ctx);
  const next = await nextCustomer(ctx.repo, {
    deskId: ctx.device.id,
    services: await ctx.services(),
    devices: await ctx.devices(),
    store: ctx.store,
    now: ctx.now,
  });
  if (next === null) return refuse('queue_empty', 'Nobody is waiting for this desk.');
  await closeCurrent(ctx);
  return call(ctx, next);
}

export async function callCustomer(ctx: CommandContext, id: string): Promise<CommandOutcome> {
  requireCallingDesk(ctx);
  const c = await findCustomer(ctx, id);
  const handled = deskServiceIds(ctx.device.id, {
    services: await ctx.services(),
    devices: await ctx.devices(),
    store: ctx.store,
  });
  if (c.deskId !== null ? c.deskId !== ctx.device.id : !handled.has(c.serviceId)) {
    refuse('not_allowed', `This desk does not serve ticket ${c.ticket}.`);
  }
  // Refused before the desk's current customer is closed.
  applyEvent(c, 'call', { now: ctx.now, store: ctx.store });
  await closeCurrent(ctx);
  return call(ctx, await findCustomer(ctx, id));
}
