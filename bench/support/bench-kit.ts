// What the hub benches share: latency statistics, a bounded-concurrency driver, the two
// baselines measured in the same run (a raw SQLite FULL commit and a raw socket.io round trip),
// and starting processes and sockets. Not a bench itself (bench/run-all.ts runs bench/*.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { io, type Socket } from 'socket.io-client';
import { addDevice, claimCredential, seedStore } from '../../cloud/engine/admin.js';
import type { HubEngine } from '../../cloud/engine/hub-engine.js';
import type { DeviceCredential } from '../../shared/protocol/sync.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');

export interface Stats {
  opsPerSecond: number;
  p50: number;
  p99: number;
  mean: number;
}

export function stats(latenciesMs: number[], wallMs: number): Stats {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const mean = sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length);
  return { opsPerSecond: (latenciesMs.length / wallMs) * 1000, p50: at(0.5), p99: at(0.99), mean };
}

/** Runs `op` `total` times with `concurrency` in flight; latency of each, and the wall time. */
export async function measure(
  total: number,
  concurrency: number,
  op: (i: number) => Promise<void> | void,
): Promise<Stats> {
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        await op(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return stats(latencies, performance.now() - start);
}

/** A raw SQLite commit in WAL with synchronous=FULL, the hub's pragmas: the durability cost. */
export async function rawCommitBaseline(dir: string, total: number): Promise<Stats> {
  const raw = new Database(join(dir, 'raw.sqlite'));
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  raw.exec('CREATE TABLE log (seq INTEGER PRIMARY KEY, data TEXT NOT NULL)');
  const insert = raw.prepare('INSERT INTO log (data) VALUES (?)');
  const payload = JSON.stringify({
    event: 'registered',
    customer: { id: randomUUID(), name: 'x'.repeat(200) },
  });
  try {
    return await measure(total, 1, () => {
      raw.transaction(() => insert.run(payload)).immediate();
    });
  } finally {
    raw.close();
  }
}

/** A raw socket.io round trip to a server in its own process: the transport cost. */
export async function echoBaseline(total: number, concurrency: number): Promise<Stats> {
  const echo = await startProcess(
    ['--import', 'tsx', 'bench/support/echo-server.ts'],
    /echo listening on (\S+)/,
  );
  const socket = await connect(`${echo.url}/sync`);
  const envelope = {
    id: randomUUID(),
    issuedAt: new Date().toISOString(),
    type: 'call_next',
    payload: {},
  };
  try {
    return await measure(total, concurrency, async () => {
      await socket.emitWithAck('command', envelope);
    });
  } finally {
    socket.disconnect();
    await stop(echo.proc);
  }
}

export async function startProcess(
  args: string[],
  ready: RegExp,
): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((res, rej) => {
    let out = '';
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m?.[1] !== undefined) res(m[1]);
    });
    proc.once('exit', (code) => rej(new Error(`exited with ${String(code)}`)));
  });
  return { proc, url };
}

/** The real hub (bin/lineup-hub.js) on `dataDir`; `nodeArgs` e.g. --cpu-prof. */
export function startHubProcess(
  dataDir: string,
  nodeArgs: string[] = [],
): Promise<{ proc: ChildProcess; url: string }> {
  return startProcess(
    [...nodeArgs, 'bin/lineup-hub.js', 'serve', '--data', dataDir, '--port', '0'],
    /Lineup hub listening on (\S+)/,
  );
}

export async function stop(proc: ChildProcess): Promise<void> {
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
}

export async function connect(url: string, auth?: DeviceCredential): Promise<Socket> {
  const socket = io(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    ...(auth ? { auth } : {}),
  });
  await new Promise<void>((res, rej) => {
    socket.once('connect', () => res());
    socket.once('connect_error', rej);
  });
  return socket;
}

export interface BenchDevices {
  kiosk: DeviceCredential;
  desk: DeviceCredential;
  screen: DeviceCredential;
}

/**
 * Seeds the demo store in `engine` with a kiosk, a desk serving `deskServices` and a screen,
 * each claiming its credential once (as its runtime would with POST /provision).
 */
export async function addBenchDevices(
  engine: HubEngine,
  deskServices: string[],
): Promise<BenchDevices> {
  await seedStore(engine);
  const claim = async (input: Parameters<typeof addDevice>[1]): Promise<DeviceCredential> => {
    const credential = await claimCredential(engine, (await addDevice(engine, input)).device.id);
    if (credential === null) throw new Error(`${input.hostname} already claimed its credential`);
    return credential;
  };
  const device = (n: number, role: 'machine' | 'desk' | 'screen', serviceIds: string[] = []) =>
    claim({
      storeId: 'demo-store',
      mac: `02:00:00:00:30:0${n}`,
      hostname: `bench-${role}`,
      role,
      serviceIds,
    });
  return {
    kiosk: await device(1, 'machine'),
    desk: await device(2, 'desk', deskServices),
    screen: await device(3, 'screen'),
  };
}
