// The command handler table: one entry per command type, checked with `satisfies` so a new
// command cannot be added to the protocol without its handler (as main/bridge/dispatch.ts does
// for the appliance API).
import type { Command, CommandType } from '../../../shared/protocol/sync.js';
import type { CommandContext } from '../command-context.js';
import type { CommandOutcome } from '../sequencer.js';
import { callCustomer, callNext } from './calling.js';
import { checkIn } from './check-in.js';
import { handOut } from './hand-out.js';
import { postpone } from './postpone.js';
import { reserveBlock, setDeskStatus } from './desk.js';
import { printResult, reprint } from './printing.js';
import { register, registerFromBlock } from './register.js';
import { serve, transfer } from './serving.js';

type PayloadOf<T extends CommandType> = Extract<Command, { type: T }>['payload'];

export type CommandHandlers = {
  [T in CommandType]: (ctx: CommandContext, payload: PayloadOf<T>) => Promise<CommandOutcome>;
};

export const COMMAND_HANDLERS = {
  register,
  register_from_block: registerFromBlock,
  check_in: checkIn,
  call_next: (ctx) => callNext(ctx),
  call_customer: (ctx, p) => callCustomer(ctx, p.customerId),
  recall: (ctx, p) => serve(ctx, p.customerId, 'recall'),
  start_serving: (ctx, p) => serve(ctx, p.customerId, 'start'),
  finish: (ctx, p) => serve(ctx, p.customerId, 'finish'),
  no_show: (ctx, p) => serve(ctx, p.customerId, 'no_show'),
  cancel: (ctx, p) => serve(ctx, p.customerId, 'cancel'),
  postpone,
  transfer,
  set_desk_status: (ctx, p) => setDeskStatus(ctx, p.status, p.pauseMinutes),
  reserve_block: (ctx, p) => reserveBlock(ctx, p.serviceId, p.size),
  print_result: printResult,
  hand_out: handOut,
  reprint,
} satisfies CommandHandlers;

export function handleCommand(ctx: CommandContext, command: Command): Promise<CommandOutcome> {
  // The table is total over Command['type'] (checked above); TypeScript cannot correlate the
  // entry with the payload of a union member, hence the one widening here.
  const handler = COMMAND_HANDLERS[command.type] as (
    ctx: CommandContext,
    payload: Command['payload'],
  ) => Promise<CommandOutcome>;
  return handler(ctx, command.payload);
}
