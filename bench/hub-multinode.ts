// Several hub nodes on one Postgres (issue 13). Four rows, each against a baseline of the same run:
// (a) durable device commands per second through a real `lineup-hub serve --db` node (socket.io,
//     8 in flight, a kiosk of each of 8 stores) vs a raw Postgres INSERT + COMMIT on the same
//     cluster, 8 in flight (goal >= 40 %); one store alone (its commands are sequenced); and
//     the raw commit behind socket.io in a process of its own (what the transport costs);
// (b) call next -> the screen hears `called` (p50/p99), screen on the other node vs the same node;
// (c) N device sockets (--sockets, default 10,000) held by one node, the clients spread over two
//     client processes (WebSocket only): the node's RSS (goal < 1.5 GB) and the time until every
//     socket has heard one change, vs the same for one socket;
// (d) 100 stores x 4 devices (2 kiosks registering, 2 desks calling) at once, spread over both
//     nodes: commands/s and p99 vs one store x 4 devices.
// Skipped with a line when no Postgres server is installed. The throw-away cluster is durable as
// in production (fsync, synchronous_commit on): both sides of (a) wait for the disk on commit,
// so the ratio says what the hub adds to a durable commit.
// Every wait has a timeout that prints what was reached; the cluster and every process are
// stopped on the way out.
//   node --import tsx bench/hub-multinode.ts [--sockets N] [--seconds S] [--stores N]
// (BENCH_DEBUG=1 prints progress lines.)
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { Socket } from 'socket.io-client';
import { addDevice, claimCredential, seedStore } from '../cloud/engine/admin.js';
import { openHubRepo } from '../cloud/db/open-hub-repo.js';
import { HubEngine } from '../cloud/engine/hub-engine.js';
import { demoStore } from '../shared/demo/demo-store.js';
import type { Change, CommandResult, DeviceCredential } from '../shared/protocol/sync.js';
import { postgresBinDir, startPostgres } from '../test/support/postgres.js';
import type { SwarmReply, SwarmRequest } from './support/socket-swarm.js';
import { ROOT, connect, startProcess, stats, stop, type Stats } from './support/bench-kit.js';

const { values } = parseArgs({
  options: { sockets: { type: 'string' }, seconds: { type: 'string' }, stores: { type: 'string' } },
});
const SOCKETS = Number(values.sockets ?? 10_000);
/** Call-next samples per side of (b). */
const CALLS = 50;
/** How long each side of (a) and (d) runs. */
const SECONDS = Number(values.seconds ?? 5);
const CLIENT_PROCESSES = 2;
/** Stores active at once in (d). */
const STORES = Number(values.stores ?? 100);
const SERVICE = 'new-phone';

class TimedOut extends Error {}

/** Progress lines, with BENCH_DEBUG=1. */
const debug = (line: string): void => {
  if (process.env.BENCH_DEBUG)
    console.log(`  [${(performance.now() / 1000).toFixed(1)} s] ${line}`);
};

