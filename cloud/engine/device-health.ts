// Device health (issue 16): each device's last hardware report, kept beside the log (a heartbeat
// every 30 s per device does not belong in the store's log) and told to the store when it
// changes. The console's fleet view reads the same rows (`repo.deviceHealth(storeId)`).
import type { Device } from '../../shared/domain/entities.js';
import type { DeviceHealth, DeviceHealthEntry } from '../../shared/protocol/sync.js';
import type { HubRepo } from '../db/hub-repo.js';

const sameHealth = (a: DeviceHealth, b: DeviceHealth): boolean =>
  JSON.stringify(a) === JSON.stringify(b);

/**
 * Keeps a device's report. `changed` when it differs from the last one kept (a heartbeat that
 * says the same only moves `reportedAt`): only then is the store told.
 */
export function reportDeviceHealth(
  repo: HubRepo,
  device: Pick<Device, 'id' | 'storeId'>,
  health: DeviceHealth,
  now: Date,
  version: string | null = null,
): Promise<{ entry: DeviceHealthEntry; changed: boolean }> {
  const at = now.toISOString();
  return repo.transaction({ storeIds: [device.storeId] }, async (tx) => {
    const last = (await tx.deviceHealth(device.storeId)).find((e) => e.deviceId === device.id);
    const changed = last === undefined || !sameHealth(last.health, health);
    const entry: DeviceHealthEntry = {
      deviceId: device.id,
      storeId: device.storeId,
      health,
      reportedAt: at,
      changedAt: changed ? at : last.changedAt,
      version,
    };
    await tx.putDeviceHealth(entry);
    return { entry, changed };
  });
}
