// What the role services may see of the appliance: one narrow view, so a service cannot reach
// into another's state and the coordinator stays the only owner of phase, events and timers.
import type { ApplianceEvent } from '../../shared/api/appliance-api.js';
import type { Device } from '../../shared/domain/entities.js';
import type { LocalDb } from '../local-db/local-db.js';
import type { SyncClient } from '../sync/sync-client.js';
import type { Peripherals } from './peripherals.js';
import type { RuntimeOptions } from './runtime-options.js';

export type NoticeLevel = 'info' | 'warning' | 'error';

/** What the role services use of the link to the hub (the SyncClient; a test may script it). */
export type HubSync = Pick<SyncClient, 'connected' | 'online' | 'send' | 'flushAndWait' | 'pull'>;

export interface RuntimeContext {
  readonly options: RuntimeOptions;
  /** Null only when the local database could not be opened (the appliance is then in error). */
  readonly db: LocalDb | null;
  readonly peripherals: Peripherals;
  now(): Date;
  /** This device's record: the replica's (newest) or the saved config's; null if unprovisioned. */
  device(): Device | null;
  /** This device's role once it is ready, else null. */
  role(): Device['role'] | null;
  /** The current link to the hub; it is replaced when the device moves store. */
  sync(): HubSync | null;
  /** Throws the error the UI shows when the device is not ready or not of one of these roles. */
  requireRole(...roles: Device['role'][]): { device: Device; db: LocalDb };
  emit(event: ApplianceEvent): void;
  notice(level: NoticeLevel, message: string): void;
  /** Asks for one coalesced state event. */
  scheduleState(): void;
}
