// A desk's own state (open, paused, closing, closed with or without redirect) and the ticket
// number blocks a machine reserves for printing while the hub is away.
import { DeviceSchema, type Device } from '../../../shared/domain/entities.js';
import { reserveRange } from '../../../shared/domain/numbering.js';
import type { DeskStatusChange, TicketBlock } from '../../../shared/protocol/sync.js';
import { newObjectId } from '../../db/ids.js';
import { queueService, requireRole, type CommandContext } from '../command-context.js';
import { refuse } from '../refusal.js';
import type { CommandOutcome } from '../sequencer.js';

const DESK_STATUS: Record<DeskStatusChange, Device['status']> = {
  open: { open: true, pause: false, preClose: false, redirect: false },
  pause: { open: true, pause: true, preClose: false, redirect: false },
  pre_close: { open: true, pause: false, preClose: true, redirect: false },
  close: { open: false, pause: false, preClose: false, redirect: false },
  close_redirect: { open: false, pause: false, preClose: false, redirect: true },
};

export async function setDeskStatus(
  ctx: CommandContext,
  status: DeskStatusChange,
  pauseMinutes?: number,
): Promise<CommandOutcome> {
  requireRole(ctx, 'desk', 'change a desk status');
  if ((status === 'close' || status === 'close_redirect') && !ctx.store.floatingDesks) {
    refuse('not_allowed', 'Desks of this store may not be closed during the day.');
  }
  if (status === 'close_redirect' && !ctx.store.redirectDesks) {
    refuse('not_allowed', 'This store does not redirect the services of closed desks.');
  }
  const device = DeviceSchema.parse({
    ...ctx.device,
    status: DESK_STATUS[status],
    pause:
      status === 'pause'
        ? { since: ctx.now.toISOString(), minutes: pauseMinutes ?? 0 }
        : { since: null, minutes: 0 },
  });
  await ctx.emit('desk_status', { kind: 'device', device });
  return {};
}

export async function reserveBlock(
  ctx: CommandContext,
  serviceId: string,
  size: number,
): Promise<CommandOutcome> {
  requireRole(ctx, 'machine', 'reserve ticket numbers');
  const service = await queueService(ctx, serviceId);
  const prefix = service.ticketPrefix;
  const range = reserveRange(
    await ctx.repo.lastIssued(ctx.store.id, prefix, ctx.day),
    await ctx.repo.blocks(ctx.store.id, prefix, ctx.day),
    size,
  );
  const block: TicketBlock = {
    id: newObjectId(),
    storeId: ctx.store.id,
    deviceId: ctx.device.id,
    serviceId,
    ticketPrefix: prefix,
    ticketDay: ctx.day,
    first: range.first,
    last: range.last,
  };
  await ctx.emit('block_reserved', { kind: 'block', block });
  return { block };
}
