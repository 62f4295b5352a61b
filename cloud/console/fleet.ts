// Fleet health: each device of a store with its connection, last seen, version, hardware (the
// last health report, repo.deviceHealth) and sync lag; and the alerts a change of its flags
// raises (cloud/notify/fleet-alerts.ts mails them): a device went quiet, ran out of paper, and
// came back from either.
import type { Device } from '../../shared/domain/entities.js';
import {
  QUIET_AFTER_SECONDS,
  type FleetDevice,
  type FleetResponse,
} from '../../shared/protocol/console.js';
import {
  HEALTH_HEARTBEAT_MS,
  type DeviceHealthEntry,
  type LogPosition,
} from '../../shared/protocol/sync.js';
import type { DevicePresence } from './presence.js';

/** A health report this recent means the device is connected (two heartbeats and some slack). */
const ONLINE_REPORT_MS = 2 * HEALTH_HEARTBEAT_MS + 5_000;

const later = (a: string | null, b: string | null): string | null =>
  a === null ? b : b === null ? a : a > b ? a : b;

/** One device's line in the fleet view (pure: everything it needs is passed in). */
export function fleetDevice(
  device: Device,
  presence: DevicePresence | null,
  health: DeviceHealthEntry | null,
  head: LogPosition | null,
  now: Date,
): FleetDevice {
  const here = presence !== null && presence.sockets > 0;
  // Appliances report at least every HEALTH_HEARTBEAT_MS while connected: a recent report made
  // after the device left this node (or that never came here) went through another hub node.
  const reportedMs = health === null ? null : Date.parse(health.reportedAt);
  const elsewhere =
    !here &&
    reportedMs !== null &&
    now.getTime() - reportedMs <= ONLINE_REPORT_MS &&
    (presence === null || Date.parse(presence.lastSeen) < reportedMs);
  const online = here || elsewhere;
  const lastSeen = later(presence?.lastSeen ?? null, health?.reportedAt ?? null);
  const quiet =
    !online &&
    (lastSeen === null || now.getTime() - Date.parse(lastSeen) > QUIET_AFTER_SECONDS * 1000);
  const printer = health?.health.printer ?? null;
  const position = presence?.position ?? null;
  const syncLag =
    head !== null && position !== null && position.epoch === head.epoch
      ? Math.max(0, head.seq - position.seq)
      : null;
  const pager = health?.health.pager ?? null;
  const scanner = health?.health.scanner ?? null;
  return {
    device: {
      id: device.id,
      name: device.name,
      role: device.role,
      hostname: device.hostname,
      mac: device.mac,
    },
    connection: online ? 'online' : presence === null && health === null ? 'never' : 'offline',
    connectedSince: here ? presence.connectedSince : null,
    lastSeen,
    // Connected here: what it said on this socket; else what its latest report carried.
    version: here ? presence.version : (health?.version ?? presence?.version ?? null),
    printer,
    printerMessage: health?.health.printerMessage ?? null,
    health,
    syncLag,
    flags: {
      quiet,
      outOfPaper: printer === 'paper_out',
      paperNearEnd: printer === 'paper_near_end',
      coverOpen: printer === 'cover_open',
      peripheralFault: pager?.ok === false || scanner?.ok === false,
    },
  };
}

export function fleetOf(
  storeId: string,
  devices: readonly Device[],
  presenceOf: (deviceId: string) => DevicePresence | null,
  health: readonly DeviceHealthEntry[],
  head: LogPosition | null,
  now: Date,
): FleetResponse {
  const byDevice = new Map(health.map((h) => [h.deviceId, h]));
  return {
    storeId,
    head,
    generatedAt: now.toISOString(),
    devices: devices.map((d) =>
      fleetDevice(d, presenceOf(d.id), byDevice.get(d.id) ?? null, head, now),
    ),
  };
}

// --- Alerts for the notification path -----------------------------------------------------------

export type FleetAlertKind = 'device_quiet' | 'device_back' | 'paper_out' | 'paper_back';

/** One change of a device's quiet or out-of-paper flag. */
export interface FleetAlert {
  kind: FleetAlertKind;
  storeId: string;
  deviceId: string;
  deviceName: string;
  at: string;
  /** The device's fleet line when the alert was raised. */
  line: FleetDevice;
}

/** What an alert is about: the flags a store was last told of, per device. */
export interface FleetFlags {
  quiet: boolean;
  outOfPaper: boolean;
  /**
   * False when the device was quiet from the first look (provisioned, not installed yet): its
   * first connection is not "back online". Missing: told.
   */
  quietTold?: boolean;
}

/**
 * The alerts `fleet` raises against the flags last alerted (`before`): a quiet or out-of-paper
 * flag that changed. A device not in `before` is seen for the first time: out of paper, that is
 * worth telling; quiet is not (a device provisioned and not installed yet is quiet).
 */
export function fleetTransitions(
  before: ReadonlyMap<string, FleetFlags>,
  fleet: FleetResponse,
): FleetAlert[] {
  const raised: FleetAlert[] = [];
  for (const line of fleet.devices) {
    const was = before.get(line.device.id) ?? { quiet: line.flags.quiet, outOfPaper: false };
    const raise = (kind: FleetAlertKind) =>
      raised.push({
        kind,
        storeId: fleet.storeId,
        deviceId: line.device.id,
        deviceName: line.device.name,
        at: fleet.generatedAt,
        line,
      });
    const { quiet, outOfPaper } = line.flags;
    if (quiet && !was.quiet) raise('device_quiet');
    if (!quiet && was.quiet && was.quietTold !== false) raise('device_back');
    if (outOfPaper !== was.outOfPaper) raise(outOfPaper ? 'paper_out' : 'paper_back');
  }
  return raised;
}
