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
import type { HubRepo, HubTx } from '../db/hub-repo.js';
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

/**
 * Runs inside the transaction right after a change is appended (the notification outbox): what
 * it writes through `tx` commits with the change.
 */
export type AppendHook = (change: Change, tx: HubTx) => Promise<void>;

/** Appends one change of the command's store to the log (and applies its entity). */
export type Emit = (event: ChangeEvent, entity: ChangeEntity) => Promise<Change>;

/**
 * Appends one change of any store (config and REST edits); a store outside the transaction's
 * scope is locked first.
 */
export type Append = (
  storeId: string,
  event: ChangeEvent,
  entity: ChangeEntity,
  origin: string,
) => Promise<Change>;

/** What a command handler returns on success. */
export interface CommandOutcome {
  customer?: CommandResultOk['customer'];
  block?: CommandResultOk['block'];
}
type CommandResultOk = Extract<CommandResult, { ok: true }>;

/** A command ready to run against one store, or why it cannot be. */
export type PreparedCommand =
  | { storeId: string; run: (emit: Emit, tx: HubTx) => Promise<CommandOutcome> }
  | { refusal: Refusal };

/** What a write knows before it starts: the stores it writes (locked first), and its time. */
export interface WriteScope {
  storeIds?: readonly string[];
  now?: Date;
}

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

  private async append(
    tx: HubTx,
    storeId: string,
    entry: Parameters<HubRepo['append']>[1],
  ): Promise<Change> {
    const change = await tx.append(storeId, entry);
    for (const hook of this.appendHooks) await hook(change, tx);
    return change;
  }

  private publish(changes: readonly Change[]): void {
    if (changes.length === 0) return;
    for (const listener of this.listeners) listener(changes);
  }

  /**
   * Runs `fn` in one write transaction; the changes it appends (logged at `now`) are published
   * after commit. The stores in `scope` are locked up front; `append` locks any other store it
   * writes before appending to it.
   */
  async write<T>(
    fn: (append: Append, tx: HubTx) => Promise<T>,
    scope: WriteScope = {},
  ): Promise<T> {
    const at = (scope.now ?? this.clock()).toISOString();
    const storeIds = scope.storeIds ?? [];
    let changes: Change[] = [];
    const out = await this.repo.transaction({ storeIds }, async (tx) => {
      // Per attempt: an engine may run this again after a transient failure.
      changes = [];
      const locked = new Set(storeIds);
      return fn(async (storeId, event, entity, origin) => {
        if (!locked.has(storeId)) {
          await tx.lockStore(storeId);
          locked.add(storeId);
        }
        const change = await this.append(tx, storeId, {
          origin,
          commandId: null,
          event,
          entity,
          at,
        });
        changes.push(change);
        return change;
      }, tx);
    });
    this.publish(changes);
    return out;
  }

  /**
   * Applies device commands, each once per id, in order, in ONE write transaction: commands
   * that arrive while the previous batch is being made durable share its commit (group commit),
   * so a busy store pays one commit per batch instead of one per command. What a command writes
   * runs in one savepoint: a refusal or an unexpected error undoes that command alone (the
   * error is returned in its place), and the result is recorded under the command's id.
   * `storeIds` are the batch's stores as known before the transaction (locked up front); a
   * command whose store turns out to be another locks it late.
   */
  async commands(
    batch: readonly CommandJob[],
    storeIds: readonly string[] = [],
  ): Promise<(CommandResult | Error)[]> {
    let changes: Change[] = [];
    const commandIds = batch.map((job) => job.envelope.id);
    const results = await this.repo.transaction({ storeIds, commandIds }, async (tx) => {
      changes = [];
      const locked = new Set(storeIds);
      const out: (CommandResult | Error)[] = [];
      for (const job of batch) {
        const mark = changes.length;
        try {
          out.push(await this.applyOne(tx, locked, job, changes));
        } catch (error) {
          // Undone by its savepoint: the others go on. Anything else (a read that failed
          // outside it) may have broken the transaction: fail the whole batch, tell nobody ok.
          if (!(error instanceof UndoneCommand)) throw error;
          changes.length = mark;
          out.push(error.cause);
        }
      }
      return out;
    });
    this.publish(changes);
    return results;
  }

  private async applyOne(
    tx: HubTx,
    locked: Set<string>,
    { actor, envelope, now, prepare }: CommandJob,
    changes: Change[],
  ): Promise<CommandResult> {
    const seen = async (): Promise<CommandResult | null> => {
      const prior = await tx.appliedCommand(envelope.id);
      if (prior === null) return null;
      if (prior.deviceId !== actor.deviceId || prior.type !== envelope.type) {
        return refusal('conflict', 'This command id was already used for another command.');
      }
      return prior.result;
    };
    // Looked up under the lock of the device's store (taken up front): a duplicate sent to
    // another hub node waits for that lock, then finds the first one's result here.
    const prior = await seen();
    if (prior !== null) return prior;
    const prepared = await prepare(tx);
    if ('refusal' in prepared) return { ok: false, refusal: prepared.refusal };
    const { storeId } = prepared;
    if (!locked.has(storeId)) {
      // The device moved since the batch was scoped: its store is locked only now, and a
      // duplicate may have committed while this waited for it.
      await tx.lockStore(storeId);
      locked.add(storeId);
      const late = await seen();
      if (late !== null) return late;
    }
    const mine: Change[] = [];
    const emit: Emit = async (event, entity) => {
      const change = await this.append(tx, storeId, {
        origin: actor.origin,
        commandId: envelope.id,
        event,
        entity,
        at: now.toISOString(),
      });
      mine.push(change);
      return change;
    };
    const record = (sp: HubTx, result: CommandResult) =>
      sp.recordCommand(envelope.id, {
        storeId,
        deviceId: actor.deviceId,
        type: envelope.type,
        result,
        appliedAt: now.toISOString(),
      });
    let result: CommandResult;
    try {
      result = await tx.savepoint(async (sp) => {
        const outcome = await prepared.run(emit, sp);
        const last = mine.at(-1);
        const position =
          last !== undefined ? { epoch: last.epoch, seq: last.seq } : await sp.head(storeId);
        if (position === null) throw new Error(`Store ${storeId} has no log.`);
        const applied: CommandResult = {
          ok: true,
          position,
          customer: outcome.customer ?? null,
          block: outcome.block ?? null,
        };
        await record(sp, applied);
        return applied;
      });
    } catch (error) {
      // The savepoint undid what the command wrote; a refusal is recorded in its place.
      mine.length = 0;
      if (error instanceof Refused) result = { ok: false, refusal: error.toRefusal() };
      else if (error instanceof IllegalTransitionError)
        result = refusal('illegal_transition', error.message);
      else throw new UndoneCommand(error instanceof Error ? error : new Error(String(error)));
      await record(tx, result);
    }
    changes.push(...mine);
    return result;
  }
}

/** An unexpected error of one command, whose writes its savepoint undid. */
class UndoneCommand extends Error {
  constructor(override readonly cause: Error) {
    super(cause.message);
  }
}

/** One device command for the sequencer: `prepare` (run in the transaction) finds its store. */
export interface CommandJob {
  actor: Actor;
  envelope: CommandEnvelope;
  now: Date;
  prepare: (tx: HubTx) => Promise<PreparedCommand>;
}

export function refusal(code: Refusal['code'], message: string): CommandResult {
  return { ok: false, refusal: { code, message } };
}
