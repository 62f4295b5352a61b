// Check-in from a scanned or typed code, on a machine or a desk (see check-in.ts for the codes).
// It needs the hub: an appointment becomes a ticket only once the hub has numbered it.
import { ApplianceError } from '../../../shared/api/appliance-api.js';
import type { Customer } from '../../../shared/domain/entities.js';
import { isActiveState } from '../../../shared/domain/lifecycle.js';
import { checkInPayload, namedCustomerId } from './check-in.js';
import type { HubCommands } from '../hub-commands.js';
import type { RuntimeContext } from '../runtime-context.js';

export class CheckInService {
  constructor(
    private readonly ctx: RuntimeContext,
    private readonly hub: HubCommands,
  ) {}

  async checkIn(raw: string): Promise<{ customer: Customer; already: boolean }> {
    const { device, db } = this.ctx.requireRole('machine', 'desk');
    const payload = checkInPayload(raw, db.store()?.id ?? device.storeId, this.ctx.options.hubUrl);
    const named = namedCustomerId(payload);
    if (named !== null) {
      // A ticket already in the queue is identified, not checked in twice.
      const known = db.customer(named);
      if (known !== null && known.state !== 'booked') {
        if (isActiveState(known.state)) return { customer: known, already: true };
        throw new ApplianceError(
          'refused',
          `Ticket ${known.ticket} is no longer in the queue (${known.state.replace('_', ' ')}).`,
        );
      }
    }
    const customer = await this.hub.online({ type: 'check_in', payload }, 'checking in');
    if (customer === null) throw new ApplianceError('internal', 'The hub checked in nobody.');
    return { customer, already: false };
  }

  /** A scan has no caller waiting for an answer: the outcome is told as a notice. */
  async onScan(text: string): Promise<void> {
    try {
      const { customer, already } = await this.checkIn(text);
      this.ctx.notice(
        'info',
        already
          ? `Ticket ${customer.ticket} is already in the queue.`
          : `Checked in: ${customer.ticket}`,
      );
    } catch (error) {
      if (!(error instanceof ApplianceError))
        this.ctx.options.log.error(`scan: ${(error as Error).stack ?? String(error)}`);
      this.ctx.notice('warning', (error as Error).message);
    }
  }
}
