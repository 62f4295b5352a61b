// The desk: calling, serving and its open/closed status. Every desk action needs the hub now
// (it is the single sequencer), so nothing here is queued for later.
import { ApplianceError, type DeskStatusParams } from '../../../shared/api/appliance-api.js';
import type { Customer } from '../../../shared/domain/entities.js';
import type { Command } from '../../../shared/protocol/sync.js';
import { OfflineError } from '../../sync/sync-client.js';
import type { HubCommands } from '../hub-commands.js';
import type { RuntimeContext } from '../runtime-context.js';

export class DeskService {
  constructor(
    private readonly ctx: RuntimeContext,
    private readonly hub: HubCommands,
  ) {}

  async command(command: Command, what: string): Promise<{ customer: Customer | null }> {
    this.ctx.requireRole('desk');
    return { customer: await this.hub.online(command, what) };
  }

  /** Like `command`, but an empty queue is an answer (nobody), not an error. */
  async callNext(): Promise<{ customer: Customer | null }> {
    this.ctx.requireRole('desk');
    const sync = this.ctx.sync();
    if (sync === null || !sync.online)
      throw new ApplianceError(
        'offline',
        'The hub is unreachable: this desk cannot call until it is back. Nothing was sent.',
      );
    const result = await sync
      .send(this.hub.envelope({ type: 'call_next', payload: {} }))
      .catch((error: unknown) => {
        if (error instanceof OfflineError)
          throw new ApplianceError(
            'offline',
            'The hub did not answer: look at the screen before calling again.',
          );
        throw error;
      });
    if (!result.ok) {
      if (result.refusal.code === 'queue_empty') return { customer: null };
      throw this.hub.refused(result.refusal);
    }
    if (result.customer !== null)
      this.ctx.db?.applyResultCustomer(result.customer, result.position);
    this.ctx.scheduleState();
    return { customer: result.customer };
  }

  /** Asks the machine that issued a ticket to print it again (through the hub). */
  async reprint(customerId: string): Promise<{ customer: Customer }> {
    this.ctx.requireRole('desk');
    const customer = await this.hub.online(
      { type: 'reprint', payload: { customerId } },
      'reprinting',
    );
    if (customer === null) throw new ApplianceError('internal', 'The hub sent no ticket back.');
    return { customer };
  }

  async setStatus(payload: DeskStatusParams) {
    this.ctx.requireRole('desk');
    await this.hub.online({ type: 'set_desk_status', payload }, 'changing the desk status');
    return { ok: true as const };
  }
}
