// The `/sync` socket.io namespace: devices authenticate with their credential, send commands
// (acked with their result), pull what they missed and take snapshots. Committed changes are
// broadcast to the store's room in log order. socket.io is only the transport: a device that
// misses a broadcast pulls it by position.
import type { Server as HttpServer } from 'node:http';
import { Server, type ServerOptions, type Socket } from 'socket.io';
import type { Device } from '../../shared/domain/entities.js';
import {
  CommandEnvelopeSchema,
  DeviceCredentialSchema,
  DeviceHealthSchema,
  MAX_SYNC_PAYLOAD_BYTES,
  PullRequestSchema,
  SYNC_NAMESPACE,
  SyncEvents,
  handshakeVersion,
  type Change,
  type CommandEnvelope,
  type CommandResult,
  type DeviceHealthEntry,
  type HealthAck,
  type LogPosition,
  type PullResponse,
  type SnapshotResponse,
} from '../../shared/protocol/sync.js';
import { checkCredential } from '../engine/admin.js';
import { reportDeviceHealth } from '../engine/device-health.js';
import type { Actor, HubEngine } from '../engine/hub-engine.js';

const storeRoom = (storeId: string): string => `store:${storeId}`;
const deviceRoom = (deviceId: string): string => `device:${deviceId}`;

/** Commands applied in one group-commit transaction at most (see flush). */
const MAX_BATCH = 32;
/** How often the hub looks for changes another process (the CLI) appended to the log. */
const TAIL_INTERVAL_MS = 500;

export interface SyncServer {
  io: Server;
  /** `listener` hears each device health report once it is stored (the fleet watcher). */
  onHealthReport(listener: (entry: DeviceHealthEntry) => void): () => void;
  close(): Promise<void>;
}

type Ack = (response: unknown) => void;

function describeIssues(error: {
  issues: readonly { path: PropertyKey[]; message: string }[];
}): string {
  const first = error.issues[0];
  if (first === undefined) return 'The payload does not fit the protocol.';
  const where = first.path.length > 0 ? first.path.map(String).join('.') : 'payload';
  return `${where}: ${first.message}`;
}

export interface SyncOptions {
  /** Relays room broadcasts to the other hub nodes (Postgres); none on a single node. */
  adapter?: ServerOptions['adapter'] | undefined;
}

