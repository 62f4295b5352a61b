// Device health over the sync link (issue 16): this device tells the hub its hardware when it
// changes and as a heartbeat, and keeps what the hub says of the store's devices (desks show it
// to staff). `reported` is true only while the hub has acknowledged the health as it is now:
// the kiosk may say "staff have been told" only then.
import {
  HEALTH_HEARTBEAT_MS,
  type DeviceHealth,
  type DeviceHealthEntry,
} from '../../shared/protocol/sync.js';
import type { Logger } from '../common/logger.js';
import type { SyncClient } from '../sync/sync-client.js';

export { HEALTH_HEARTBEAT_MS };

export interface HealthReporterDeps {
  current(): DeviceHealth;
  sync(): Pick<SyncClient, 'online' | 'reportHealth'> | null;
  log: Logger;
  changed(): void;
  heartbeatMs?: number;
}

export class HealthReporter {
  private readonly fleet = new Map<string, DeviceHealthEntry>();
  /** The health the hub last acknowledged (JSON), or null. */
  private acked: string | null = null;
  private sending: Promise<void> | null = null;
  private sendAgain = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: HealthReporterDeps) {}

  start(): void {
    this.timer ??= setInterval(
      () => void this.report(),
      this.deps.heartbeatMs ?? HEALTH_HEARTBEAT_MS,
    );
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** The hub acknowledged this device's health as it is now, and the link is still up. */
  get reported(): boolean {
    return this.deps.sync()?.online === true && this.acked === JSON.stringify(this.deps.current());
  }

  /** The store's devices' health, as the hub last said. */
  entries(): DeviceHealthEntry[] {
    return [...this.fleet.values()];
  }

  onFleet(entries: readonly DeviceHealthEntry[], all: boolean): void {
    if (all) this.fleet.clear();
    for (const entry of entries) this.fleet.set(entry.deviceId, entry);
    this.deps.changed();
  }

  /** Sends the health now (on a change, on connect, on the heartbeat); one report at a time. */
  report(): Promise<void> {
    if (this.sending !== null) {
      this.sendAgain = true;
      return this.sending;
    }
    this.sending = (async () => {
      try {
        do {
          this.sendAgain = false;
          await this.reportOnce();
        } while (this.sendAgain);
      } finally {
        this.sending = null;
      }
    })();
    return this.sending;
  }

  private async reportOnce(): Promise<void> {
    const sync = this.deps.sync();
    const health = this.deps.current();
    if (sync === null || !sync.online) {
      this.acked = null;
      return;
    }
    try {
      const ack = await sync.reportHealth(health);
      if (ack.ok) {
        this.acked = JSON.stringify(ack.entry.health);
        this.fleet.set(ack.entry.deviceId, ack.entry);
      } else {
        this.acked = null;
        this.deps.log.warn(`the hub refused this device's health report: ${ack.refusal.message}`);
      }
    } catch (error) {
      this.acked = null;
      this.deps.log.warn(`health report not acknowledged: ${(error as Error).message}`);
    }
    this.deps.changed();
  }
}
