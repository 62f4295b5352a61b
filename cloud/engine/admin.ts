// Configuration: seeding, devices, provisioning. Every config change of a store is appended to
// its log like any queue change, so devices hear of it through the same stream.
import { timingSafeEqual } from 'node:crypto';
import { demoStore, type DemoStore } from '../../shared/demo/demo-store.js';
import {
  DeviceSchema,
  IdSchema,
  MacSchema,
  ServiceSchema,
  type Device,
  type DeviceRole,
  type Service,
} from '../../shared/domain/entities.js';
import type {
  DeviceCredential,
  ProvisionRequest,
  ProvisionResponse,
} from '../../shared/protocol/sync.js';
import { hashToken, newObjectId } from '../db/ids.js';
import type { HubEngine } from './hub-engine.js';

export const ADMIN_ORIGIN = 'admin';

export interface SeedResult {
  created: string[];
}

/** Writes a store's configuration; what already exists is left as it is (idempotent). */
export function seedStore(engine: HubEngine, data: DemoStore = demoStore): Promise<SeedResult> {
  const storeId = data.store.id;
  return engine.mutate(
    async (append, repo) => {
      const created: string[] = [];
      if ((await repo.store(storeId)) === null) {
        if ((await repo.organization(data.organization.id)) === null) {
          await repo.upsertOrganization(data.organization);
        }
        await repo.createStore(data.store);
        await append(
          storeId,
          'organization_updated',
          { kind: 'organization', organization: data.organization },
          ADMIN_ORIGIN,
        );
        await append(storeId, 'store_updated', { kind: 'store', store: data.store }, ADMIN_ORIGIN);
        created.push(`store ${storeId}`);
      }
      for (const service of data.services) {
        if ((await repo.service(service.id)) !== null) continue;
        await append(storeId, 'service_updated', { kind: 'service', service }, ADMIN_ORIGIN);
        created.push(`service ${service.id}`);
      }
      for (const device of data.devices) {
        if ((await repo.device(device.id)) !== null) continue;
        await append(storeId, 'device_updated', { kind: 'device', device }, ADMIN_ORIGIN);
        created.push(`device ${device.id}`);
      }
      return { created };
    },
    [storeId],
  );
}

export interface AddDeviceInput {
  storeId: string;
  mac: string;
  hostname: string;
  role: DeviceRole;
  name?: string;
  id?: string;
  /** Services this desk serves or this machine offers (added to their lists). */
  serviceIds?: string[];
}

export class AdminError extends Error {
  override name = 'AdminError';
}

export interface AddDeviceResult {
  device: Device;
  /** `open`: the next `POST /provision` from this MAC and hostname gets the credential. */
  claim: 'open' | 'claimed';
  message: string;
}

/**
 * Adds (or re-provisions) a device by MAC and hostname. A new device (or a new box: MAC or
 * hostname changed) may claim its credential once with `POST /provision`; a device that already
 * claimed keeps it, and its new role or store reaches it through the sync stream.
 */
export function addDevice(engine: HubEngine, input: AddDeviceInput): Promise<AddDeviceResult> {
  return engine.mutate(
    async (append, repo) => {
      const store = await repo.store(input.storeId);
      if (store === null) throw new AdminError(`Store ${input.storeId} does not exist.`);
      const mac = MacSchema.safeParse(input.mac);
      if (!mac.success)
        throw new AdminError(`"${input.mac}" is not a MAC address such as AC:AF:B9:37:CB:46.`);
      const existing = (await repo.devicesByMac([mac.data])).find(
        (d) => d.hostname === input.hostname,
      );
      const id = input.id ?? existing?.id ?? newObjectId();
      if (!IdSchema.safeParse(id).success) throw new AdminError(`"${id}" is not a valid id.`);
      const parsed = DeviceSchema.safeParse({
        ...(existing ?? {}),
        id,
        organizationId: store.organizationId,
        storeId: store.id,
        name: input.name ?? existing?.name ?? input.hostname,
        hostname: input.hostname,
        mac: mac.data,
        role: input.role,
      });
      if (!parsed.success)
        throw new AdminError(parsed.error.issues[0]?.message ?? 'Invalid device.');
      const device = parsed.data;
      const before = await repo.device(device.id);
      await append(store.id, 'device_updated', { kind: 'device', device }, ADMIN_ORIGIN);
      for (const serviceId of input.serviceIds ?? []) {
        const service = await repo.service(serviceId);
        if (service === null || service.storeId !== store.id) {
          throw new AdminError(`Service ${serviceId} does not exist in store ${store.id}.`);
        }
        const key =
          device.role === 'desk'
            ? 'deskIds'
            : device.role === 'machine'
              ? 'machineIds'
              : 'screenIds';
        if (service[key].includes(device.id)) continue;
        const updated = ServiceSchema.parse({ ...service, [key]: [...service[key], device.id] });
        await append(
          store.id,
          'service_updated',
          { kind: 'service', service: updated },
          ADMIN_ORIGIN,
        );
      }
      const sameBox =
        before !== null &&
        before.mac === device.mac &&
        before.hostname.toLowerCase() === device.hostname.toLowerCase();
      if (!sameBox) await repo.reopenClaim(device.id);
      const claim = (await repo.claimState(device.id)) === 'claimed' ? 'claimed' : 'open';
      return { device, claim, message: addMessage(device, claim) };
    },
    [input.storeId],
  );
}

function addMessage(device: Device, claim: 'open' | 'claimed'): string {
  return claim === 'open'
    ? `Device ${device.id} (${device.hostname}, MAC ${device.mac}) claims its sync credential when it first asks the hub (POST /provision); it is handed out once.`
    : `Device ${device.id} (${device.hostname}) keeps the credential it claimed; to let it claim a new one, run lineup-hub device reset --id ${device.id}.`;
}

