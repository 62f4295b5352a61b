// The hub engine: the one door for every change of a store. A socket command from a device, a
// FileVirtuelle REST call and a CLI edit all come here; the sequencer (sequencer.ts) makes each
// one transaction appended to the store's log, command handlers (handlers/) decide what a
// device command does, and the repo port (db/hub-repo.ts) is the only thing that touches storage.
import { randomUUID } from 'node:crypto';
import { applyEvents } from '../../shared/domain/customer.js';
import { CustomerSchema, type Customer, type Store } from '../../shared/domain/entities.js';
import type { CustomerEventName } from '../../shared/domain/lifecycle.js';
import { storeDay } from '../../shared/domain/numbering.js';
import type {
  Command,
  CommandEnvelope,
  CommandResult,
  LogPosition,
  PullResponse,
  StoreSnapshot,
} from '../../shared/protocol/sync.js';
import type { HubRepo } from '../db/hub-repo.js';
import type { CommandContext } from './command-context.js';
import { handleCommand } from './handlers/index.js';
import {
  Sequencer,
  refusal,
  type Actor,
  type Append,
  type AppendHook,
  type ChangeListener,
  type CommandJob,
  type PreparedCommand,
} from './sequencer.js';

export type { Actor } from './sequencer.js';
export { contactModeAvailable } from './handlers/register.js';

/** A REST or CLI edit of a customer: its new fields, and the lifecycle events to apply. */
export interface CustomerEdit {
  customer: Customer;
  events: readonly CustomerEventName[];
}

export class HubEngine {
  private readonly sequencer: Sequencer;

  constructor(
    readonly repo: HubRepo,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.sequencer = new Sequencer(repo, clock);
  }

  onChanges(listener: ChangeListener): () => void {
    return this.sequencer.onChanges(listener);
  }

  /** `hook` runs in the transaction of each appended change (see Sequencer.onAppend). */
  onAppend(hook: AppendHook): () => void {
    return this.sequencer.onAppend(hook);
  }

  /** Runs `fn` in one write transaction; changes it appends are published after commit. */
  mutate<T>(fn: (append: Append) => T): T {
    return this.sequencer.write(fn);
  }

  /** Applies a device command once per id; a retry gets the first result again. */
  applyCommand(actor: Actor, envelope: CommandEnvelope): CommandResult {
    const [result] = this.sequencer.commands([this.job(actor, envelope)]);
    if (result === undefined) throw new Error('The sequencer returned no result.');
    if (result instanceof Error) throw result;
    return result;
  }

  /**
   * Applies commands in order in one transaction (one commit for all: the sync server hands
   * over what arrived while the previous batch was being written). An unexpected error is
   * returned as that command's `internal` refusal; the others still apply.
   */
  applyCommands(batch: readonly { actor: Actor; envelope: CommandEnvelope }[]): CommandResult[] {
    const now = this.clock();
    return this.sequencer
      .commands(batch.map(({ actor, envelope }) => this.job(actor, envelope, now)))
      .map((result) => (result instanceof Error ? refusal('internal', result.message) : result));
  }

  private job(actor: Actor, envelope: CommandEnvelope, now = this.clock()): CommandJob {
    return {
      actor,
      envelope,
      now,
      prepare: (): PreparedCommand => {
        const device = this.repo.device(actor.deviceId);
        if (device === null)
          return {
            refusal: { code: 'not_found', message: 'This device is not known to the hub.' },
          };
        const store = this.repo.store(device.storeId);
        if (store === null)
          return {
            refusal: { code: 'not_found', message: 'The store of this device is not known.' },
          };
        return {
          storeId: store.id,
          run: (emit) => {
            const ctx: CommandContext = {
              repo: this.repo,
              store,
              device,
              registeredBy: actor.registeredBy ?? device.id,
              now,
              day: storeDay(now, store.timeZone),
              emit,
              services: once(() => this.repo.services(store.id)),
              devices: once(() => this.repo.devices(store.id)),
            };
            return handleCommand(ctx, envelope as Command);
          },
        };
      },
    };
  }

  /**
   * Edits one customer (REST `PUT /customer`): `edit` gives its new fields and the lifecycle
   * events to reach the state asked for; the events go through the domain with the engine's
   * clock, and the change is logged as the last event (`called` is announced like a desk's
   * call). `edit` may throw to refuse; nothing is written then. Null when there is no such
   * customer.
   */
  updateCustomer(
    origin: string,
    id: string,
    edit: (current: Customer, store: Store) => CustomerEdit,
  ): { customer: Customer; store: Store } | null {
    const now = this.clock();
    return this.sequencer.write((append) => {
      const found = this.customerAndStore(id);
      if (found === null) return null;
      const { customer, events } = edit(found.customer, found.store);
      const next = applyEvents(customer, events, {
        now,
        store: found.store,
        ...(customer.deskId === null ? {} : { deskId: customer.deskId }),
      });
      const saved = CustomerSchema.parse(next.customer);
      append(found.store.id, next.logEvent, { kind: 'customer', customer: saved }, origin);
      return { customer: saved, store: found.store };
    }, now);
  }

  /** Removes one customer (REST `DELETE /customer/:id`); `check` may throw to refuse. */
  removeCustomer(
    origin: string,
    id: string,
    check: (current: Customer, store: Store) => void,
  ): { customer: Customer; store: Store } | null {
    return this.sequencer.write((append) => {
      const found = this.customerAndStore(id);
      if (found === null) return null;
      check(found.customer, found.store);
      append(found.store.id, 'customer_removed', { kind: 'customer_removed', id }, origin);
      return found;
    });
  }

  private customerAndStore(id: string): { customer: Customer; store: Store } | null {
    const customer = this.repo.customer(id);
    const store = customer === null ? null : this.repo.store(customer.storeId);
    return customer === null || store === null ? null : { customer, store };
  }

  /** A new command id for commands the hub makes itself (REST /register, /next). */
  static newCommandId(): string {
    return randomUUID();
  }

  pull(storeId: string, since: LogPosition, limit: number): PullResponse {
    const head = this.repo.head(storeId);
    if (head === null)
      return { ok: false, refusal: { code: 'not_found', message: 'Unknown store.' } };
    // Device health travels with every pull: a device that reconnects sees the store's now.
    const health = this.repo.deviceHealth(storeId);
    if (since.epoch !== head.epoch || since.seq > head.seq) {
      return { ok: true, changes: [], head, reset: true, health };
    }
    return {
      ok: true,
      changes: this.repo.changesSince(storeId, head.epoch, since.seq, limit),
      head,
      reset: false,
      health,
    };
  }

  snapshot(storeId: string): StoreSnapshot | null {
    return this.repo.read((): StoreSnapshot | null => {
      const store = this.repo.store(storeId);
      const position = this.repo.head(storeId);
      if (store === null || position === null) return null;
      const organization = this.repo.organization(store.organizationId);
      if (organization === null) return null;
      const day = storeDay(this.clock(), store.timeZone);
      return {
        position,
        organization,
        store,
        services: this.repo.services(storeId),
        devices: this.repo.devices(storeId),
        customers: this.repo.queueCustomers(storeId, day),
        blocks: this.repo.blocks(storeId).filter((b) => b.ticketDay >= day),
      };
    });
  }
}

function once<T>(load: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= load());
}
