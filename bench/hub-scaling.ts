// Does a command cost more as the store's day grows? Register + call next, with 10, 1,000 and
// 10,000 customers already in the day (90% served and done, 10% still waiting, over three
// services one desk serves), then the hub process end to end on the largest day:
// - per-pair cost in the engine (wall time including the FULL commits, and CPU time), one row
//   per day size, as a ratio of the 10-customer row (goal: within 2x at 10,000);
// - durable hub commands per second through socket.io (8 in flight) as a share of the raw
//   FULL-commit rate measured in the same run (goal >= 40%);
// - call next -> the screen hears `called`: p99 against a raw socket.io round trip + one raw
//   commit, both p99 of the same run (goal <= 3x).
//   node --import tsx bench/hub-scaling.ts [--pairs N]
// Profiling notes are in bench/hub-sync.ts.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Socket } from 'socket.io-client';
import { openHubRepo } from '../cloud/db/sqlite-hub-repo.js';
import { HubEngine, type Actor } from '../cloud/engine/hub-engine.js';
import {
  CommandEnvelopeSchema,
  type Change,
  type CommandEnvelope,
  type CommandResult,
} from '../shared/protocol/sync.js';
import {
  addBenchDevices,
  connect,
  echoBaseline,
  measure,
  rawCommitBaseline,
  startHubProcess,
  stats,
  stop,
  type BenchDevices,
  type Stats,
} from './support/bench-kit.js';

const SERVICES = ['demo-new-phone', 'demo-accessories', 'demo-repair'];
const DAY_SIZES = [10, 1_000, 10_000];

const registerPayload = (i: number) => ({
  serviceId: SERVICES[i % SERVICES.length],
  lang: 'EN',
  contactMode: 'name',
  contact: { name: `Customer ${i}` },
});

/** A command as the sync server hands it to the engine: parsed, defaults filled. */
function envelope(type: string, payload: unknown): CommandEnvelope {
  return CommandEnvelopeSchema.parse({
    id: randomUUID(),
    issuedAt: new Date().toISOString(),
    type,
    payload,
  });
}

function applied(result: CommandResult): void {
  if (!result.ok && result.refusal.code !== 'queue_empty') throw new Error(result.refusal.message);
}

/** A store whose day already has `size` customers, 10% of them still waiting. */
async function prefilledHub(dataDir: string, size: number) {
  const repo = openHubRepo(dataDir);
  const engine = new HubEngine(repo);
  const devices = await addBenchDevices(engine, SERVICES);
  const kiosk: Actor = { deviceId: devices.kiosk.deviceId, origin: devices.kiosk.deviceId };
  const desk: Actor = { deviceId: devices.desk.deviceId, origin: devices.desk.deviceId };
  // One batch, so one transaction (one fsync) for the whole prefill: each command has its
  // own savepoint, in order.
  const batch = [
    ...Array.from({ length: size }, (_, i) => ({
      actor: kiosk,
      envelope: envelope('register', registerPayload(i)),
    })),
    ...Array.from({ length: Math.floor(size * 0.9) }, () => ({
      actor: desk,
      envelope: envelope('call_next', {}),
    })),
  ];
  for (const result of await engine.applyCommands(batch)) applied(result);
  return { repo, engine, kiosk, desk, devices };
}

