// Ticket machine register cost as the day grows: 10, 1,000 and 10,000 tickets already issued.
// Each row issues tickets from the machine's own block through the real MachineService and
// LocalDb (a real SQLite file, FULL sync), plus the reserve check that follows every ticket,
// and prints the per-ticket cost beside the 10-ticket row of the same run (flat means ≤ 2×).
// Before the fix (issue 17) the reserve check re-read and re-validated every customer once per
// block after every ticket: 80 ms per ticket at 200 tickets, 660 ms at 600.
// Profiled (node --cpu-prof) after the blocks became an indexed table: statement preparation was
// the largest cost after the FULL commit (now cached per SQL text), then the wait estimate's
// walk over every customer of the day (2.4× at 10,000); it now reads the customers still in the
// queue and an observed service time recomputed only when someone ends, and the rows are flat.
// Run: node --import tsx bench/kiosk-register.ts
import { HubCommands } from '../main/runtime/hub-commands.js';
import { MachineService } from '../main/runtime/roles/machine-service.js';
import type { TicketBlock } from '../shared/protocol/sync.js';
import {
  anonymousTicket,
  DAY,
  hubCustomer,
  machine,
  machineBlock,
  openSeam,
  snapshot,
} from '../test/unit/main/runtime-seam.js';

const TICKETS = 200;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

async function perTicket(already: number): Promise<{ p50: number; p95: number }> {
  const seam = openSeam(() => {
    throw new Error('offline');
  });
  try {
    // The day so far: earlier tickets (most served), and the blocks they were numbered from.
    const customers = Array.from({ length: already }, (_, i) => ({
      ...hubCustomer(`early${i}`, i + 1),
      state: i < already - 10 ? ('done' as const) : ('waiting' as const),
    }));
    const blocks: TicketBlock[] = [];
    for (let first = 1; first <= already + TICKETS; first += 20)
      blocks.push(machineBlock(`b${first}`, first, first + 19));
    seam.db.applySnapshot({ ...snapshot, customers, blocks });
    seam.hub.connected = false;
    const service = new MachineService(seam.ctx, new HubCommands(seam.ctx));
    const times: number[] = [];
    for (let i = 0; i < TICKETS; i += 1) {
      const t = performance.now();
      await service.register(anonymousTicket);
      // What follows every ticket: is the reserve low? (returns at once when offline)
      seam.db.usableBlocks(machine.id, 'svc-a', DAY, 'A');
      await service.reserveBlocks();
      times.push(performance.now() - t);
    }
    return { p50: pct(times, 50), p95: pct(times, 95) };
  } finally {
    seam.close();
  }
}

const rows: [number, { p50: number; p95: number }][] = [];
for (const already of [10, 1_000, 10_000]) rows.push([already, await perTicket(already)]);
const base = rows[0]?.[1].p50 ?? NaN;
console.log('kiosk register, per ticket (offline, numbered from its own block, FULL sync):');
for (const [already, { p50, p95 }] of rows)
  console.log(
    `  ${String(already).padStart(6)} tickets already today: p50 ${p50.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms, ${(p50 / base).toFixed(2)}× the 10-ticket row`,
  );
