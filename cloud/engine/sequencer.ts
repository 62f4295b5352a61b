// The sequencer: every change of a store, whatever door it came in by, is written in one write
// transaction (SQLite IMMEDIATE) that also appends it to the store's log, so two desks can never
// get the same customer and the sequence has no gaps. A device command is applied once per id
// (a retry, even after a crash, gets its first result). Listeners hear the changes only after
// they are committed. It knows nothing of what commands mean: handlers/ decide that.
import { IllegalTransitionError } from '../../shared/domain/lifecycle.js';
import type {
  Change,
  ChangeEntity,
  ChangeEvent,
  CommandEnvelope,
  CommandResult,
  Refusal,
} from '../../shared/protocol/sync.js';
import type { HubRepo } from '../db/hub-repo.js';
import { Refused } from './refusal.js';

/** Who sends a command: the device it acts as, and the origin written in the log. */
export interface Actor {
  deviceId: string;
  /** The device id, or `rest:<api key>`. */
  origin: string;
  /** Who registered a customer (FileVirtuelle `registered_by`): the device, or the API key. */
  registeredBy?: string;
}

export type ChangeListener = (changes: readonly Change[]) => void;

/** Appends one change of the command's store to the log (and applies its entity). */
export type Emit = (event: ChangeEvent, entity: ChangeEntity) => Change;

/** Appends one change of any store (config and REST edits). */
export type Append = (
  storeId: string,
  event: ChangeEvent,
  entity: ChangeEntity,
  origin: string,
) => Change;

/** What a command handler returns on success. */
export interface CommandOutcome {
  customer?: CommandResultOk['customer'];
  block?: CommandResultOk['block'];
}
type CommandResultOk = Extract<CommandResult, { ok: true }>;

/** A command ready to run against one store, or why it cannot be. */
export type PreparedCommand =
  { storeId: string; run: (emit: Emit) => CommandOutcome } | { refusal: Refusal };

export class Sequencer {
  private readonly listeners = new Set<ChangeListener>();

  constructor(
    readonly repo: HubRepo,
    private readonly clock: () => Date,
  ) {}

  onChanges(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private publish(changes: readonly Change[]): void {
    if (changes.length === 0) return;
    for (const listener of this.listeners) listener(changes);
  }

  /** Runs `fn` in one write transaction; the changes it appends are published after commit. */
  write<T>(fn: (append: Append) => T): T {
    const changes: Change[] = [];
    const at = this.clock().toISOString();
    const out = this.repo.transaction(() =>
      fn((storeId, event, entity, origin) => {
        const change = this.repo.append(storeId, { origin, commandId: null, event, entity, at });
        changes.push(change);
        return change;
      }),
    );
    this.publish(changes);
    return out;
  }

  /**
   * Applies a device command once per id: `prepare` (in the transaction) finds its store and
   * returns the handler to run. A refusal thrown half-way undoes what the command wrote; the
   * result, refusal or not, is recorded under the command id.
   */
  command(
    actor: Actor,
    envelope: CommandEnvelope,
    now: Date,
    prepare: () => PreparedCommand,
  ): CommandResult {
    const changes: Change[] = [];
    const result = this.repo.transaction((): CommandResult => {
      const prior = this.repo.appliedCommand(envelope.id);
      if (prior !== null) {
        if (prior.deviceId !== actor.deviceId || prior.type !== envelope.type) {
          return refusal('conflict', 'This command id was already used for another command.');
        }
        return prior.result;
      }
      const prepared = prepare();
      if ('refusal' in prepared) return { ok: false, refusal: prepared.refusal };
      const { storeId } = prepared;
      const emit: Emit = (event, entity) => {
        const change = this.repo.append(storeId, {
          origin: actor.origin,
          commandId: envelope.id,
          event,
          entity,
          at: now.toISOString(),
        });
        changes.push(change);
        return change;
      };
      let result: CommandResult;
      try {
        const outcome = this.repo.savepoint(() => prepared.run(emit));
        const position = this.repo.head(storeId);
        if (position === null) throw new Error(`Store ${storeId} has no log.`);
        result = {
          ok: true,
          position,
          customer: outcome.customer ?? null,
          block: outcome.block ?? null,
        };
      } catch (error) {
        changes.length = 0;
        if (error instanceof Refused) result = { ok: false, refusal: error.toRefusal() };
        else if (error instanceof IllegalTransitionError)
          result = refusal('illegal_transition', error.message);
        else throw error;
      }
      this.repo.recordCommand(envelope.id, {
        storeId,
        deviceId: actor.deviceId,
        type: envelope.type,
        result,
        appliedAt: now.toISOString(),
      });
      return result;
    });
    this.publish(changes);
    return result;
  }
}

export function refusal(code: Refusal['code'], message: string): CommandResult {
  return { ok: false, refusal: { code, message } };
}