async function endToEnd(
  dataDir: string,
  devices: BenchDevices,
  commit: Stats,
  echo: Stats,
): Promise<void> {
  const hub = await startHubProcess(dataDir);
  const [kiosk, desk, screen] = await Promise.all([
    connect(`${hub.url}/sync`, devices.kiosk),
    connect(`${hub.url}/sync`, devices.desk),
    connect(`${hub.url}/sync`, devices.screen),
  ]);
  const send = async (socket: Socket, type: string, payload: unknown): Promise<void> => {
    applied((await socket.emitWithAck('command', envelope(type, payload))) as CommandResult);
  };
  try {
    const commands = await measure(1000, 8, (i) =>
      i % 2 === 0 ? send(kiosk, 'register', registerPayload(i)) : send(desk, 'call_next', {}),
    );
    // Call next, one at a time (the queue has hundreds waiting): until the screen hears it.
    const latencies: number[] = [];
    for (let i = 0; i < 300; i++) {
      const command = envelope('call_next', {});
      const heard = new Promise<void>((resolve) => {
        const onChange = (change: Change): void => {
          if (change.commandId !== command.id || change.event !== 'called') return;
          screen.off('change', onChange);
          resolve();
        };
        screen.on('change', onChange);
      });
      const t0 = performance.now();
      desk.emit('command', command, (r: CommandResult) => applied(r));
      await heard;
      latencies.push(performance.now() - t0);
    }
    const toScreen = stats(latencies, 1);
    const share = commands.opsPerSecond / commit.opsPerSecond;
    const budget = echo.p99 + commit.p99;
    console.log(
      `durable hub commands (socket.io, 8 in flight, ${DAY_SIZES.at(-1)}-customer day): ${commands.opsPerSecond.toFixed(0)}/s = ${(share * 100).toFixed(0)}% of the raw FULL-commit rate (goal >= 40%)`,
    );
    console.log(
      `call next -> screen hears it: p50 ${toScreen.p50.toFixed(2)} ms, p99 ${toScreen.p99.toFixed(2)} ms = ${(toScreen.p99 / budget).toFixed(2)}x (raw round trip p99 + one commit p99 = ${budget.toFixed(2)} ms; goal <= 3x)`,
    );
  } finally {
    for (const socket of [kiosk, desk, screen]) socket.disconnect();
    await stop(hub.proc);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { pairs: { type: 'string' } } });
  const pairs = Number(values.pairs ?? 300);
  const dir = mkdtempSync(join(tmpdir(), 'lineup-scaling-'));
  try {
    const commit = await rawCommitBaseline(dir, 1000);
    const echo = await echoBaseline(1000, 1);
    console.log(
      `hub-scaling bench: ${pairs} register + call_next pairs per row, node ${process.version}`,
    );
    console.log(
      `raw SQLite commit (WAL, FULL): ${commit.opsPerSecond.toFixed(0)}/s, p50 ${commit.p50.toFixed(2)} ms, p99 ${commit.p99.toFixed(2)} ms; ` +
        `raw socket.io round trip: p50 ${echo.p50.toFixed(2)} ms, p99 ${echo.p99.toFixed(2)} ms`,
    );

    // 1. The engine, in process: cost per pair as the day grows.
    const rows: { size: number; wall: number; cpu: number }[] = [];
    let largest: { dataDir: string; devices: BenchDevices } | null = null;
    for (const size of DAY_SIZES) {
      const dataDir = join(dir, `day-${size}`);
      const { repo, engine, kiosk, desk, devices } = await prefilledHub(dataDir, size);
      let cpu = 0;
      const wall = await measure(pairs, 1, async (i) => {
        const before = process.cpuUsage();
        applied(await engine.applyCommand(kiosk, envelope('register', registerPayload(i))));
        applied(await engine.applyCommand(desk, envelope('call_next', {})));
        const used = process.cpuUsage(before);
        cpu += (used.user + used.system) / 1000;
      });
      await repo.close();
      rows.push({ size, wall: wall.p50, cpu: cpu / pairs });
      largest = { dataDir, devices };
    }
    const first = rows[0] as (typeof rows)[number];
    console.log('customers in the day   pair p50 (2 commits)   pair CPU mean   vs 10 (p50 / CPU)');
    for (const r of rows) {
      console.log(
        `${String(r.size).padStart(20)}   ${r.wall.toFixed(2).padStart(17)} ms   ${r.cpu.toFixed(2).padStart(10)} ms   ${(r.wall / first.wall).toFixed(2)}x / ${(r.cpu / first.cpu).toFixed(2)}x`,
      );
    }

    // 2. The hub process on the largest day.
    if (largest !== null) await endToEnd(largest.dataDir, largest.devices, commit, echo);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
