// Fleet health: each device of a store with its connection, last seen, version, hardware (the
// last health report, repo.deviceHealth) and sync lag; and the alerts the notification path can
// subscribe to (`FleetAlerts`): a device went quiet, ran out of paper, and came back from either.
import { EventEmitter } from 'node:events';
import type { Device } from '../../shared/domain/entities.js';
import {
  QUIET_AFTER_SECONDS,
  type FleetDevice,
  type FleetResponse,
} from '../../shared/protocol/console.js';
import type { DeviceHealthEntry, LogPosition } from '../../shared/protocol/sync.js';
import type { DevicePresence } from './presence.js';

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
  const online = presence !== null && presence.sockets > 0;
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
    connectedSince: online ? presence.connectedSince : null,
    lastSeen,
    version: presence?.version ?? null,
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

/** What a subscriber (e.g. a notifier that mails the store's technician) receives. */
export interface FleetAlert {
  kind: FleetAlertKind;
  storeId: string;
  deviceId: string;
  deviceName: string;
  at: string;
  /** The device's fleet line when the alert was raised. */
  line: FleetDevice;
}

/**
 * Emits `alert` (a FleetAlert) when a device's quiet or out-of-paper flag changes; the first
 * look at a device only remembers its flags (a restart does not re-alert the whole fleet).
 */
export class FleetAlerts extends EventEmitter<{ alert: [FleetAlert] }> {
  private readonly seen = new Map<string, { quiet: boolean; outOfPaper: boolean }>();

  /** Compares a store's fleet now with the last look and emits what changed. */
  look(fleet: FleetResponse): FleetAlert[] {
    const raised: FleetAlert[] = [];
    for (const line of fleet.devices) {
      const before = this.seen.get(line.device.id);
      const now = { quiet: line.flags.quiet, outOfPaper: line.flags.outOfPaper };
      this.seen.set(line.device.id, now);
      if (before === undefined) continue;
      const raise = (kind: FleetAlertKind) =>
        raised.push({
          kind,
          storeId: fleet.storeId,
          deviceId: line.device.id,
          deviceName: line.device.name,
          at: fleet.generatedAt,
          line,
        });
      if (now.quiet !== before.quiet) raise(now.quiet ? 'device_quiet' : 'device_back');
      if (now.outOfPaper !== before.outOfPaper) raise(now.outOfPaper ? 'paper_out' : 'paper_back');
    }
    for (const alert of raised) this.emit('alert', alert);
    return raised;
  }
}