/** `promise`, or a TimedOut saying `what` (and what was reached) after `ms`. */
async function within<T>(ms: number, what: () => string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new TimedOut(`timed out after ${ms} ms: ${what()}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const envelope = (type: string, payload: unknown) => ({
  id: randomUUID(),
  issuedAt: new Date().toISOString(),
  type,
  payload,
});
const register = (serviceId: string, name: string) =>
  envelope('register', { serviceId, lang: 'EN', contactMode: 'name', contact: { name } });

async function command(socket: Socket, body: ReturnType<typeof envelope>): Promise<void> {
  // A command never acked fails the row instead of hanging it.
  const result = (await socket.timeout(30_000).emitWithAck('command', body)) as CommandResult;
  if (!result.ok && result.refusal.code !== 'queue_empty') throw new Error(result.refusal.message);
}

interface BenchStore {
  serviceId: string;
  kiosks: DeviceCredential[];
  desks: DeviceCredential[];
  screen: DeviceCredential;
}

/** Store `n` (the demo store's configuration under new ids), 2 kiosks, 2 desks and a screen. */
async function addStore(engine: HubEngine, n: number): Promise<BenchStore> {
  const storeId = `bench-store-${n}`;
  const serviceId = `bench-${n}-${SERVICE}`;
  await seedStore(engine, {
    organization: demoStore.organization,
    store: { ...demoStore.store, id: storeId, storeCode: `BENCH-${n}` },
    services: demoStore.services
      .filter((s) => s.id === `demo-${SERVICE}`)
      .map((s) => ({ ...s, id: serviceId, storeId })),
    devices: [],
  });
  let made = 0;
  const claim = async (role: 'machine' | 'desk' | 'screen'): Promise<DeviceCredential> => {
    made += 1;
    const mac = `02:00:${[n >> 8, n & 255, 0, made].map((b) => b.toString(16).padStart(2, '0')).join(':')}`;
    const { device } = await addDevice(engine, {
      storeId,
      mac,
      hostname: `bench-${n}-${role}-${made}`,
      role,
      serviceIds: role === 'desk' ? [serviceId] : [],
    });
    const credential = await claimCredential(engine, device.id);
    if (credential === null) throw new Error(`${device.id} already claimed its credential`);
    return credential;
  };
  return {
    serviceId,
    kiosks: [await claim('machine'), await claim('machine')],
    desks: [await claim('desk'), await claim('desk')],
    screen: await claim('screen'),
  };
}

/** A real hub node on Postgres `url`. */
const startNode = (url: string) =>
  startProcess(
    ['bin/lineup-hub.js', 'serve', '--db', url, '--port', '0'],
    /Lineup hub listening on (\S+)/,
  );

function rssMb(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const line = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(line?.[1] ?? 0) / 1024;
}

/** Resolves when `socket` hears a change with `event`. */
function hears(socket: Socket, event: string): Promise<void> {
  return new Promise((resolve) => {
    const on = (change: Change) => {
      if (change.event !== event) return;
      socket.off('change', on);
      resolve();
    };
    socket.on('change', on);
  });
}

/** A client process holding sockets (bench/support/socket-swarm.ts), driven over IPC. */
class Swarm {
  readonly proc: ChildProcess;
  private readonly waiting: ((reply: SwarmReply) => void)[] = [];
  constructor() {
    this.proc = fork(join(ROOT, 'bench/support/socket-swarm.ts'), [], {
      cwd: ROOT,
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.proc.on('message', (reply: SwarmReply) => {
      const index = this.waiting.length > 0 ? 0 : -1;
      if (index >= 0) this.waiting.splice(index, 1)[0]?.(reply);
    });
  }
  /** Sends `request`, resolves with the next reply. */
  ask(request: SwarmRequest): Promise<SwarmReply> {
    const reply = new Promise<SwarmReply>((resolve) => this.waiting.push(resolve));
    this.proc.send(request);
    return reply;
  }
  /** Resolves with the next reply, sending nothing. */
  next(): Promise<SwarmReply> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }
  async status(): Promise<string> {
    const reply = await within(5000, () => 'no answer', this.ask({ kind: 'status' })).catch(
      () => null,
    );
    return reply?.kind === 'status'
      ? `${reply.connected} connected, ${reply.heard} heard, ${reply.dropped} dropped`
      : 'no status';
  }
}

const fmt = (ms: number) => (ms < 10 ? ms.toFixed(1) : ms.toFixed(0));
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a');

/** Workers in flight on each side of (a): raw committers, and hub commands. */
const IN_FLIGHT = 8;

async function rowA(
  url: string,
  nodeUrl: string,
  one: { kiosk: Socket; serviceId: string },
  stores: BenchStore[],
): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: IN_FLIGHT });
  const payload = JSON.stringify({ event: 'registered', customer: { name: 'x'.repeat(200) } });
  let raw: Stats;
  try {
    await pool.query('CREATE TABLE raw_log (seq bigserial PRIMARY KEY, data text NOT NULL)');
    raw = await runFor(SECONDS, IN_FLIGHT, async () => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('INSERT INTO raw_log (data) VALUES ($1)', [payload]);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    });
  } finally {
    await pool.end();
  }
  debug(`raw ${raw.opsPerSecond.toFixed(0)}/s`);
  // Where the gap is: the same commit behind socket.io, in a process of its own like the hub,
  // with none of the hub's work.
  const transport = await transportAndCommit(url);
  debug(`socket.io + raw commit ${transport.opsPerSecond.toFixed(0)}/s`);
  // The hub as a chain uses it: each worker a kiosk of its own store (stores commit side by
  // side, as the raw committers do).
  const spread = stores.slice(0, IN_FLIGHT);
  const kiosks = await Promise.all(spread.map((st) => connect(`${nodeUrl}/sync`, st.kiosks[0]!)));
  let i = 0;
  let hub: Stats;
  try {
    hub = await runFor(
      SECONDS,
      kiosks.map(
        (kiosk, n) => () => command(kiosk, register(spread[n]!.serviceId, `Bench ${i++}`)),
      ),
    );
  } finally {
    for (const kiosk of kiosks) kiosk.disconnect();
  }
  // One store: its commands are sequenced one after another (group commit batches them).
  const single = await runFor(SECONDS, IN_FLIGHT, () =>
    command(one.kiosk, register(one.serviceId, `Bench ${i++}`)),
  );
  console.log(
    `(a) durable commands/s on Postgres: hub ${hub.opsPerSecond.toFixed(0)}/s over ${spread.length} stores ` +
      `(p99 ${fmt(hub.p99)} ms) vs raw INSERT+COMMIT ${raw.opsPerSecond.toFixed(0)}/s (p99 ${fmt(raw.p99)} ms), ` +
      `${IN_FLIGHT} in flight each = ${((100 * hub.opsPerSecond) / raw.opsPerSecond).toFixed(0)} % (goal >= 40 %); ` +
      `one store ${single.opsPerSecond.toFixed(0)}/s (p99 ${fmt(single.p99)} ms) = ` +
      `${((100 * single.opsPerSecond) / raw.opsPerSecond).toFixed(0)} %; ` +
      `socket.io + raw commit (no hub work) ${transport.opsPerSecond.toFixed(0)}/s = ` +
      `${((100 * transport.opsPerSecond) / raw.opsPerSecond).toFixed(0)} %`,
  );
}

/** IN_FLIGHT sockets to bench/support/echo-server.ts committing each command raw on `url`. */
async function transportAndCommit(url: string): Promise<Stats> {
  const echo = await startProcess(
    ['--import', 'tsx', 'bench/support/echo-server.ts', '--pg', url],
    /echo listening on (\S+)/,
  );
  const sockets: Socket[] = [];
  try {
    for (let n = 0; n < IN_FLIGHT; n++) sockets.push(await connect(`${echo.url}/sync`));
    return await runFor(
      SECONDS,
      sockets.map((socket, n) => async () => {
        const body = register('bench-service', `Bench ${n}`);
        const echoed = (await socket.timeout(30_000).emitWithAck('command', body)) as {
          id?: string;
        };
        if (echoed.id !== body.id) throw new Error(`echo: ${JSON.stringify(echoed)}`);
      }),
    );
  } finally {
    for (const socket of sockets) socket.disconnect();
    await stop(echo.proc);
  }
}

async function rowB(
  nodes: { a: string; b: string },
  store: BenchStore,
  kiosk: Socket,
  desk: Socket,
): Promise<void> {
  const latency = async (screenUrl: string): Promise<Stats> => {
    const screen = await connect(`${screenUrl}/sync`, store.screen);
    const samples: number[] = [];
    try {
      for (let i = 0; i < CALLS; i++) {
        await command(kiosk, register(store.serviceId, `Call ${i}`));
        const heard = hears(screen, 'called');
        const t0 = performance.now();
        await command(desk, envelope('call_next', {}));
        await within(10_000, () => `sample ${i} of ${CALLS}`, heard);
        samples.push(performance.now() - t0);
      }
    } finally {
      screen.disconnect();
    }
    return stats(samples, 1);
  };
  const same = await latency(nodes.a);
  const across = await latency(nodes.b);
  console.log(
    `(b) call next -> screen: across nodes p50 ${fmt(across.p50)} / p99 ${fmt(across.p99)} ms ` +
      `vs same node p50 ${fmt(same.p50)} / p99 ${fmt(same.p99)} ms = ` +
      `${ratio(across.p50, same.p50)} (p50), ${ratio(across.p99, same.p99)} (p99)`,
  );
}

async function rowC(
  nodeB: { url: string; proc: ChildProcess },
  store: BenchStore,
  kiosk: Socket,
  swarms: Swarm[],
): Promise<void> {
  const oneSocket = await connect(`${nodeB.url}/sync`, store.screen);
  const one: number[] = [];
  for (let i = 0; i < 5; i++) {
    const heard = hears(oneSocket, 'registered');
    const t0 = performance.now();
    await command(kiosk, register(store.serviceId, `One ${i}`));
    await within(10_000, () => `one socket, change ${i}`, heard);
    one.push(performance.now() - t0);
  }
  oneSocket.disconnect();
  const rssBefore = rssMb(nodeB.proc.pid);

  // Connect in the client processes at once; each holds its share of the sockets.
  const share = Math.ceil(SOCKETS / swarms.length);
  const connectStarted = performance.now();
  const connected = await within(
    Math.max(60_000, SOCKETS * 20),
    () => `connecting ${SOCKETS} sockets`,
    Promise.all(
      swarms.map((s, i) =>
        s.ask({
          kind: 'connect',
          url: `${nodeB.url}/sync`,
          count: Math.min(share, SOCKETS - i * share),
          auth: store.screen,
        }),
      ),
    ),
  ).catch(async (error: unknown) => {
    const reached = await Promise.all(swarms.map((s) => s.status()));
    throw new Error(`${String(error)} (reached: ${reached.join('; ')})`);
  });
  for (const reply of connected) {
    if (reply.kind !== 'connected') throw new Error(`a client process: ${JSON.stringify(reply)}`);
  }
  const connectSeconds = (performance.now() - connectStarted) / 1000;
  const rss = rssMb(nodeB.proc.pid);

  const many: number[] = [];
  for (let i = 0; i < 5; i++) {
    for (const reply of await Promise.all(swarms.map((s) => s.ask({ kind: 'arm' })))) {
      if (reply.kind !== 'armed') throw new Error(`a client process: ${JSON.stringify(reply)}`);
    }
    const heard = Promise.all(swarms.map((s) => s.next()));
    const t0 = performance.timeOrigin + performance.now();
    await command(kiosk, register(store.serviceId, `Fan ${i}`));
    const replies = await within(60_000, () => `broadcast ${i}`, heard).catch(
      async (error: unknown) => {
        const reached = await Promise.all(swarms.map((s) => s.status()));
        throw new Error(`${String(error)} (reached: ${reached.join('; ')})`);
      },
    );
    const last = Math.max(...replies.map((r) => (r.kind === 'heard' ? r.at : Infinity)));
    many.push(last - t0);
  }
  const oneP50 = stats(one, 1).p50;
  const manyStats = stats(many, 1);
  console.log(
    `(c) ${SOCKETS} sockets on one node (${swarms.length} client processes, connected in ` +
      `${connectSeconds.toFixed(1)} s): RSS ${rss.toFixed(0)} MB (${rssBefore.toFixed(0)} MB ` +
      `before; goal < 1536 MB); all heard a change in p50 ${fmt(manyStats.p50)} / max ` +
      `${fmt(Math.max(...many))} ms vs ${fmt(oneP50)} ms for one socket = ${ratio(manyStats.p50, oneP50)}`,
  );
}

/** `workers` loops of `op` (one per entry if an array) for `seconds`: throughput and latency. */
async function runFor(
  seconds: number,
  workers: number | (() => Promise<void>)[],
  op?: () => Promise<void>,
): Promise<Stats> {
  const loops = typeof workers === 'number' ? Array.from({ length: workers }, () => op!) : workers;
  const latencies: number[] = [];
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    loops.map(async (run) => {
      while (performance.now() < end) {
        const t0 = performance.now();
        await run();
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return stats(latencies, performance.now() - start);
}

/** `stores` stores' kiosks and desks sending commands for SECONDS, spread over the nodes. */
async function activeStores(urls: string[], stores: BenchStore[]): Promise<Stats> {
  const sockets: Socket[] = [];
  const loops: (() => Promise<void>)[] = [];
  for (const [n, store] of stores.entries()) {
    const url = `${urls[n % urls.length]}/sync`;
    for (const kiosk of store.kiosks) {
      const socket = await connect(url, kiosk);
      sockets.push(socket);
      let i = 0;
      loops.push(() => command(socket, register(store.serviceId, `D ${n} ${i++}`)));
    }
    for (const desk of store.desks) {
      const socket = await connect(url, desk);
      sockets.push(socket);
      loops.push(() => command(socket, envelope('call_next', {})));
    }
  }
  try {
    return await runFor(SECONDS, loops);
  } finally {
    for (const socket of sockets) socket.disconnect();
  }
}

async function rowD(urls: string[], one: BenchStore, hundred: BenchStore[]): Promise<void> {
  const single = await activeStores(urls, [one]);
  const many = await activeStores(urls, hundred);
  console.log(
    `(d) ${hundred.length} stores x 4 devices at once: ${many.opsPerSecond.toFixed(0)} commands/s, ` +
      `p99 ${fmt(many.p99)} ms vs 1 store x 4 devices ${single.opsPerSecond.toFixed(0)}/s, ` +
      `p99 ${fmt(single.p99)} ms = ${ratio(many.opsPerSecond, single.opsPerSecond)} throughput, ` +
      `${ratio(many.p99, single.p99)} p99`,
  );
}

async function main(): Promise<void> {
  try {
    postgresBinDir();
  } catch {
    console.log(
      'hub-multinode: skipped (no Postgres server installed: apt-get install postgresql)',
    );
    return;
  }
  console.log(
    `hub-multinode bench: 2 hub nodes on one throw-away Postgres (durable: fsync on), node ${process.version}, ` +
      `${SOCKETS} sockets, ${SECONDS} s per side of (a) and (d)`,
  );
  const cluster = await startPostgres({ durable: true });
  const procs: ChildProcess[] = [];
  const swarms: Swarm[] = [];
  const sockets: Socket[] = [];
  // Ctrl-C or a kill: stop the children first; the cluster goes with the 'exit' handler.
  const bail = () => {
    for (const proc of procs) proc.kill('SIGKILL');
    process.exit(130);
  };
  process.once('SIGINT', bail).once('SIGTERM', bail);
  try {
    const url = cluster.createDatabase('bench');
    const repo = await openHubRepo({ engine: 'postgres', url });
    const engine = new HubEngine(repo);
    const stores: BenchStore[] = [];
    for (let n = 0; n <= STORES; n++) {
      stores.push(await addStore(engine, n));
    }
    await repo.close();
    debug(`seeded ${STORES + 1} stores`);
    const [main, ...hundred] = stores as [BenchStore, ...BenchStore[]];

    const a = await startNode(url);
    procs.push(a.proc);
    const b = await startNode(url);
    procs.push(b.proc);
    debug('nodes up');
    const kiosk = await connect(`${a.url}/sync`, main.kiosks[0]!);
    const desk = await connect(`${a.url}/sync`, main.desks[0]!);
    sockets.push(kiosk, desk);
    debug('kiosk and desk connected');

    const rows: [string, () => Promise<void>][] = [
      ['(a)', () => rowA(url, a.url, { kiosk, serviceId: main.serviceId }, hundred)],
      ['(b)', () => rowB({ a: a.url, b: b.url }, main, kiosk, desk)],
      ['(d)', () => rowD([a.url, b.url], main, hundred)],
      [
        '(c)',
        async () => {
          for (let i = 0; i < CLIENT_PROCESSES; i++) {
            const swarm = new Swarm();
            swarms.push(swarm);
            procs.push(swarm.proc);
          }
          await rowC(b, main, kiosk, swarms);
        },
      ],
    ];
    // A row that fails or times out says so; the others still run.
    for (const [name, row] of rows) {
      debug(`row ${name}`);
      await row().catch((error: unknown) =>
        console.log(
          `${name} not measured: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
    }
  } finally {
    for (const socket of sockets) socket.disconnect();
    for (const swarm of swarms) swarm.proc.kill('SIGKILL');
    for (const proc of procs.filter((p) => p.exitCode === null && p.signalCode === null)) {
      await within(10_000, () => 'a node stopping', stop(proc)).catch(() => proc.kill('SIGKILL'));
    }
    cluster.stop();
  }
}

await main();
