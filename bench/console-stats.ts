// The console's statistics must not slow the sequencer (issue 12). A store with a year of
// synthetic log (default 365 days × 80 tickets, ~110k log entries), then:
// - statistics of the whole year, of one month and of one day (worker thread, its own read-only
//   connection), each as a ratio of the one-day time;
// - the sequencer's durable command rate (register + call next, each its own FULL commit) alone,
//   and while year-long statistics run back to back on the worker: the ratio of the two
//   (goal >= 0.8; the machine's 2 cores are shared, so read it as an order of magnitude).
//   node --import tsx bench/console-stats.ts [--days N] [--per-day N] [--commands N]
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startStatsRunner, type StatsRunner } from '../cloud/console/stats-runner.js';
import type { StatsInput } from '../cloud/console/statistics.js';
import { openHubRepo } from '../cloud/db/sqlite-hub-repo.js';
import { HubEngine, type Actor } from '../cloud/engine/hub-engine.js';
import { CustomerSchema, type Customer } from '../shared/domain/entities.js';
import { CommandEnvelopeSchema, type ChangeEvent } from '../shared/protocol/sync.js';
import { addBenchDevices } from './support/bench-kit.js';

const { values } = parseArgs({
  options: {
    days: { type: 'string', default: '365' },
    'per-day': { type: 'string', default: '80' },
    commands: { type: 'string', default: '1500' },
  },
});
const DAYS = Number(values.days);
const PER_DAY = Number(values['per-day']);
const COMMANDS = Number(values.commands);
const STORE = 'demo-store';
const SERVICES = ['demo-new-phone', 'demo-accessories', 'demo-repair'];
const DESKS = ['demo-desk-1', 'demo-desk-2'];
const DAY_MS = 86_400_000;

const dir = mkdtempSync(join(tmpdir(), 'lineup-bench-console-'));
const repo = openHubRepo(dir);
const engine = new HubEngine(repo);
const devices = await addBenchDevices(engine, SERVICES);

/** Deterministic pseudo-random numbers (the same year on every run). */
let seed = 12345;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};

/** A year of days before today: each customer's story appended at its own times. */
async function fillYear(): Promise<number> {
  const today =
    Date.UTC(2026, 0, 1) + Math.floor((Date.now() - Date.UTC(2026, 0, 1)) / DAY_MS) * DAY_MS;
  let entries = 0;
  let arrival = 0;
  const iso = (ms: number) => new Date(ms).toISOString();
  await repo.transaction({ storeIds: [STORE] }, async (tx) => {
    for (let d = DAYS; d >= 1; d--) {
      const dayStart = today - d * DAY_MS;
      const ticketDay = iso(dayStart).slice(0, 10);
      for (let i = 0; i < PER_DAY; i++) {
        // Opening 08:00-18:00 UTC, busier around noon.
        const at = dayStart + 8 * 3600_000 + Math.floor((10 * 3600_000 * (i + random())) / PER_DAY);
        const serviceId = SERVICES[i % SERVICES.length] ?? 'demo-new-phone';
        let c: Customer = CustomerSchema.parse({
          id: `y${d}-${i}`,
          storeId: STORE,
          serviceId,
          servicePath: [serviceId],
          machineId: 'demo-kiosk',
          lang: 'EN',
          registeredBy: 'demo-kiosk',
          contactMode: 'anonymous',
          state: 'waiting',
          ticketPrefix: 'Y',
          ticketNumber: i + 1,
          ticketDay,
          ticket: `Y${i + 1}`,
          registeredAt: iso(at),
          sortAt: iso(at),
          arrivalSeq: arrival++,
          updatedAt: iso(at),
        });
        const log = async (event: ChangeEvent, ms: number, fields: Partial<Customer>) => {
          c = { ...c, ...fields, updatedAt: iso(ms) };
          await tx.append(STORE, {
            origin: 'bench',
            commandId: null,
            event,
            entity: { kind: 'customer', customer: c },
            at: iso(ms),
          });
          entries++;
        };
        await log('registered', at, {});
        const fate = random();
        if (fate < 0.05) {
          await log('cancelled', at + 300_000, {
            state: 'cancelled',
            finishedAt: iso(at + 300_000),
          });
          continue;
        }
        const called = at + Math.floor(random() * 1_800_000);
        const deskId = DESKS[i % DESKS.length] ?? 'demo-desk-1';
        await log('called', called, { state: 'called', calledAt: iso(called), deskId });
        if (fate < 0.15) {
          await log('no_show', called + 120_000, {
            state: 'no_show',
            finishedAt: iso(called + 120_000),
          });
          continue;
        }
        const start = called + 60_000;
        const end = start + Math.floor(random() * 900_000);
        await log('serving', start, { state: 'serving', servingAt: iso(start) });
        await log('done', end, { state: 'done', finishedAt: iso(end) });
      }
    }
  });
  return entries;
}

