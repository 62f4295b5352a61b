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
export async function recordKnock(
  engine: HubEngine,
  request: ProvisionRequest,
  address: string,
  now: Date,
): Promise<void> {
  const macs = validMacs(request.macs);
  if (macs.length === 0) return;
  await engine.repo.recordWaitingDevice({
    macs,
    hostname: request.hostname,
    address,
    at: now.toISOString(),
  });
}

/** Whether a device with one of these MACs and this hostname exists now (added meanwhile). */
const isKnown = async (
  engine: HubEngine,
  w: { macs: string[]; hostname: string },
): Promise<boolean> =>
  (await engine.repo.devicesByMac(w.macs)).some(
    (d) => d.hostname.toLowerCase() === w.hostname.toLowerCase(),
  );

/** The waiting list: knocks of devices still unknown (one added by the CLI leaves it too). */
export async function waitingDevices(engine: HubEngine): Promise<WaitingDevice[]> {
  const all = await engine.repo.waitingDevices();
  const known = await Promise.all(all.map((w) => isKnown(engine, w)));
  return all.filter((_w, i) => known[i] !== true);
}

export async function provisionWaiting(
  engine: HubEngine,
  waitingId: string,
  request: ProvisionWaitingRequest,
): Promise<AddDeviceResult> {
  const waiting = await engine.repo.waitingDevice(waitingId);
  if (waiting === null) {
    throw new ConsoleHttpError(404, 'not_found', `No waiting device ${waitingId}.`);
  }
  const mac = request.mac === undefined ? waiting.macs[0] : MacSchema.safeParse(request.mac).data;
  if (mac === undefined || !waiting.macs.includes(mac)) {
    throw new ConsoleHttpError(400, 'invalid', `The device did not send MAC ${request.mac ?? ''}.`);
  }
  try {
    const result = await addDevice(engine, {
      storeId: request.storeId,
      mac,
      hostname: waiting.hostname,
      role: request.role,
      ...(request.name === undefined ? {} : { name: request.name }),
      serviceIds: request.serviceIds,
    });
    await engine.repo.deleteWaitingDevice(waitingId);
    return result;
  } catch (error) {
    if (error instanceof AdminError) throw new ConsoleHttpError(400, 'invalid', error.message);
    throw error;
  }
}

export async function dismissWaiting(engine: HubEngine, waitingId: string): Promise<void> {
  if ((await engine.repo.waitingDevice(waitingId)) === null) {
    throw new ConsoleHttpError(404, 'not_found', `No waiting device ${waitingId}.`);
  }
  await engine.repo.deleteWaitingDevice(waitingId);
}
