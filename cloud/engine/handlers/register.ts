// Registration: a ticket the hub numbers (`register`), and one a ticket machine numbered from a
// block the hub reserved for it (`register_from_block`, online or offline). Both are built by
// the domain's newCustomer.
import { newCustomer } from '../../../shared/domain/customer.js';
import type { Store } from '../../../shared/domain/entities.js';
import { formatTicket, nextFreeNumber } from '../../../shared/domain/numbering.js';
import { mustWaitAtRegistration } from '../../../shared/domain/turn-near.js';
import type {
  BlockRegisterPayload,
  MachineRegisterPayload,
  RegisterPayload,
} from '../../../shared/protocol/sync.js';
import { newObjectId } from '../../db/ids.js';
import {
  queueService,
  requireRole,
  saveCustomer,
  type CommandContext,
} from '../command-context.js';
import { refuse } from '../refusal.js';
import type { CommandOutcome } from '../sequencer.js';
import { draftSubject, estimateAt } from './estimate.js';

/** Whether the store lets customers register this way (FileVirtuelle contact modes). */
export function contactModeAvailable(store: Store, mode: RegisterPayload['contactMode']): boolean {
  switch (mode) {
    case 'name':
      return store.allowNameRegistration;
    case 'phone':
      return store.sms.enabled;
    case 'email':
      return store.email.enabled;
    case 'pager':
      return store.pagers.enabled;
    case 'anonymous':
      return true;
  }
}

function checkContact(ctx: CommandContext, payload: RegisterPayload): void {
  if (!contactModeAvailable(ctx.store, payload.contactMode)) {
    refuse(
      'not_allowed',
      `Registration by ${payload.contactMode} is not activated for this store.`,
    );
  }
  const need: Partial<Record<RegisterPayload['contactMode'], boolean>> = {
    name: payload.contact.name !== undefined,
    phone: payload.contact.phone !== undefined,
    email: payload.contact.email !== undefined,
    pager: payload.pager !== null,
  };
  if (need[payload.contactMode] === false) {
    refuse(
      'invalid',
      `Registration by ${payload.contactMode} needs the customer's ${payload.contactMode}.`,
    );
  }
}

export async function register(
  ctx: CommandContext,
  payload: MachineRegisterPayload,
): Promise<CommandOutcome> {
  requireRole(ctx, 'machine', 'register customers');
  const service = await queueService(ctx, payload.serviceId);
  if (service.machineIds.length > 0 && !service.machineIds.includes(ctx.device.id)) {
    refuse('not_allowed', `This ticket machine does not offer service ${service.id}.`);
  }
  checkContact(ctx, payload);
  const prefix = service.ticketPrefix;
  const last = await ctx.repo.lastIssued(ctx.store.id, prefix, ctx.day);
  const n = nextFreeNumber(last, await ctx.repo.blocks(ctx.store.id, prefix, ctx.day));
  await ctx.repo.setLastIssued(ctx.store.id, prefix, ctx.day, n);
  const estimate = await estimateAt(ctx, draftSubject(ctx, service.id));
  const customer = await saveCustomer(
    ctx,
    'registered',
    newCustomer({
      id: newObjectId(),
      storeId: ctx.store.id,
      service,
      machineId: ctx.device.id,
      registeredBy: ctx.registeredBy,
      request: payload,
      ticketNumber: n,
      ticketDay: ctx.day,
      issuedAt: ctx.now.toISOString(),
      arrivalSeq: await ctx.repo.nextArrivalSeq(ctx.store.id),
      peopleBefore: estimate.peopleBefore,
      mustWait: mustWaitAtRegistration(estimate, ctx.store),
      held: payload.held,
    }),
  );
  return { customer };
}

/**
 * A ticket the machine numbered from its own block (online or offline). It keeps its number and
 * its place from the time it was printed; people before it and whether it must wait are worked
 * out here, from the queue at that place, as for a ticket the hub numbers itself.
 */
export async function registerFromBlock(
  ctx: CommandContext,
  payload: BlockRegisterPayload,
): Promise<CommandOutcome> {
  requireRole(ctx, 'machine', 'register customers');
  const block = await ctx.repo.block(payload.blockId);
  if (block === null || block.storeId !== ctx.store.id)
    return refuse('not_found', `Block ${payload.blockId} does not exist.`);
  if (block.deviceId !== ctx.device.id)
    refuse('not_allowed', 'This block was reserved for another ticket machine.');
  if (payload.ticketNumber < block.first || payload.ticketNumber > block.last) {
    refuse(
      'conflict',
      `Ticket number ${payload.ticketNumber} is outside block ${block.first}-${block.last}.`,
    );
  }
  const service = await queueService(ctx, payload.serviceId);
  if (service.ticketPrefix !== block.ticketPrefix) {
    refuse('conflict', `Service ${service.id} does not number with prefix ${block.ticketPrefix}.`);
  }
  checkContact(ctx, payload);
  if ((await ctx.repo.customer(payload.customerId)) !== null) {
    refuse('conflict', `Customer ${payload.customerId} is already registered.`);
  }
  if (
    await ctx.repo.ticketTaken(
      ctx.store.id,
      block.ticketPrefix,
      block.ticketDay,
      payload.ticketNumber,
    )
  ) {
    refuse(
      'conflict',
      `Ticket ${formatTicket(block.ticketPrefix, payload.ticketNumber)} was already issued.`,
    );
  }
  const draft = newCustomer({
    id: payload.customerId,
    storeId: ctx.store.id,
    service,
    machineId: ctx.device.id,
    registeredBy: ctx.registeredBy,
    request: payload,
    ticketNumber: payload.ticketNumber,
    ticketDay: block.ticketDay,
    // Issued earlier: it keeps its place in the queue from the time it was printed.
    issuedAt: payload.issuedAt,
    arrivalSeq: await ctx.repo.nextArrivalSeq(ctx.store.id),
    now: ctx.now.toISOString(),
    held: payload.held,
  });
  const estimate = await estimateAt(ctx, draft);
  const customer = await saveCustomer(ctx, 'registered', {
    ...draft,
    peopleBefore: estimate.peopleBefore,
    mustWait: mustWaitAtRegistration(estimate, ctx.store),
  });
  return { customer };
}
