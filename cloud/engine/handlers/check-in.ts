// Check-in of a booked customer from what the device classified: a Lineup ticket or booking QR
// and an Ombori position name the customer by id; a partner appointment code by its external
// id; a code typed on the kiosk may be any of the customer's id, appointment id or ticket; a
// ticket page URL (printed tickets' QR) names the customer once the hub knows it made the token.
import type { Customer } from '../../../shared/domain/entities.js';
import type { CheckInPayload } from '../../../shared/protocol/sync.js';
import { customerIdOfPageToken, pageSecret } from '../../bloom/page-token.js';
import { stepCustomer, type CommandContext } from '../command-context.js';
import { refuse } from '../refusal.js';
import type { CommandOutcome } from '../sequencer.js';

async function bookedById(ctx: CommandContext, id: string): Promise<Customer | null> {
  const c = await ctx.repo.customer(id);
  return c !== null && c.storeId === ctx.store.id && c.state === 'booked' ? c : null;
}

async function findBooked(ctx: CommandContext, payload: CheckInPayload): Promise<Customer | null> {
  const { repo, store } = ctx;
  switch (payload.kind) {
    case 'lineup-ticket':
    case 'lineup-appointment':
      return payload.storeId === store.id ? bookedById(ctx, payload.customerId) : null;
    case 'lineup-ticket-page': {
      const id = customerIdOfPageToken(await pageSecret(repo), payload.token);
      return id === payload.customerId ? bookedById(ctx, id) : null;
    }
    case 'ombori-check-in':
      return bookedById(ctx, payload.positionId);
    case 'appointment':
      return repo.bookedCustomer(store.id, { externalId: payload.externalId });
    case 'typed':
      return (
        (await bookedById(ctx, payload.code)) ??
        (await repo.bookedCustomer(store.id, { externalId: payload.code })) ??
        (await repo.bookedCustomer(store.id, { ticket: payload.code.toUpperCase() }))
      );
  }
}

export async function checkIn(
  ctx: CommandContext,
  payload: CheckInPayload,
): Promise<CommandOutcome> {
  if (ctx.device.role === 'screen') refuse('not_allowed', 'A screen cannot check customers in.');
  const c = await findBooked(ctx, payload);
  if (c === null) return refuse('not_found', 'No booked appointment matches this code.');
  return { customer: await stepCustomer(ctx, c, 'check_in') };
}
