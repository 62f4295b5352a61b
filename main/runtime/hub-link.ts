// Who this device is and its link to the hub: asking /provision (and polling), adopting the
// record it answers (saved, so the next boot starts in the last known role), and running the
// sync client. Role changes apply live; a store change starts a fresh replica.
import type { ApplianceState } from '../../shared/api/appliance-api.js';
import type { Device } from '../../shared/domain/entities.js';
import type {
  Change,
  DeviceCredential,
  DeviceHealthEntry,
  Refusal,
} from '../../shared/protocol/sync.js';
import type { LocalDb, OutboxEntry, ProvisionedConfig } from '../local-db/local-db.js';
import { SyncClient } from '../sync/sync-client.js';
import { HubUnreachableError, requestProvision } from './identity/provisioning.js';
import type { RuntimeOptions } from './runtime-options.js';

export type Phase = ApplianceState['phase'];

/** What the appliance does with what the link hears. */
export interface HubLinkHooks {
  onApplied(changes: Change[], live: boolean): void;
  /** What the hub says of the store's devices' health (all of them, or one that changed). */
  onHealth?(entries: DeviceHealthEntry[], all: boolean): void;
  /** The sync link is up (again). */
  onConnected(): void;
  onOutboxRefused(entry: OutboxEntry, refusal: Refusal, awaited: boolean): void;
  scheduleState(): void;
}

