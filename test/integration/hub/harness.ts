// Starts the real hub process (bin/lineup-hub.js) on a free port with a temp data dir, and
// connects real socket.io clients to it.
import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import type { z } from 'zod';
import {
  SYNC_NAMESPACE,
  type CommandSchema,
  type CommandResult,
  type DeviceCredential,
  type ProvisionResponse,
} from '../../../shared/protocol/sync.js';
import { newHubData } from '../../support/hub-engine.js';
import { removeDirs, runBin, startHub, type BinResult } from '../../support/processes.js';

export { DEMO } from '../../support/processes.js';

/** A fresh place for a hub's data, on the engine the suite runs on (support/hub-engine.ts). */
export function tempDataDir(): string {
  return newHubData('hub-test');
}

export function removeDir(dir: string): void {
  removeDirs([dir]);
}

export type CliResult = BinResult;

export function runCli(args: string[]): CliResult {
  return runBin('lineup-hub.js', args, 30_000);
}

export interface HubProcess {
  url: string;
  dataDir: string;
  /** SIGTERM, and wait for a clean exit: resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: the hub dies without any chance to flush. */
  kill9(): Promise<void>;
}

export async function startHubProcess(
  dataDir: string,
  extra: readonly string[] = [],
): Promise<HubProcess> {
  const hub = await startHub(dataDir, 0, extra);
  return {
    url: hub.url,
    dataDir,
    stop: async () => {
      hub.child.kill('SIGTERM');
      return hub.exited;
    },
    kill9: () => hub.kill9(),
  };
}

export async function provisionDevice(
  url: string,
  mac: string,
  hostname: string,
): Promise<ProvisionResponse> {
  const res = await fetch(`${url}/provision`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ macs: [mac], hostname }),
  });
  return (await res.json()) as ProvisionResponse;
}

export async function credentialFor(
  url: string,
  who: { mac: string; hostname: string },
): Promise<DeviceCredential> {
  const r = await provisionDevice(url, who.mac, who.hostname);
  if (r.status !== 'provisioned') throw new Error(`not provisioned: ${r.message}`);
  return r.credential;
}

export function connect(url: string, auth: unknown): Socket {
  return io(`${url}${SYNC_NAMESPACE}`, {
    auth: auth as Record<string, unknown>,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
}

export async function connected(socket: Socket): Promise<void> {
  if (socket.connected) return;
  await new Promise<void>((res, rej) => {
    socket.once('connect', () => res());
    socket.once('connect_error', (e) => rej(e));
  });
}

export async function connectDevice(url: string, credential: DeviceCredential): Promise<Socket> {
  const socket = connect(url, credential);
  await connected(socket);
  return socket;
}

/** A command as a device writes it (defaults not filled in yet). */
export type CommandInput = z.input<typeof CommandSchema>;

export function envelope(command: CommandInput, id: string = randomUUID()) {
  return { id, issuedAt: new Date().toISOString(), ...command };
}

export async function send(
  socket: Socket,
  command: CommandInput,
  id?: string,
): Promise<CommandResult> {
  return (await socket
    .timeout(20_000)
    .emitWithAck('command', envelope(command, id))) as CommandResult;
}

export async function ask<T>(socket: Socket, event: string, payload?: unknown): Promise<T> {
  return (await socket.timeout(20_000).emitWithAck(event, payload ?? {})) as T;
}
