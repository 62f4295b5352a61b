// Hub throughput and latency of register + call_next through socket.io, beside two baselines
// measured in the same run on the same machine: a raw socket.io echo round trip (transport
// cost) and a raw SQLite commit in WAL with synchronous=FULL (durability cost).
//   node --import tsx bench/hub-sync.ts [--ops N] [--concurrency C]
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { Server } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import { openHubRepo } from '../cloud/db/sqlite-hub-repo.js';
import { addDevice, claimCredential, seedStore } from '../cloud/engine/admin.js';
import { HubEngine } from '../cloud/engine/hub-engine.js';
import type { CommandResult, DeviceCredential } from '../shared/protocol/sync.js';

const ROOT = resolve(import.meta.dirname, '..');

interface Stats {
  opsPerSecond: number;
  p50: number;
  p99: number;
}

function stats(latenciesMs: number[], wallMs: number): Stats {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { opsPerSecond: (latenciesMs.length / wallMs) * 1000, p50: at(0.5), p99: at(0.99) };
}

/** Runs `op` `total` times with `concurrency` in flight; latency of each, and the wall time. */
async function measure(
  total: number,
  concurrency: number,
  op: (i: number) => Promise<void>,
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

async function startProcess(
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

async function stop(proc: ChildProcess): Promise<void> {
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
}

async function connect(url: string, auth?: DeviceCredential): Promise<Socket> {
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

/** The echo baseline's server, run in its own process like the hub. */
async function echoServer(): Promise<void> {
  const http = createServer();
  const server = new Server(http, { serveClient: false });
  server
    .of('/sync')
    .on('connection', (s) =>
      s.on('command', (payload: unknown, ack: (r: unknown) => void) => ack(payload)),
    );
  http.listen(0, '127.0.0.1', () => {
    const a = http.address();
    process.stdout.write(
      `echo listening on http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}\n`,
    );
  });
  process.on('SIGTERM', () => {
    void server.close();
    process.exit(0);
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { ops: { type: 'string' }, concurrency: { type: 'string' }, role: { type: 'string' } },
  });
  if (values.role === 'echo') return echoServer();
  const total = Number(values.ops ?? 2000);
  const concurrency = Number(values.concurrency ?? 8);

  // Raw SQLite commit, same pragmas as the hub's log.
  const dir = mkdtempSync(join(tmpdir(), 'lineup-bench-'));
  const raw = new Database(join(dir, 'raw.sqlite'));
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  raw.exec('CREATE TABLE log (seq INTEGER PRIMARY KEY, data TEXT NOT NULL)');
  const insert = raw.prepare('INSERT INTO log (data) VALUES (?)');
  const payload = JSON.stringify({
    event: 'registered',
    customer: { id: randomUUID(), name: 'x'.repeat(200) },
  });
  const sqlite = await measure(total, 1, async () => {
    raw.transaction(() => insert.run(payload)).immediate();
  });
  raw.close();

  // Raw socket.io echo round trip.
  const echo = await startProcess(
    ['--import', 'tsx', 'bench/hub-sync.ts', '--role', 'echo'],
    /echo listening on (\S+)/,
  );
  const echoSocket = await connect(`${echo.url}/sync`);
  const envelope = {
    id: randomUUID(),
    issuedAt: new Date().toISOString(),
    type: 'call_next',
    payload: {},
  };
  const echoStats = await measure(total, concurrency, async () => {
    await echoSocket.emitWithAck('command', envelope);
  });
  echoSocket.disconnect();
  await stop(echo.proc);

  // The hub: register then call_next, each a durable, sequenced, broadcast command.
  const dataDir = join(dir, 'hub');
  const repo = openHubRepo(dataDir);
  const engine = new HubEngine(repo);
  seedStore(engine);
  // Each device claims its credential once, as its runtime would with POST /provision.
  const claim = (deviceId: string): DeviceCredential => {
    const credential = claimCredential(engine, deviceId);
    if (credential === null) throw new Error(`${deviceId} already claimed its credential`);
    return credential;
  };
  const kiosk = claim(
    addDevice(engine, {
      storeId: 'demo-store',
      mac: '02:00:00:00:30:01',
      hostname: 'bench-kiosk',
      role: 'machine',
    }).device.id,
  );
  const desk = claim(
    addDevice(engine, {
      storeId: 'demo-store',
      mac: '02:00:00:00:30:02',
      hostname: 'bench-desk',
      role: 'desk',
      serviceIds: ['demo-new-phone'],
    }).device.id,
  );
  repo.close();
  const hub = await startProcess(
    ['bin/lineup-hub.js', 'serve', '--data', dataDir, '--port', '0'],
    /Lineup hub listening on (\S+)/,
  );
  const k = await connect(`${hub.url}/sync`, kiosk);
  const d = await connect(`${hub.url}/sync`, desk);
  const command = async (s: Socket, type: string, p: unknown): Promise<void> => {
    const r = (await s.emitWithAck('command', {
      id: randomUUID(),
      issuedAt: new Date().toISOString(),
      type,
      payload: p,
    })) as CommandResult;
    if (!r.ok && r.refusal.code !== 'queue_empty') throw new Error(r.refusal.message);
  };
  const register = {
    serviceId: 'demo-new-phone',
    lang: 'EN',
    contactMode: 'name',
    contact: { name: 'Bench Customer' },
  };
  const pairs = await measure(Math.floor(total / 2), concurrency, async () => {
    await command(k, 'register', register);
    await command(d, 'call_next', {});
  });
  k.disconnect();
  d.disconnect();
  await stop(hub.proc);
  rmSync(dir, { recursive: true, force: true });

  const row = (name: string, s: Stats) =>
    `${name.padEnd(34)} ${s.opsPerSecond.toFixed(0).padStart(8)} ops/s   p50 ${s.p50.toFixed(2).padStart(7)} ms   p99 ${s.p99.toFixed(2).padStart(7)} ms`;
  console.log(`hub-sync bench: ${total} ops, concurrency ${concurrency}, node ${process.version}`);
  console.log(row('raw SQLite commit (WAL, FULL)', sqlite));
  console.log(row('raw socket.io echo round trip', echoStats));
  console.log(row('hub register+call_next (pair)', pairs));
  console.log(
    `ratios: pair p50 / echo p50 = ${(pairs.p50 / echoStats.p50).toFixed(1)}x, pair p50 / SQLite commit p50 = ${(pairs.p50 / sqlite.p50).toFixed(1)}x, ` +
      `pair ops/s / echo ops/s = ${(pairs.opsPerSecond / echoStats.opsPerSecond).toFixed(3)}`,
  );
}

await main();