export async function attachSync(
  httpServer: HttpServer,
  engine: HubEngine,
  options: SyncOptions = {},
): Promise<SyncServer> {
  const io = new Server(httpServer, {
    maxHttpBufferSize: MAX_SYNC_PAYLOAD_BYTES,
    serveClient: false,
    // Resends are the outbox's job, not the library's.
    connectionStateRecovery: undefined,
    ...(options.adapter === undefined ? {} : { adapter: options.adapter }),
  });
  const nsp = io.of(SYNC_NAMESPACE);
  const published = new Map<string, LogPosition>();
  for (const [storeId, head] of await engine.repo.heads()) published.set(storeId, head);

  // A device's record changed: its live sockets whose credential no longer passes (`device
  // reset`) are closed, so a revoked token stops working at once; so are those joined to another
  // store (moved), which then ask for their record again and join the right room.
  const recheckSockets = async (device: Device): Promise<void> => {
    for (const socketId of [...(nsp.adapter.rooms.get(deviceRoom(device.id)) ?? [])]) {
      const socket = nsp.sockets.get(socketId);
      if (socket === undefined) continue;
      const credential = DeviceCredentialSchema.safeParse(socket.handshake.auth);
      const joined = socket.data.device as Device;
      if (
        !credential.success ||
        !(await checkCredential(engine, credential.data)).ok ||
        joined.storeId !== device.storeId
      ) {
        socket.disconnect(true);
      }
    }
  };

  // This node's commits go to the store's room on every node (through the adapter, if any);
  // what the tail finds is emitted to this node's sockets only, as every node tails for itself.
  const broadcastTo = (emitter: Pick<typeof nsp, 'to'>, changes: readonly Change[]): void => {
    for (const change of changes) {
      emitter.to(storeRoom(change.storeId)).emit(SyncEvents.change, change);
      published.set(change.storeId, { epoch: change.epoch, seq: change.seq });
      if (change.entity.kind === 'device_removed') {
        nsp.in(deviceRoom(change.entity.id)).disconnectSockets(true);
      } else if (change.entity.kind === 'device') {
        // A failed check leaves the socket as it is; its next command is checked again.
        recheckSockets(change.entity.device).catch(() => {});
      }
    }
  };
  const unsubscribe = engine.onChanges((changes) => broadcastTo(nsp, changes));

  // Changes appended by another process (the CLI, or another hub node on Postgres) are
  // broadcast when seen, in order: on several nodes this is the slow path behind the relay.
  let tailing = false;
  const tailLog = async (): Promise<void> => {
    for (const [storeId, head] of await engine.repo.heads()) {
      const last = published.get(storeId);
      if (last !== undefined && last.epoch === head.epoch && last.seq >= head.seq) continue;
      const from = last !== undefined && last.epoch === head.epoch ? last.seq : 0;
      broadcastTo(nsp.local, await engine.repo.changesSince(storeId, head.epoch, from, 5000));
    }
  };
  const tail = setInterval(() => {
    if (tailing) return;
    tailing = true;
    tailLog()
      // A busy database is retried at the next tick.
      .catch(() => {})
      .finally(() => (tailing = false));
  }, TAIL_INTERVAL_MS);
  tail.unref();

  const healthListeners = new Set<(entry: DeviceHealthEntry) => void>();

  // Group commit: commands that arrive while a batch is being written (the event loop is busy
  // with its fsync, or the database is away committing it) are applied together in the next
  // batch, in arrival order, in one transaction; each is acked with its own result once its
  // batch is durable. One batch per queue is in flight at a time, of at most MAX_BATCH
  // commands: on Postgres each command costs round trips, and an unbounded burst would hold
  // every ack until the whole burst is written. SQLite has one writer: one queue for all
  // stores. Postgres locks per store: a queue per store, so stores never wait on each other.
  type Pending = { actor: Actor; envelope: CommandEnvelope; ack: Ack };
  const queues = new Map<string, Pending[]>();
  const flush = async (key: string, pending: Pending[]): Promise<void> => {
    while (pending.length > 0) {
      const batch = pending.splice(0, MAX_BATCH);
      let results: CommandResult[];
      try {
        results = await engine.applyCommands(batch);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        results = batch.map(() => ({ ok: false, refusal: { code: 'internal', message } }));
      }
      batch.forEach((command, i) => command.ack(results[i]));
    }
    queues.delete(key);
  };
  const enqueue = (storeId: string, command: Pending): void => {
    const key = engine.repo.parallelStores ? storeId : '';
    const pending = queues.get(key);
    if (pending !== undefined) {
      pending.push(command);
      return;
    }
    const fresh = [command];
    queues.set(key, fresh);
    setImmediate(() => void flush(key, fresh));
  };

  nsp.use((socket, next) => {
    const parsed = DeviceCredentialSchema.safeParse(socket.handshake.auth);
    const refuse = (reason: string): void => {
      const error = new Error(reason) as Error & { data?: unknown };
      error.data = { reason };
      next(error);
    };
    if (!parsed.success) return refuse('bad_credential');
    checkCredential(engine, parsed.data).then(
      (check) => {
        if (!check.ok) return refuse(check.reason);
        socket.data.device = check.device;
        next();
      },
      (error: unknown) => next(error instanceof Error ? error : new Error(String(error))),
    );
  });

  nsp.on('connection', (socket: Socket) => {
    const device = socket.data.device as Device;
    void socket.join([storeRoom(device.storeId), deviceRoom(device.id)]);
    const actor = { deviceId: device.id, origin: device.id };

    const withAck =
      (handler: (raw: unknown) => Promise<unknown>) =>
      (...args: unknown[]): void => {
        const ack = args.at(-1);
        // Without an ack there is nobody to tell the result to: change nothing.
        if (typeof ack !== 'function') return;
        const raw = args.length > 1 ? args[0] : undefined;
        handler(raw).then(
          (response) => (ack as Ack)(response),
          (error: unknown) =>
            (ack as Ack)({
              ok: false,
              refusal: {
                code: 'internal',
                message: error instanceof Error ? error.message : String(error),
              },
            }),
        );
      };

    socket.on(SyncEvents.command, (...args: unknown[]): void => {
      const ack = args.at(-1);
      // Without an ack there is nobody to tell the result to: change nothing.
      if (typeof ack !== 'function') return;
      const envelope = CommandEnvelopeSchema.safeParse(args.length > 1 ? args[0] : undefined);
      if (!envelope.success) {
        (ack as Ack)({
          ok: false,
          refusal: { code: 'invalid', message: describeIssues(envelope.error) },
        });
        return;
      }
      enqueue(device.storeId, { actor, envelope: envelope.data, ack: ack as Ack });
    });
    socket.on(
      SyncEvents.pull,
      withAck(async (raw): Promise<PullResponse> => {
        const request = PullRequestSchema.safeParse(raw);
        if (!request.success) {
          return {
            ok: false,
            refusal: { code: 'invalid', message: describeIssues(request.error) },
          };
        }
        return engine.pull(device.storeId, request.data.since, request.data.limit);
      }),
    );
    socket.on(
      SyncEvents.health,
      withAck(async (raw): Promise<HealthAck> => {
        const health = DeviceHealthSchema.safeParse(raw);
        if (!health.success) {
          return { ok: false, refusal: { code: 'invalid', message: describeIssues(health.error) } };
        }
        const { entry, changed } = await reportDeviceHealth(
          engine.repo,
          device,
          health.data,
          new Date(),
          handshakeVersion(socket.handshake.auth),
        );
        if (changed) nsp.to(storeRoom(device.storeId)).emit(SyncEvents.deviceHealth, entry);
        for (const listener of healthListeners) listener(entry);
        return { ok: true, entry };
      }),
    );
    socket.on(
      SyncEvents.snapshot,
      withAck(async (): Promise<SnapshotResponse> => {
        const snapshot = await engine.snapshot(device.storeId);
        if (snapshot === null)
          return { ok: false, refusal: { code: 'not_found', message: 'Unknown store.' } };
        return snapshot;
      }),
    );
  });

  return {
    io,
    onHealthReport: (listener) => {
      healthListeners.add(listener);
      return () => healthListeners.delete(listener);
    },
    close: async () => {
      clearInterval(tail);
      unsubscribe();
      io.disconnectSockets(true);
      nsp.disconnectSockets(true);
      await new Promise<void>((resolve) => {
        io.engine.close();
        resolve();
      });
    },
  };
}