export class HubLink {
  phase: Phase = 'booting';
  message: string | null = null;
  /** Why the hub is not answering, while working offline on the saved configuration. */
  hubProblem: string | null = null;
  private config: ProvisionedConfig | null = null;
  /** A credential kept outside the lost config, offered to the hub until a config is adopted. */
  private held: DeviceCredential | null = null;
  private client: SyncClient | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private provisioning: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly options: RuntimeOptions,
    private readonly db: LocalDb | null,
    private readonly now: () => Date,
    private readonly hooks: HubLinkHooks,
  ) {}

  get sync(): SyncClient | null {
    return this.client;
  }

  /** This device's record: the replica's (newest) or the saved config's. */
  device(): Device | null {
    if (this.config === null) return null;
    const id = this.config.device.id;
    return this.db?.device(id) ?? this.config.device;
  }

  /** The local database cannot be used: nothing else happens until it is fixed. */
  fail(message: string | null): void {
    this.phase = 'error';
    this.message = message;
  }

  holdCredential(credential: DeviceCredential): void {
    this.held = credential;
  }

  /** First boot (or a saved config for another hub): the hub must say who we are. */
  awaitFirstAnswer(): void {
    this.phase = 'unprovisioned';
    this.message = 'Asking the hub who this device is…';
  }

  private schedulePoll(): void {
    if (this.stopped) return;
    if (this.pollTimer !== null) clearTimeout(this.pollTimer);
    const wait =
      this.config === null ? (this.options.pollMs ?? 5000) : (this.options.refreshMs ?? 30_000);
    this.pollTimer = setTimeout(() => {
      // While the sync link is up, a pull is enough to see a changed record; /provision is only
      // asked while it is down (is the hub there? was this device reset or removed?).
      const sync = this.client;
      if (this.config !== null && sync !== null && sync.connected) {
        void sync.pull().finally(() => this.schedulePoll());
      } else void this.provisionNow();
    }, wait);
    this.pollTimer.unref();
  }

  /** Asks the hub who this device is now; one request at a time. */
  provisionNow(): Promise<void> {
    this.provisioning ??= this.provisionOnce().finally(() => {
      this.provisioning = null;
      this.schedulePoll();
    });
    return this.provisioning;
  }

  private async provisionOnce(): Promise<void> {
    if (this.db === null || this.stopped) return;
    const { hubUrl, identity, log } = this.options;
    const whoAmI = `MAC ${identity.macs.join(', ')}, hostname ${identity.hostname}.`;
    try {
      const held = this.config?.credential ?? this.held;
      const answer = await requestProvision(hubUrl, identity, held);
      if (this.stopped) return;
      if (answer.status === 'unknown') {
        if (this.config !== null)
          log.warn('the hub no longer knows this device; back to unprovisioned');
        this.unprovision(`${answer.message} ${whoAmI}`);
        return;
      }
      this.hubProblem = null;
      if (answer.status === 'provisioned') {
        // Our current record (the hub accepted our credential), or a first claim (also after
        // `lineup-hub device reset`).
        this.adopt(answer.device, answer.credential);
        return;
      }
      // `claimed`: the credential was handed out already, and the one we hold (if any) was not
      // accepted. Asking again cannot help until an installer resets the device on the hub; the
      // technician view says so, and polling picks up the new claim by itself.
      if (this.config !== null) {
        log.warn("the hub no longer accepts this device's credential; back to unprovisioned");
        this.unprovision(
          `The hub no longer accepts this device's credential. ${answer.message} ${whoAmI}`,
        );
        return;
      }
      this.phase = 'unprovisioned';
      this.message = `${answer.message} ${whoAmI}`;
      this.hooks.scheduleState();
    } catch (error) {
      if (!(error instanceof HubUnreachableError)) throw error;
      const seconds = Math.round((this.options.pollMs ?? 5000) / 1000);
      if (this.config === null) {
        this.phase = 'unprovisioned';
        this.message = `${error.message} Retrying every ${seconds} s.`;
      } else if (this.client?.online !== true) {
        this.hubProblem = `${error.message} Working offline with the last known configuration.`;
      }
      log.warn(error.message);
      this.hooks.scheduleState();
    }
  }

  private unprovision(message: string): void {
    this.client?.stop();
    this.client = null;
    this.config = null;
    this.db?.clearConfig();
    this.phase = 'unprovisioned';
    this.message = message;
    this.hooks.scheduleState();
  }

  /** Takes a device record from the hub (or the saved one); changes apply live. */
  adopt(device: Device, credential: DeviceCredential): void {
    const db = this.db;
    if (db === null) return;
    const prev = this.config;
    const storeChanged = prev === null || prev.device.storeId !== device.storeId;
    const credentialChanged =
      prev === null ||
      prev.credential.deviceId !== credential.deviceId ||
      prev.credential.token !== credential.token;
    this.config = {
      hubUrl: this.options.hubUrl,
      device,
      credential,
      savedAt: this.now().toISOString(),
    };
    db.saveConfig(this.config);
    if (prev !== null && storeChanged) {
      this.options.log.info(`moved to store ${device.storeId}: starting a fresh replica`);
      db.resetReplica();
    }
    if (prev !== null && credentialChanged)
      this.options.log.info('claimed a new credential from the hub (the device was reset)');
    if (prev !== null && prev.device.role !== device.role)
      this.options.log.info(`role changed from ${prev.device.role} to ${device.role}`);
    this.phase = 'ready';
    this.message = null;
    if (this.client === null || storeChanged) this.startSync(credential);
    // Also reconnects a link the hub closed (it then asked who it is, and still is).
    else this.client.updateCredential(credential);
    this.hooks.scheduleState();
  }

  private startSync(credential: DeviceCredential): void {
    const db = this.db;
    if (db === null) return;
    this.client?.stop();
    const sync = new SyncClient({
      hubUrl: this.options.hubUrl,
      credential,
      db,
      log: this.options.log,
      ackTimeoutMs: this.options.ackTimeoutMs,
      reconnectDelayMaxMs: this.options.reconnectDelayMaxMs,
      appVersion: this.options.appVersion,
      hooks: {
        onApplied: (changes, live) => this.hooks.onApplied(changes, live),
        onHealth: (entries, all) => this.hooks.onHealth?.(entries, all),
        onStatus: () => {
          if (this.client === sync && sync.connected) {
            this.hubProblem = null;
            this.hooks.onConnected();
          }
          this.hooks.scheduleState();
        },
        // Refused, or closed by the hub (reset, removed, moved): ask /provision with the
        // credential we hold; its answer says what we are now (never rotates a token).
        onCredentialRefused: () => {
          if (this.client === sync) void this.provisionNow();
        },
        onOutboxRefused: (entry, refusal, awaited) =>
          this.hooks.onOutboxRefused(entry, refusal, awaited),
      },
    });
    this.client = sync;
    sync.start();
  }

  /** A change to this device's own record: follow it (a move to another store re-provisions). */
  noteOwnRecord(change: Change): void {
    const me = this.config?.device.id;
    if (change.entity.kind === 'device' && change.entity.device.id === me) {
      const device = change.entity.device;
      if (this.config !== null && device.storeId !== this.config.device.storeId) {
        void this.provisionNow();
      } else if (this.config !== null) {
        this.config = { ...this.config, device };
        this.db?.saveConfig(this.config);
      }
    }
    if (change.entity.kind === 'device_removed' && change.entity.id === me)
      void this.provisionNow();
  }

  stop(): void {
    this.stopped = true;
    if (this.pollTimer !== null) clearTimeout(this.pollTimer);
    this.client?.stop();
  }
}
