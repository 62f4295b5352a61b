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
import type { HubData, HubRepo, HubTx } from '../db/hub-repo.js';
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

/** Device-to-store hints kept at most (then forgotten at once and read again). */
const MAX_DEVICE_STORE_HINTS = 100_000;

export class HubEngine {
  private readonly sequencer: Sequencer;
  /** Each device's store as last read: the stores a batch locks up front, with no read first. */
  private readonly deviceStores = new Map<string, string>();

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

  /**
   * Runs `fn` in one write transaction; changes it appends are published after commit. Name the
   * stores it writes in `storeIds` when they are known (locked up front, in order).
   */
  mutate<T>(
    fn: (append: Append, tx: HubTx) => Promise<T>,
    storeIds: readonly string[] = [],
  ): Promise<T> {
    return this.sequencer.write(fn, { storeIds });
  }

  /** Applies a device command once per id; a retry gets the first result again. */
  async applyCommand(actor: Actor, envelope: CommandEnvelope): Promise<CommandResult> {
    const [result] = await this.sequencer.commands(
      [this.job(actor, envelope)],
      await this.storesOf([actor]),
    );
    if (result === undefined) throw new Error('The sequencer returned no result.');
    if (result instanceof Error) throw result;
    return result;
  }

  /**
   * Applies commands in order in one transaction (one commit for all: the sync server hands
   * over what arrived while the previous batch was being written). An unexpected error is
   * returned as that command's `internal` refusal; the others still apply.
   */
  async applyCommands(
    batch: readonly { actor: Actor; envelope: CommandEnvelope }[],
  ): Promise<CommandResult[]> {
    const now = this.clock();
    const results = await this.sequencer.commands(
      batch.map(({ actor, envelope }) => this.job(actor, envelope, now)),
      await this.storesOf(batch.map((b) => b.actor)),
    );
    return results.map((result) =>
      result instanceof Error ? refusal('internal', result.message) : result,
    );
  }

  /**
   * The stores the actors' devices belong to, read before the transaction so it can lock them
   * up front (a device moved meanwhile is found again inside, and its store locked late).
   */
  private async storesOf(actors: readonly Actor[]): Promise<string[]> {
    const ids = new Set<string>();
    for (const deviceId of new Set(actors.map((a) => a.deviceId))) {
      let storeId = this.deviceStores.get(deviceId);
      if (storeId === undefined) {
        storeId = (await this.repo.device(deviceId))?.storeId;
        if (storeId !== undefined) this.rememberDeviceStore(deviceId, storeId);
      }
      if (storeId !== undefined) ids.add(storeId);
    }
    return [...ids];
  }

  /** A hint only (what to lock up front): the transaction reads the device again. */
  private rememberDeviceStore(deviceId: string, storeId: string): void {
    if (this.deviceStores.size >= MAX_DEVICE_STORE_HINTS) this.deviceStores.clear();
    this.deviceStores.set(deviceId, storeId);
  }

  private job(actor: Actor, envelope: CommandEnvelope, now = this.clock()): CommandJob {
    return {
      actor,
      envelope,
      now,
      prepare: async (tx): Promise<PreparedCommand> => {
        const device = await tx.device(actor.deviceId);
        if (device === null)
          return {
            refusal: { code: 'not_found', message: 'This device is not known to the hub.' },
          };
        this.rememberDeviceStore(device.id, device.storeId);
        const store = await tx.store(device.storeId);
        if (store === null)
          return {
            refusal: { code: 'not_found', message: 'The store of this device is not known.' },
          };
        return {
          storeId: store.id,
          run: (emit, sp) => {
            const ctx: CommandContext = {
              repo: sp,
              store,
              device,
              registeredBy: actor.registeredBy ?? device.id,
              now,
              day: storeDay(now, store.timeZone),
              emit,
              services: once(() => sp.services(store.id)),
              devices: once(() => sp.devices(store.id)),
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
  async updateCustomer(
    origin: string,
    id: string,
    edit: (current: Customer, store: Store, tx: HubData) => Promise<CustomerEdit>,
  ): Promise<{ customer: Customer; store: Store } | null> {
    const now = this.clock();
    return this.sequencer.write(
      async (append, tx) => {
        const found = await customerAndStore(tx, id);
        if (found === null) return null;
        const { customer, events } = await edit(found.customer, found.store, tx);
        const next = applyEvents(customer, events, {
          now,
          store: found.store,
          ...(customer.deskId === null ? {} : { deskId: customer.deskId }),
        });
        const saved = CustomerSchema.parse(next.customer);
        await append(found.store.id, next.logEvent, { kind: 'customer', customer: saved }, origin);
        return { customer: saved, store: found.store };
      },
      { storeIds: await this.customerStore(id), now },
    );
  }

  /** Removes one customer (REST `DELETE /customer/:id`); `check` may throw to refuse. */
  async removeCustomer(
    origin: string,
    id: string,
    check: (current: Customer, store: Store) => void,
  ): Promise<{ customer: Customer; store: Store } | null> {
    return this.sequencer.write(
      async (append, tx) => {
        const found = await customerAndStore(tx, id);
        if (found === null) return null;
        check(found.customer, found.store);
        await append(found.store.id, 'customer_removed', { kind: 'customer_removed', id }, origin);
        return found;
      },
      { storeIds: await this.customerStore(id) },
    );
  }

  /** The customer's store, read before the transaction to lock it up front. */
  private async customerStore(id: string): Promise<string[]> {
    const customer = await this.repo.customer(id);
    return customer === null ? [] : [customer.storeId];
  }

  /** A new command id for commands the hub makes itself (REST /register, /next). */
  static newCommandId(): string {
    return randomUUID();
  }

  async pull(storeId: string, since: LogPosition, limit: number): Promise<PullResponse> {
    // Head and changes from one snapshot: hub-side writes (turn-near alerts) go on meanwhile,
    // and a head older than the changes it comes with would mislead the device's cursor.
    const read = await this.repo.read(async (tx) => {
      const head = await tx.head(storeId);
      if (head === null) return null;
      const reset = since.epoch !== head.epoch || since.seq > head.seq;
      const changes = reset ? [] : await tx.changesSince(storeId, head.epoch, since.seq, limit);
      return { head, reset, changes };
    });
    if (read === null)
      return { ok: false, refusal: { code: 'not_found', message: 'Unknown store.' } };
    // Device health travels with every pull: a device that reconnects sees the store's now.
    const health = await this.repo.deviceHealth(storeId);
    return { ok: true, ...read, health };
  }

  snapshot(storeId: string): Promise<StoreSnapshot | null> {
    return this.repo.read(async (tx): Promise<StoreSnapshot | null> => {
      const store = await tx.store(storeId);
      const position = await tx.head(storeId);
      if (store === null || position === null) return null;
      const organization = await tx.organization(store.organizationId);
      if (organization === null) return null;
      const day = storeDay(this.clock(), store.timeZone);
      return {
        position,
        organization,
        store,
        services: await tx.services(storeId),
        devices: await tx.devices(storeId),
        customers: await tx.queueCustomers(storeId, day),
        blocks: (await tx.blocks(storeId)).filter((b) => b.ticketDay >= day),
      };
    });
  }
}

async function customerAndStore(
  tx: HubData,
  id: string,
): Promise<{ customer: Customer; store: Store } | null> {
  const customer = await tx.customer(id);
  const store = customer === null ? null : await tx.store(customer.storeId);
  return customer === null || store === null ? null : { customer, store };
}

/** Loads once, on first use (the promise is kept: concurrent callers share it). */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= load());
}