/** Revokes a device's credential (its sockets are dropped) and lets it claim a new one. */
export async function resetDevice(engine: HubEngine, id: string): Promise<AddDeviceResult> {
  return engine.mutate(
    async (append, repo) => {
      const device = await repo.device(id);
      if (device === null) throw new AdminError(`Device ${id} does not exist.`);
      await repo.reopenClaim(id);
      // Through the log so a hub serving this file (another process) hears of it and re-checks
      // the device's live sockets.
      await append(device.storeId, 'device_updated', { kind: 'device', device }, ADMIN_ORIGIN);
      return {
        device,
        claim: 'open' as const,
        message: `Device ${id} (${device.hostname}): its credential is revoked; the next POST /provision from MAC ${device.mac} with hostname ${device.hostname} claims a new one.`,
      };
    },
    await storeOfDevice(engine, id),
  );
}

/** The device's store, read before a transaction to lock it up front. */
async function storeOfDevice(engine: HubEngine, id: string): Promise<string[]> {
  const device = await engine.repo.device(id);
  return device === null ? [] : [device.storeId];
}

/**
 * Hands a device its credential if it may claim one (first time, or after a reset): null when
 * it already claimed. One IMMEDIATE transaction, so two racing claims cannot both win.
 */
export async function claimCredential(
  engine: HubEngine,
  deviceId: string,
): Promise<DeviceCredential | null> {
  const token = await engine.repo.transaction(
    { storeIds: await storeOfDevice(engine, deviceId) },
    (tx) => tx.claimCredential(deviceId),
  );
  return token === null ? null : { deviceId, token };
}

/** Edits a service (fields as in the Service entity); devices hear it as `service_updated`. */
export async function updateService(
  engine: HubEngine,
  id: string,
  fields: Record<string, unknown>,
  origin: string = ADMIN_ORIGIN,
): Promise<Service> {
  const known = await engine.repo.service(id);
  return engine.mutate(
    async (append, repo) => {
      const current = await repo.service(id);
      if (current === null) throw new AdminError(`Service ${id} does not exist.`);
      const parsed = ServiceSchema.safeParse({
        ...current,
        ...fields,
        id,
        storeId: current.storeId,
      });
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new AdminError(
          `${issue?.path.join('.') ?? 'service'}: ${issue?.message ?? 'invalid'}`,
        );
      }
      await append(
        current.storeId,
        'service_updated',
        { kind: 'service', service: parsed.data },
        origin,
      );
      return parsed.data;
    },
    known === null ? [] : [known.storeId],
  );
}

export async function removeDevice(engine: HubEngine, id: string): Promise<Device> {
  return engine.mutate(
    async (append, repo) => {
      const device = await repo.device(id);
      if (device === null) throw new AdminError(`Device ${id} does not exist.`);
      await append(device.storeId, 'device_removed', { kind: 'device_removed', id }, ADMIN_ORIGIN);
      return device;
    },
    await storeOfDevice(engine, id),
  );
}

/**
 * `POST /provision`: a device known by one of its MACs and its hostname gets its record and its
 * credential the first time (and after `device reset`); later calls get `claimed` and nothing
 * else, so knowing a MAC and hostname neither reveals a token nor kicks the real device off. A
 * call that carries the device's valid credential gets its current record. Anything else is
 * `unknown`.
 */
export async function provision(
  engine: HubEngine,
  request: ProvisionRequest,
): Promise<ProvisionResponse> {
  const macs = request.macs.flatMap((m) => {
    const parsed = MacSchema.safeParse(m);
    return parsed.success ? [parsed.data] : [];
  });
  const matches = await engine.repo.devicesByMac(macs);
  const device =
    matches.find((d) => d.hostname.toLowerCase() === request.hostname.toLowerCase()) ?? null;
  if (device === null) {
    return {
      status: 'unknown',
      message:
        matches.length > 0
          ? `A device with this MAC is known under another hostname; ask an installer to provision ${request.hostname}.`
          : 'This device is not provisioned: ask an installer to add its MAC address and hostname.',
    };
  }
  // The device proves it holds its credential: its current record, and the same credential.
  const held = request.credential;
  if (
    held !== undefined &&
    held.deviceId === device.id &&
    (await checkCredential(engine, held)).ok
  ) {
    return { status: 'provisioned', device, credential: held };
  }
  const credential = await claimCredential(engine, device.id);
  if (credential === null) {
    return {
      status: 'claimed',
      deviceId: device.id,
      message: `Device ${device.id} (${device.hostname}) has already claimed its sync credential, which is handed out only once. If this is the device's box (replaced, or its data was wiped), run lineup-hub device reset --id ${device.id} on the hub; it then claims a new credential by itself.`,
    };
  }
  return { status: 'provisioned', device, credential };
}

export type CredentialCheck =
  | { ok: true; device: Device }
  | { ok: false; reason: 'unknown_device' | 'revoked' | 'bad_credential' };

/** Checks a socket's handshake credential (constant-time on the token hash). */
export async function checkCredential(
  engine: HubEngine,
  credential: DeviceCredential,
): Promise<CredentialCheck> {
  const stored = await engine.repo.credential(credential.deviceId);
  const device = await engine.repo.device(credential.deviceId);
  if (device === null) return { ok: false, reason: stored === null ? 'unknown_device' : 'revoked' };
  if (stored === null) return { ok: false, reason: 'bad_credential' };
  if (stored.revoked) return { ok: false, reason: 'revoked' };
  const given = Buffer.from(hashToken(credential.token), 'hex');
  const expected = Buffer.from(stored.tokenHash, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'bad_credential' };
  }
  return { ok: true, device };
}
