// The device side of the sync protocol. socket.io is only the transport: on every (re)connect the
// client pulls from its cursor first (a snapshot when the hub's epoch changed), then flushes the
// outbox in order; broadcast changes are applied in seq order and a gap triggers a pull.
// Reconnects use socket.io's backoff with jitter (randomizationFactor); its send buffer is never
// relied on: nothing is emitted while disconnected.
import { io, type Socket } from 'socket.io-client';
import {
  ChangeSchema,
  CommandResultSchema,
  ConnectRefusalSchema,
  DeviceHealthEntrySchema,
  HealthAckSchema,
  PullResponseSchema,
  SnapshotResponseSchema,
  SYNC_NAMESPACE,
  SyncEvents,
  type Change,
  type CommandEnvelope,
  type CommandResult,
  type DeviceCredential,
  type DeviceHealth,
  type DeviceHealthEntry,
  type HealthAck,
  type Refusal,
} from '../../shared/protocol/sync.js';
import type { Logger } from '../common/logger.js';
import type { LocalDb, OutboxEntry } from '../local-db/local-db.js';

export class OfflineError extends Error {}

export interface SyncHooks {
  /** Changes just applied to the replica, in order (`live` when they came as a broadcast). */
  onApplied(changes: Change[], live: boolean): void;
  /** Whenever connected/caught-up, the cursor or the outbox length may have changed. */
  onStatus(): void;
  /** The hub refused the credential (unknown device, revoked...): provision again. */
  onCredentialRefused(reason: string): void;
  /**
   * The hub refused a command from the outbox: the local effect must be undone. `awaited` when
   * a caller of `flushAndWait` got the refusal itself (and tells whoever acted).
   */
  onOutboxRefused(entry: OutboxEntry, refusal: Refusal, awaited: boolean): void;
  /**
   * The store's device health: every device's (`all`, from a pull) or one that changed
   * (a broadcast).
   */
  onHealth?(entries: DeviceHealthEntry[], all: boolean): void;
}

export interface SyncOptions {
  hubUrl: string;
  credential: DeviceCredential;
  db: LocalDb;
  log: Logger;
  hooks: SyncHooks;
  ackTimeoutMs?: number;
  reconnectDelayMs?: number;
  reconnectDelayMaxMs?: number;
  /** Said to the hub on connecting (its fleet view shows it). */
  appVersion?: string;
}

export class SyncClient {
  private socket: Socket | null = null;
  private caughtUp = false;
  private pulling: Promise<boolean> | null = null;
  private pullAgain = false;
  private flushing: Promise<void> | null = null;
  private flushAgain = false;
  private stopped = false;
  /** Callers waiting for the hub's answer to one outbox entry (see flushAndWait). */
  private readonly waiters = new Map<string, (result: CommandResult) => void>();
  lastSyncAt: string | null = null;
  private readonly ackTimeoutMs: number;

  constructor(private readonly options: SyncOptions) {
    this.ackTimeoutMs = options.ackTimeoutMs ?? 5000;
  }

  /** Connected and caught up with the hub's log. */
  get connected(): boolean {
    return this.socket?.connected === true && this.caughtUp;
  }

  /** The socket is up (commands can be sent), even while still catching up. */
  get online(): boolean {
    return this.socket?.connected === true;
  }

  start(): void {
    const { hubUrl, credential, log } = this.options;
    const socket = io(new URL(SYNC_NAMESPACE, hubUrl).href, {
      auth: this.authOf(credential),
      transports: ['websocket'],
      reconnectionDelay: this.options.reconnectDelayMs ?? 300,
      reconnectionDelayMax: this.options.reconnectDelayMaxMs ?? 5000,
      randomizationFactor: 0.5,
      timeout: 5000,
    });
    this.socket = socket;
    socket.on('connect', () => {
      log.info(`sync: connected to ${hubUrl}`);
      this.caughtUp = false;
      void this.catchUp();
    });
    socket.on('disconnect', (reason) => {
      log.warn(`sync: disconnected (${reason})`);
      this.caughtUp = false;
      // Never let socket.io replay old emits: resends come from the outbox only.
      socket.sendBuffer = [];
      this.options.hooks.onStatus();
      // The hub closed us on purpose (revoked, moved): ask who we are again, then reconnect.
      if (reason === 'io server disconnect' && !this.stopped) {
        this.options.hooks.onCredentialRefused('disconnected by the hub');
      }
    });
    socket.on('connect_error', (error) => {
      const refusal = ConnectRefusalSchema.safeParse(error.message);
      if (refusal.success) {
        log.warn(`sync: the hub refused this device (${refusal.data})`);
        this.options.hooks.onCredentialRefused(refusal.data);
      } else if (!socket.active) {
        // Refused by a middleware with another message: retry later rather than give up.
        log.warn(`sync: connection refused (${error.message}); retrying`);
        setTimeout(() => {
          if (!this.stopped) socket.connect();
        }, this.options.reconnectDelayMaxMs ?? 5000).unref();
      }
    });
    socket.on(SyncEvents.change, (raw: unknown) => {
      const change = ChangeSchema.safeParse(raw);
      if (!change.success) {
        log.warn('sync: ignored a malformed change; pulling instead');
        void this.pull();
        return;
      }
      this.applyLive([change.data]);
    });
    socket.on(SyncEvents.deviceHealth, (raw: unknown) => {
      const entry = DeviceHealthEntrySchema.safeParse(raw);
      if (entry.success) this.options.hooks.onHealth?.([entry.data], false);
    });
  }

