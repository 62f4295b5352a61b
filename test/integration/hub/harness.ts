// Starts the real hub process (bin/lineup-hub.js) on a free port with a temp data dir, and
// connects real socket.io clients to it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import type { z } from 'zod';
import {
  SYNC_NAMESPACE,
  type CommandSchema,
  type CommandResult,
  type DeviceCredential,
  type ProvisionResponse,
} from '../../../shared/protocol/sync.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const BIN = join(ROOT, 'bin/lineup-hub.js');

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'lineup-hub-test-'));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[]): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface HubProcess {
  url: string;
  dataDir: string;
  proc: ChildProcess;
  /** SIGTERM, and wait for a clean exit. */
  stop(): Promise<number | null>;
  /** SIGKILL: the hub dies without any chance to flush. */
  kill9(): Promise<void>;
}

export async function startHubProcess(dataDir: string): Promise<HubProcess> {
  const proc = spawn(
    process.execPath,
    [BIN, 'serve', '--data', dataDir, '--port', '0', '--host', '127.0.0.1'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((res) => proc.once('exit', (code) => res(code)));
  const url = await new Promise<string>((res, rej) => {
    let out = '';
    const timer = setTimeout(() => rej(new Error(`hub did not start: ${stderr}`)), 30_000);
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^Lineup hub listening on (http:\/\/\S+)$/m.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        res(m[1] as string);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      rej(new Error(`hub exited with ${String(code)}: ${stderr}`));
    });
  });
  return {
    url,
    dataDir,
    proc,
    stop: async () => {
      proc.kill('SIGTERM');
      return exited;
    },
    kill9: async () => {
      proc.kill('SIGKILL');
      await exited;
    },
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

export const DEMO = {
  kiosk: { mac: '02:00:00:00:00:01', hostname: 'lineup-kiosk-1' },
  desk1: { mac: '02:00:00:00:00:02', hostname: 'lineup-desk-1' },
  desk2: { mac: '02:00:00:00:00:03', hostname: 'lineup-desk-2' },
  screen: { mac: '02:00:00:00:00:04', hostname: 'lineup-screen-1' },
} as const;

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
