// The sync client against a scripted hub on a real socket.io server in this process: what it
// sends on connect (pull or snapshot first, then the outbox in order), and what it does with
// each answer. The real hub is exercised in test/integration/runtime.
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';
import {
  SYNC_NAMESPACE,
  SyncEvents,
  type CommandEnvelope,
  type CommandResult,
  type Refusal,
} from '../../../shared/protocol/sync.js';
import { createLogger } from '../../../main/common/logger.js';
import { SyncClient } from '../../../main/sync/sync-client.js';
import type { OutboxEntry } from '../../../main/local-db/local-db.js';
import { anonymousRegister, hubCustomer, openSeam, snapshot, type Seam } from './runtime-seam.js';
import { waitFor } from '../../support/processes.js';

interface ScriptedServer {
  url: string;
  received: string[];
  close(): Promise<void>;
}

async function startScriptedHub(
  answer: (envelope: CommandEnvelope) => CommandResult,
  snapshotAnswer: () => unknown = () => snapshot,
): Promise<ScriptedServer> {
  const http: HttpServer = createServer();
  const io = new Server(http);
  const received: string[] = [];
  io.of(SYNC_NAMESPACE).on('connection', (socket) => {
    socket.on(SyncEvents.snapshot, (_p: unknown, ack: (a: unknown) => void) => {
      received.push('snapshot');
      ack(snapshotAnswer());
    });
    socket.on(SyncEvents.pull, (_p: unknown, ack: (a: unknown) => void) => {
      received.push('pull');
      ack({ ok: true, changes: [], head: snapshot.position });
    });
    socket.on(SyncEvents.command, (envelope: CommandEnvelope, ack: (a: unknown) => void) => {
      received.push(envelope.type);
      ack(answer(envelope));
    });
  });
  await new Promise<void>((ok) => http.listen(0, '127.0.0.1', ok));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: async () => {
      await io.close();
    },
  };
}

const seams: Seam[] = [];
const clients: SyncClient[] = [];
const servers: ScriptedServer[] = [];
afterEach(async () => {
  clients.splice(0).forEach((c) => c.stop());
  for (const s of servers.splice(0)) await s.close();
  seams.splice(0).forEach((s) => s.close());
});

const position = { epoch: 'e1', seq: 2 };
const command = (type: 'cancel' | 'finish', customerId: string): CommandEnvelope => ({
  id: crypto.randomUUID(),
  issuedAt: new Date().toISOString(),
  type,
  payload: { customerId },
});

function connect(seam: Seam, server: ScriptedServer) {
  const refused: { entry: OutboxEntry; refusal: Refusal; awaited: boolean }[] = [];
  const client = new SyncClient({
    hubUrl: server.url,
    credential: { deviceId: 'kiosk-1', token: 'x'.repeat(32) },
    db: seam.db,
    log: createLogger({ quiet: true }),
    ackTimeoutMs: 1000,
    reconnectDelayMaxMs: 100,
    hooks: {
      onApplied: () => undefined,
      onStatus: () => undefined,
      onCredentialRefused: () => undefined,
      onOutboxRefused: (entry, refusal, awaited) => refused.push({ entry, refusal, awaited }),
    },
  });
  clients.push(client);
  client.start();
  return { client, refused };
}

describe('sync client', () => {
  it('catches up first, then sends the outbox in order; a refusal is handed back once', async () => {
    const seam = openSeam(() => {
      throw new Error('unused');
    });
    seams.push(seam);
    const first = command('finish', 'c1');
    const second = command('cancel', 'c2');
    seam.db.queueCommand(first);
    seam.db.queueCommand(second);
    const server = await startScriptedHub((envelope) =>
      envelope.id === first.id
        ? { ok: false, refusal: { code: 'not_found', message: 'No such customer.' } }
        : { ok: true, position, customer: null, block: null },
    );
    servers.push(server);
    const { refused } = connect(seam, server);
    await waitFor('the outbox sent', () => seam.db.outboxCount() === 0);
    expect(server.received).toEqual(['pull', 'finish', 'cancel']);
    expect(refused.map((r) => [r.entry.envelope.id, r.refusal.code, r.awaited])).toEqual([
      [first.id, 'not_found', false],
    ]);
  });

  it('a register nobody saw the answer to is cancelled as soon as the hub accepts it', async () => {
    const seam = openSeam(() => {
      throw new Error('unused');
    });
    seams.push(seam);
    const ghost = hubCustomer('g1');
    const register: CommandEnvelope = {
      id: crypto.randomUUID(),
      issuedAt: new Date().toISOString(),
      type: 'register',
      payload: anonymousRegister,
    };
    seam.db.queueCommand(register);
    expect(seam.db.abandonPendingRegisters()).toBe(1);
    const server = await startScriptedHub((envelope) =>
      envelope.type === 'register'
        ? { ok: true, position, customer: ghost, block: null }
        : { ok: true, position: { epoch: 'e1', seq: 3 }, customer: null, block: null },
    );
    servers.push(server);
    connect(seam, server);
    await waitFor('the cancel sent', () => server.received.includes('cancel'));
    await waitFor('the outbox empty', () => seam.db.outboxCount() === 0);
    expect(server.received).toEqual(['pull', 'register', 'cancel']);
  });

  it('a refused snapshot leaves it not connected, and it asks again', async () => {
    const seam = openSeam(() => {
      throw new Error('unused');
    });
    seams.push(seam);
    seam.db.resetReplica();
    let refusals = 0;
    const server = await startScriptedHub(
      () => ({ ok: true, position, customer: null, block: null }),
      () =>
        refusals++ < 2
          ? { ok: false, refusal: { code: 'not_found', message: 'Unknown store.' } }
          : snapshot,
    );
    servers.push(server);
    const { client } = connect(seam, server);
    await waitFor('connected', () => client.connected);
    expect(server.received.slice(0, 3)).toEqual(['snapshot', 'snapshot', 'snapshot']);
    expect(seam.db.cursor()?.position).toEqual(snapshot.position);
  });
});
