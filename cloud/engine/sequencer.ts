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

/** Runs inside the transaction right after a change is appended (the notification outbox). */
export type AppendHook = (change: Change) => void;

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
  private readonly appendHooks = new Set<AppendHook>();

  constructor(
    readonly repo: HubRepo,
    private readonly clock: () => Date,
  ) {}

  onChanges(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** `hook` sees each change in the transaction that appends it: what it writes commits with it. */
  onAppend(hook: AppendHook): () => void {
    this.appendHooks.add(hook);
    return () => this.appendHooks.delete(hook);
  }

  private append(storeId: string, entry: Parameters<HubRepo['append']>[1]): Change {
    const change = this.repo.append(storeId, entry);
    for (const hook of this.appendHooks) hook(change);
    return change;
  }

  private publish(changes: readonly Change[]): void {
    if (changes.length === 0) return;
    for (const listener of this.listeners) listener(changes);
  }

  /**
   * Runs `fn` in one write transaction; the changes it appends (logged at `now`) are published
   * after commit.
   */
  write<T>(fn: (append: Append) => T, now: Date = this.clock()): T {
    const changes: Change[] = [];
    const at = now.toISOString();
    const out = this.repo.transaction(() =>
      fn((storeId, event, entity, origin) => {
        const change = this.append(storeId, { origin, commandId: null, event, entity, at });
        changes.push(change);
        return change;
      }),
    );
    this.publish(changes);
    return out;
  }

  /**
   * Applies device commands, each once per id, in order, in ONE write transaction: commands
   * that arrive while the previous batch is being made durable share its commit (group commit),
   * so a busy store pays one fsync per batch instead of one per command. Each command runs in
   * its own savepoint: a refusal thrown half-way undoes only what that command wrote, and its
   * result, refusal or not, is recorded under its id. An unexpected error undoes that command
   * alone and is returned in its place.
   */
  commands(batch: readonly CommandJob[]): (CommandResult | Error)[] {
    const changes: Change[] = [];
    const results = this.repo.transaction(() =>
      batch.map((job): CommandResult | Error => {
        const mark = changes.length;
        try {
          return this.repo.savepoint(() => this.applyOne(job, changes));
        } catch (error) {
          changes.length = mark;
          return error instanceof Error ? error : new Error(String(error));
        }
      }),
    );
    this.publish(changes);
    return results;
  }

  private applyOne(
    { actor, envelope, now, prepare }: CommandJob,
    changes: Change[],
  ): CommandResult {
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
    const mine: Change[] = [];
    const emit: Emit = (event, entity) => {
      const change = this.append(storeId, {
        origin: actor.origin,
        commandId: envelope.id,
        event,
        entity,
        at: now.toISOString(),
      });
      mine.push(change);
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
      mine.length = 0;
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
    changes.push(...mine);
    return result;
  }
}

/** One device command for the sequencer: `prepare` (run in the transaction) finds its store. */
export interface CommandJob {
  actor: Actor;
  envelope: CommandEnvelope;
  now: Date;
  prepare: () => PreparedCommand;
}

export function refusal(code: Refusal['code'], message: string): CommandResult {
  return { ok: false, refusal: { code, message } };
}
