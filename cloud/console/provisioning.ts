// Zero-touch provisioning: every unknown device that knocks on `POST /provision` is remembered
// (MACs, hostname, address, first and last seen); a technician picks store, role, name and
// services, and the device is added exactly as `lineup-hub device add` adds it, so its next poll
// of /provision claims its credential (once) and it boots into its role.
import { MacSchema } from '../../shared/domain/entities.js';
import type { ProvisionWaitingRequest, WaitingDevice } from '../../shared/protocol/console.js';
import type { ProvisionRequest } from '../../shared/protocol/sync.js';
import { addDevice, AdminError, type AddDeviceResult } from '../engine/admin.js';
import type { HubEngine } from '../engine/hub-engine.js';
import { ConsoleHttpError } from './access.js';

const validMacs = (macs: readonly string[]): string[] =>
  macs.flatMap((m) => {
    const parsed = MacSchema.safeParse(m);
    return parsed.success ? [parsed.data] : [];
  });

/** Remembers a knock that `provision` answered `unknown`. */
export function recordKnock(
  engine: HubEngine,
  request: ProvisionRequest,
  address: string,
  now: Date,
): void {
  const macs = validMacs(request.macs);
  if (macs.length === 0) return;
  engine.repo.recordWaitingDevice({
    macs,
    hostname: request.hostname,
    address,
    at: now.toISOString(),
  });
}

/** Whether a device with one of these MACs and this hostname exists now (added meanwhile). */
const isKnown = (engine: HubEngine, w: { macs: string[]; hostname: string }): boolean =>
  engine.repo
    .devicesByMac(w.macs)
    .some((d) => d.hostname.toLowerCase() === w.hostname.toLowerCase());

/** The waiting list: knocks of devices still unknown (one added by the CLI leaves it too). */
export function waitingDevices(engine: HubEngine): WaitingDevice[] {
  return engine.repo.waitingDevices().filter((w) => !isKnown(engine, w));
}

export function provisionWaiting(
  engine: HubEngine,
  waitingId: string,
  request: ProvisionWaitingRequest,
): AddDeviceResult {
  const waiting = engine.repo.waitingDevice(waitingId);
  if (waiting === null) {
    throw new ConsoleHttpError(404, 'not_found', `No waiting device ${waitingId}.`);
  }
  const mac = request.mac === undefined ? waiting.macs[0] : MacSchema.safeParse(request.mac).data;
  if (mac === undefined || !waiting.macs.includes(mac)) {
    throw new ConsoleHttpError(400, 'invalid', `The device did not send MAC ${request.mac ?? ''}.`);
  }
  try {
    const result = addDevice(engine, {
      storeId: request.storeId,
      mac,
      hostname: waiting.hostname,
      role: request.role,
      ...(request.name === undefined ? {} : { name: request.name }),
      serviceIds: request.serviceIds,
    });
    engine.repo.deleteWaitingDevice(waitingId);
    return result;
  } catch (error) {
    if (error instanceof AdminError) throw new ConsoleHttpError(400, 'invalid', error.message);
    throw error;
  }
}

export function dismissWaiting(engine: HubEngine, waitingId: string): void {
  if (engine.repo.waitingDevice(waitingId) === null) {
    throw new ConsoleHttpError(404, 'not_found', `No waiting device ${waitingId}.`);
  }
  engine.repo.deleteWaitingDevice(waitingId);
}