  /** Tells the hub this device's hardware now; its answer says whether it kept it. */
  async reportHealth(health: DeviceHealth): Promise<HealthAck> {
    const ack = HealthAckSchema.safeParse(await this.ask(SyncEvents.health, health));
    if (!ack.success) throw new Error('the hub answered a health report with something unexpected');
    return ack.data;
  }

  /** A new credential from provisioning: used from the next (re)connect; reconnects now if down. */
  /** The handshake: the credential, and the app version for the hub's fleet view. */
  private authOf(credential: DeviceCredential): Record<string, string> {
    const { appVersion } = this.options;
    return {
      deviceId: credential.deviceId,
      token: credential.token,
      ...(appVersion === undefined ? {} : { version: appVersion }),
    };
  }

  updateCredential(credential: DeviceCredential): void {
    const socket = this.socket;
    if (socket === null) return;
    socket.auth = this.authOf(credential);
    if (!socket.connected && !socket.active && !this.stopped) socket.connect();
  }

  stop(): void {
    this.stopped = true;
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
    this.caughtUp = false;
  }

  private applyLive(changes: Change[]): void {
    const outcome = this.options.db.applyChanges(changes);
    if (outcome.applied.length > 0) {
      this.lastSyncAt = new Date().toISOString();
      this.options.hooks.onApplied(outcome.applied, true);
    }
    if (outcome.gap) void this.pull();
  }

  private async catchUp(): Promise<void> {
    const socket = this.socket;
    let done = false;
    try {
      done = await this.pull();
    } catch (error) {
      this.options.log.warn(`sync: catch-up failed: ${(error as Error).message}`);
    }
    if (this.stopped || this.socket !== socket || socket?.connected !== true) return;
    if (!done) {
      // Not caught up (the hub was slow or answered oddly): not "connected" yet; try again soon.
      setTimeout(() => {
        if (!this.stopped && this.socket === socket && socket.connected && !this.caughtUp)
          void this.catchUp();
      }, this.options.reconnectDelayMaxMs ?? 5000).unref();
      return;
    }
    try {
      this.caughtUp = true;
      this.lastSyncAt = new Date().toISOString();
      this.options.hooks.onStatus();
      await this.flush();
    } catch (error) {
      this.options.log.warn(`sync: catch-up failed: ${(error as Error).message}`);
    }
  }

  private async ask(event: string, payload: unknown): Promise<unknown> {
    const socket = this.socket;
    if (socket?.connected !== true) throw new OfflineError('The hub is unreachable.');
    try {
      return await socket.timeout(this.ackTimeoutMs).emitWithAck(event, payload);
    } catch {
      throw new OfflineError('The hub did not answer in time.');
    }
  }

  /**
   * Pulls from the cursor until caught up; one pull at a time, re-run when asked meanwhile.
   * Resolves false when the hub could not be asked (offline, no answer in time).
   */
  pull(): Promise<boolean> {
    if (this.pulling !== null) {
      this.pullAgain = true;
      return this.pulling;
    }
    this.pulling = (async () => {
      try {
        do {
          this.pullAgain = false;
          await this.pullOnce();
        } while (this.pullAgain);
        return true;
      } catch (error) {
        if (!(error instanceof OfflineError)) throw error;
        this.options.log.warn(`sync: pull failed: ${error.message}`);
        return false;
      } finally {
        this.pulling = null;
      }
    })();
    return this.pulling;
  }

