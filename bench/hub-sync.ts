// Hub throughput and latency of register + call_next through socket.io, beside two baselines
// measured in the same run on the same machine: a raw socket.io echo round trip (transport
// cost) and a raw SQLite commit in WAL with synchronous=FULL (durability cost).
//   node --import tsx bench/hub-sync.ts [--ops N] [--concurrency C] [--profile DIR]
// --profile DIR runs the hub process under `node --cpu-prof` (open the .cpuprofile in DevTools).
//
// What the profile showed (2,000 ops, concurrency 8, 2 shared cores, self time in the hub):
// - before issue 15: 42% the COMMIT itself (fsync), then ~15% reading and JSON-parsing rows
//   (`recentlyFinished`: 200 finished customers parsed on every register for observed service
//   times, plus every active customer through `activeCustomers` on every register and call,
//   so the hub's own work grew with the queue), ~2% estimates, ~2% zod.
// - after (indexed queue heads, counted people-before, only the two times of the service's 40
//   latest finished, each entity validated once): the COMMIT is 55-60% of the engine's time in
//   process; the rest is spread thin (append + entity upsert ~6%, reading rows ~5%, zod ~2%)
//   and no longer depends on the day's size (bench/hub-scaling.ts shows it). What remains is
//   durability: one fsync per commit. Socket commands that arrive while a batch is being
//   written now share the next commit (group commit in cloud/sync/sync-server.ts).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Socket } from 'socket.io-client';
import { openHubRepo } from '../cloud/db/sqlite-hub-repo.js';
import { HubEngine } from '../cloud/engine/hub-engine.js';
import type { CommandResult } from '../shared/protocol/sync.js';
import {
  addBenchDevices,
  connect,
  echoBaseline,
  measure,
  rawCommitBaseline,
  startHubProcess,
  stop,
  type Stats,
} from './support/bench-kit.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ops: { type: 'string' },
      concurrency: { type: 'string' },
      profile: { type: 'string' },
    },
  });
  const total = Number(values.ops ?? 2000);
  const concurrency = Number(values.concurrency ?? 8);

  const dir = mkdtempSync(join(tmpdir(), 'lineup-bench-'));
  const sqlite = await rawCommitBaseline(dir, total);
  const echoStats = await echoBaseline(total, concurrency);

  // The hub: register then call_next, each a durable, sequenced, broadcast command.
  const dataDir = join(dir, 'hub');
  const repo = openHubRepo(dataDir);
  const { kiosk, desk } = await addBenchDevices(new HubEngine(repo), ['demo-new-phone']);
  await repo.close();
  const profile =
    typeof values.profile === 'string' ? ['--cpu-prof', '--cpu-prof-dir', values.profile] : [];
  const hub = await startHubProcess(dataDir, profile);
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