const envelope = (type: string, payload: unknown) =>
  CommandEnvelopeSchema.parse({
    id: randomUUID(),
    issuedAt: new Date().toISOString(),
    type,
    payload,
  });

/** Durable commands per second: register + call next pairs, each command its own commit. */
async function commandRate(count: number): Promise<number> {
  const kiosk: Actor = { deviceId: devices.kiosk.deviceId, origin: devices.kiosk.deviceId };
  const desk: Actor = { deviceId: devices.desk.deviceId, origin: devices.desk.deviceId };
  const started = performance.now();
  for (let i = 0; i < count / 2; i++) {
    const r = await engine.applyCommand(
      kiosk,
      envelope('register', { serviceId: SERVICES[i % 3], lang: 'EN', contactMode: 'anonymous' }),
    );
    if (!r.ok) throw new Error(r.refusal.message);
    const n = await engine.applyCommand(desk, envelope('call_next', {}));
    if (!n.ok && n.refusal.code !== 'queue_empty') throw new Error(n.refusal.message);
  }
  return (count / (performance.now() - started)) * 1000;
}

async function timed(runner: StatsRunner, input: StatsInput): Promise<number> {
  const started = performance.now();
  const result = await runner.stats(input);
  if (result.total.issued === 0) throw new Error('no statistics: the synthetic log was not read');
  return performance.now() - started;
}

async function main(): Promise<void> {
  const fillStarted = performance.now();
  const entries = await fillYear();
  console.log(
    `synthetic log: ${DAYS} days × ${PER_DAY} tickets = ${entries} entries (written in ${((performance.now() - fillStarted) / 1000).toFixed(1)} s)`,
  );
  const runner = startStatsRunner({ engine: 'sqlite', dataDir: dir });
  const today = new Date();
  const dayBefore = (n: number) =>
    new Date(today.getTime() - n * DAY_MS).toISOString().slice(0, 10);
  const input = (from: string): StatsInput => ({
    storeId: STORE,
    timeZone: 'Europe/Paris',
    from,
    to: dayBefore(1),
    groupBy: 'service',
    targetWaitMinutes: 10,
  });
  await timed(runner, input(dayBefore(1))); // warm-up: the worker starts, the cache fills
  const oneDay = await timed(runner, input(dayBefore(1)));
  const month = await timed(runner, input(dayBefore(30)));
  const year = await timed(runner, input(dayBefore(DAYS)));
  console.log(`statistics, one day:  ${oneDay.toFixed(1)} ms (1.0x)`);
  console.log(
    `statistics, 30 days:  ${month.toFixed(1)} ms (${(month / oneDay).toFixed(1)}x one day)`,
  );
  console.log(
    `statistics, all ${DAYS} days: ${year.toFixed(1)} ms (${(year / oneDay).toFixed(1)}x one day)`,
  );

  await commandRate(200); // warm-up
  const alone = await commandRate(COMMANDS);
  let running = true;
  let statsRuns = 0;
  const background = (async () => {
    while (running) {
      await runner.stats(input(dayBefore(DAYS)));
      statsRuns++;
    }
  })();
  // Let the first year-long read get going before measuring.
  await new Promise((resolve) => setTimeout(resolve, 50));
  const beside = await commandRate(COMMANDS);
  running = false;
  await background;
  console.log(`sequencer alone:                 ${alone.toFixed(0)} commands/s (1.00)`);
  console.log(
    `sequencer beside year statistics: ${beside.toFixed(0)} commands/s (${(beside / alone).toFixed(2)} of alone; goal >= 0.80; ${statsRuns} year runs finished meanwhile)`,
  );
  await runner.close();
  await repo.close();
  rmSync(dir, { recursive: true, force: true });
}

await main();