  private async pullOnce(): Promise<void> {
    const { db, log } = this.options;
    for (;;) {
      const cur = db.cursor();
      if (cur === null) {
        await this.takeSnapshot();
        continue;
      }
      const answer = PullResponseSchema.safeParse(
        await this.ask(SyncEvents.pull, { since: cur.position, limit: 1000 }),
      );
      if (!answer.success) throw new Error('the hub answered a pull with something unexpected');
      if (!answer.data.ok) throw new Error(`pull refused: ${answer.data.refusal.message}`);
      this.options.hooks.onHealth?.(answer.data.health, true);
      if (answer.data.reset) {
        log.info('sync: the hub started a new epoch; taking a snapshot');
        await this.takeSnapshot();
        continue;
      }
      const outcome = db.applyChanges(answer.data.changes);
      if (outcome.applied.length > 0) this.options.hooks.onApplied(outcome.applied, false);
      if (outcome.gap) {
        // The hub's answer itself has a hole: start over from a snapshot rather than loop.
        await this.takeSnapshot();
        continue;
      }
      const after = db.cursor();
      if (answer.data.changes.length === 0 || (after?.position.seq ?? 0) >= answer.data.head.seq)
        return;
    }
  }

  private async takeSnapshot(): Promise<void> {
    const answer = SnapshotResponseSchema.safeParse(await this.ask(SyncEvents.snapshot, {}));
    if (!answer.success)
      throw new Error('the hub answered a snapshot request with something unexpected');
    const data = answer.data;
    if ('refusal' in data) throw new Error(`snapshot refused: ${data.refusal.message}`);
    this.options.db.applySnapshot(data);
    this.options.hooks.onApplied([], false);
  }

  /** Sends one command now; throws OfflineError when the hub cannot be asked. */
  async send(envelope: CommandEnvelope): Promise<CommandResult> {
    const result = CommandResultSchema.safeParse(await this.ask(SyncEvents.command, envelope));
    if (!result.success)
      throw new Error(`the hub answered ${envelope.type} with something unexpected`);
    return result.data;
  }

  /**
   * Flushes the outbox and resolves with the hub's answer to the entry `id` (already removed
   * from the outbox and applied), or null when none came within `timeoutMs`: the entry then
   * stays in the outbox and is sent later like any other.
   */
  flushAndWait(id: string, timeoutMs: number): Promise<CommandResult | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(id);
        resolve(null);
      }, timeoutMs);
      this.waiters.set(id, (result) => {
        clearTimeout(timer);
        this.waiters.delete(id);
        resolve(result);
      });
      this.flush().catch((error: unknown) => {
        this.options.log.warn(`sync: flush failed: ${(error as Error).message}`);
      });
    });
  }

  /** Sends the outbox in order; stops at the first command the hub did not answer. */
  flush(): Promise<void> {
    if (this.flushing !== null) {
      this.flushAgain = true;
      return this.flushing;
    }
    this.flushing = (async () => {
      try {
        do {
          this.flushAgain = false;
          await this.flushOnce();
        } while (this.flushAgain);
      } finally {
        this.flushing = null;
        this.options.hooks.onStatus();
      }
    })();
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    const { db, log, hooks } = this.options;
    if (!this.connected) return;
    for (const entry of db.outbox()) {
      let result: CommandResult;
      try {
        result = await this.send(entry.envelope);
      } catch (error) {
        log.warn(
          `sync: outbox stopped at ${entry.envelope.type} ${entry.envelope.id}: ${(error as Error).message}`,
        );
        return;
      }
      const waiter = this.waiters.get(entry.envelope.id);
      if (settleAnswer(db, entry, result)) this.flushAgain = true;
      if (!result.ok) {
        log.warn(`sync: the hub refused ${entry.envelope.type}: ${result.refusal.message}`);
      }
      waiter?.(result);
      if (!result.ok) hooks.onOutboxRefused(entry, result.refusal, waiter !== undefined);
      hooks.onStatus();
    }
  }
}

/**
 * Settles an outbox entry with the hub's answer: an applied command is settled; an applied
 * register whose answer never reached a customer (abandoned) is taken out of the queue again,
 * its cancel queued; a refused command is dropped. True when a command was queued to send next.
 */
export function settleAnswer(db: LocalDb, entry: OutboxEntry, result: CommandResult): boolean {
  if (!result.ok) {
    db.dropCommand(entry.envelope.id);
    return false;
  }
  const { customer, position } = result;
  if (entry.abandoned && entry.envelope.type === 'register' && customer !== null) {
    db.settleAbandonedRegister(
      entry.envelope.id,
      { customer, position },
      {
        id: crypto.randomUUID(),
        issuedAt: new Date().toISOString(),
        type: 'cancel',
        payload: { customerId: customer.id },
      },
    );
    return true;
  }
  db.settleCommand(entry.envelope.id, { customer, position });
  return false;
}
