// Which devices are connected to the sync namespace, since when, when they were last heard from,
// the version they said, and how far into their store's log they are (their last pull, moved on
// by the changes broadcast to them since, which socket.io delivers in order). Kept in memory by
// watching the namespace: the sync server itself is unchanged.
import type { Namespace, Socket } from 'socket.io';
import type { Device } from '../../shared/domain/entities.js';
import {
  PullRequestSchema,
  SyncEvents,
  handshakeVersion,
  type Change,
  type LogPosition,
} from '../../shared/protocol/sync.js';

export interface DevicePresence {
  storeId: string;
  sockets: number;
  connectedSince: string | null;
  lastSeen: string;
  version: string | null;
  position: LogPosition | null;
}

export interface Presence {
  of(deviceId: string): DevicePresence | null;
  /** Feed of committed changes (engine.onChanges): moves connected devices' positions. */
  onChanges(changes: readonly Change[]): void;
}

export function watchPresence(
  nsp: Namespace,
  headOf: (storeId: string) => Promise<LogPosition | null>,
  clock: () => Date = () => new Date(),
): Presence {
  const byDevice = new Map<string, DevicePresence>();
  const now = () => clock().toISOString();

  nsp.on('connection', (socket: Socket) => {
    const device = socket.data.device as Device | undefined;
    if (device === undefined) return;
    const entry: DevicePresence = byDevice.get(device.id) ?? {
      storeId: device.storeId,
      sockets: 0,
      connectedSince: null,
      lastSeen: now(),
      version: null,
      position: null,
    };
    if (entry.storeId !== device.storeId) entry.position = null;
    entry.storeId = device.storeId;
    entry.sockets += 1;
    entry.connectedSince ??= now();
    entry.lastSeen = now();
    entry.version = handshakeVersion(socket.handshake.auth) ?? entry.version;
    byDevice.set(device.id, entry);
    socket.onAny((event: string, ...args: unknown[]) => {
      entry.lastSeen = now();
      if (event === SyncEvents.pull) {
        const request = PullRequestSchema.safeParse(args[0]);
        // After this pull the device is `limit` further, or at the head.
        void headOf(device.storeId)
          .then((head) => {
            if (request.success && head !== null && request.data.since.epoch === head.epoch) {
              entry.position = {
                epoch: head.epoch,
                seq: Math.min(head.seq, request.data.since.seq + request.data.limit),
              };
            }
          })
          .catch(() => undefined);
      }
    });
    socket.on('disconnect', () => {
      entry.sockets = Math.max(0, entry.sockets - 1);
      entry.lastSeen = now();
      if (entry.sockets === 0) entry.connectedSince = null;
    });
  });

  return {
    of: (deviceId) => byDevice.get(deviceId) ?? null,
    onChanges: (changes) => {
      // Connected devices of the store receive every broadcast change, in order.
      for (const entry of byDevice.values()) {
        const at = entry.position;
        if (entry.sockets === 0 || at === null) continue;
        for (const change of changes) {
          if (change.storeId !== entry.storeId || change.epoch !== at.epoch) continue;
          if (change.seq === at.seq + 1) at.seq = change.seq;
        }
      }
    },
  };
}
