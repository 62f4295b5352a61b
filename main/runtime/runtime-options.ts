// What boot hands the appliance: where the hub and the data are, who this device is, the
// peripherals it drives, and the timings tests shorten.
import type { DeviceIdentity } from './identity/identity.js';
import type { Logger } from '../common/logger.js';

export interface RuntimeOptions {
  hubUrl: string;
  dataDir: string;
  identity: DeviceIdentity;
  log: Logger;
  appVersion: string;
  printer?: string;
  pager?: string;
  scanner?: string;
  /** How often an unknown device asks the hub again. */
  pollMs?: number;
  /** How often a provisioned device re-checks its record (role or store changed). */
  refreshMs?: number;
  reconnectDelayMaxMs?: number;
  ackTimeoutMs?: number;
  /** How long a ticket numbered from a block waits for the hub's answer before it is shown. */
  registerAckMs?: number;
  /** Offline numbers reserved per service at a time, and the level that triggers a new block. */
  blockSize?: number;
  blockLow?: number;
  /** How often the device's health is reported when nothing changed (a heartbeat). */
  healthHeartbeatMs?: number;
  now?: () => Date;
}
