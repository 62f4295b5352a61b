// Sending commands to the hub, shared by the role services: envelopes, refusals, and the
// "needs the hub now" path that is never queued.
import { randomUUID } from 'node:crypto';
import { ApplianceError } from '../../shared/api/appliance-api.js';
import type { Customer } from '../../shared/domain/entities.js';
import type { Command, CommandEnvelope, Refusal } from '../../shared/protocol/sync.js';
import { OfflineError } from '../sync/sync-client.js';
import type { RuntimeContext } from './runtime-context.js';

export class HubCommands {
  constructor(private readonly ctx: RuntimeContext) {}

  envelope(command: Command): CommandEnvelope {
    return {
      id: randomUUID(),
      issuedAt: this.ctx.now().toISOString(),
      ...command,
    } as CommandEnvelope;
  }

  /** Tells staff, refreshes the replica, and returns the error for the caller to throw. */
  refused(refusal: Refusal): ApplianceError {
    this.ctx.notice('warning', refusal.message);
    // What we showed was wrong: fetch what the hub knows.
    void this.ctx
      .sync()
      ?.pull()
      .then(() => this.ctx.scheduleState());
    return new ApplianceError('refused', refusal.message);
  }

  /** Sends a command that needs the hub now (desk actions, check-in): never queued. */
  async online(command: Command, what: string): Promise<Customer | null> {
    const sync = this.ctx.sync();
    if (sync === null || !sync.online)
      throw new ApplianceError(
        'offline',
        `The hub is unreachable: ${what} is not possible until it is back. Nothing was sent.`,
      );
    let result;
    try {
      result = await sync.send(this.envelope(command));
    } catch (error) {
      if (error instanceof OfflineError)
        throw new ApplianceError(
          'offline',
          `The hub did not answer: check the queue before trying ${what} again.`,
        );
      throw error;
    }
    if (!result.ok) throw this.refused(result.refusal);
    if (result.customer !== null)
      this.ctx.db?.applyResultCustomer(result.customer, result.position);
    this.ctx.scheduleState();
    return result.customer;
  }
}
