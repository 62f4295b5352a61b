// Printer latency: from "ticket issued" (encode + print() called) to the last byte of the job
// arriving at the virtual printer over TCP, p50/p99, beside a raw TCP write of the same size to a
// plain socket server in the same run (the floor). print() also checks status before the job
// (4 DLE EOT round trips) and confirms after it; its full duration is shown too.
//   node --import tsx bench/printer-latency.ts [--runs N]
import { createServer, Socket as NetSocket } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import { encodeTicket, openPrinter, PRINTER_PROFILES } from '../drivers/printer/index.js';
import type { PrintableTicket } from '../drivers/printer/index.js';
import { startVirtualPrinter } from '../drivers/sim/virtual-printer.js';

const ticket = (over: Partial<PrintableTicket> = {}): PrintableTicket => ({
  storeName: 'Lineup Demo Store',
  serviceName: 'Réparation',
  ticket: 'A12',
  peopleBefore: 3,
  waitMinutes: 12,
  issuedAt: new Date().toISOString(),
  timeZone: 'Europe/Paris',
  lang: 'FR',
  qrPayload: 'LINEUP:1:demo-store:cust-1:A12',
  pager: 7,
  footer: 'Merci de votre visite',
  ...over,
});

const ms = (ns: bigint): number => Number(ns) / 1e6;
function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Raw TCP: write `size` bytes on an open connection, time until the server has them all. */
async function rawTcp(size: number, runs: number): Promise<number[]> {
  let expected = 0;
  let got = 0;
  let done: ((at: bigint) => void) | null = null;
  const server = createServer((socket) => {
    socket.on('data', (chunk) => {
      got += chunk.length;
      if (got >= expected && done) done(process.hrtime.bigint());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const client: Socket = await new Promise((resolve) => {
    const s = new NetSocket();
    s.setNoDelay(true);
    s.connect((server.address() as AddressInfo).port, '127.0.0.1', () => resolve(s));
  });
  const payload = new Uint8Array(size).fill(0x41);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    got = 0;
    expected = size;
    const arrived = new Promise<bigint>((r) => (done = r));
    const start = process.hrtime.bigint();
    client.write(payload);
    times.push(ms((await arrived) - start));
    done = null;
  }
  client.destroy();
  await new Promise((r) => server.close(r));
  return times;
}

async function printerRuns(
  t: PrintableTicket,
  runs: number,
): Promise<{ toLastByte: number[]; printCall: number[] }> {
  const sim = await startVirtualPrinter();
  const printer = openPrinter(`tcp://127.0.0.1:${sim.tcpPort}`, { pollIntervalMs: 0 });
  await printer.refreshStatus();
  const toLastByte: number[] = [];
  const printCall: number[] = [];
  for (let i = 0; i < runs; i++) {
    const lastByte = new Promise<bigint>((resolve) => {
      const off = sim.onReceipt((_r, at) => {
        off();
        resolve(at);
      });
    });
    const start = process.hrtime.bigint();
    await printer.print({ ...t, ticket: `A${i % 999}` });
    const end = process.hrtime.bigint();
    toLastByte.push(ms((await lastByte) - start));
    printCall.push(ms(end - start));
    sim.clearReceipts();
  }
  await printer.close();
  await sim.close();
  return { toLastByte, printCall };
}

export async function main(argv: string[] = []): Promise<void> {
  const runsArg = argv.indexOf('--runs');
  const runs = runsArg >= 0 ? Number(argv[runsArg + 1]) : 200;
  const warm = Math.max(5, Math.floor(runs / 10));
  const latin = ticket();
  const arabic = ticket({ lang: 'AR', serviceName: 'إصلاح الهواتف', footer: 'شكرا لزيارتكم' });
  const size = encodeTicket(latin, PRINTER_PROFILES['epson-80']).length;

  await rawTcp(size, warm);
  const baseline = await rawTcp(size, runs);
  await printerRuns(latin, warm);
  const lat = await printerRuns(latin, runs);
  const ar = await printerRuns(arabic, Math.max(20, Math.floor(runs / 4)));
  const encodeOnly: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = process.hrtime.bigint();
    encodeTicket(latin, PRINTER_PROFILES['epson-80']);
    encodeOnly.push(ms(process.hrtime.bigint() - s));
  }

  const b50 = pct(baseline, 50);
  const row = (name: string, v: number[]): string =>
    `${name.padEnd(46)} p50 ${pct(v, 50).toFixed(3).padStart(8)} ms   p99 ${pct(v, 99).toFixed(3).padStart(8)} ms   ×baseline p50 ${(pct(v, 50) / b50).toFixed(1).padStart(6)}`;
  console.log(
    `printer latency (${runs} runs, Latin ticket ${size} bytes, Arabic ${encodeTicket(arabic, PRINTER_PROFILES['epson-80']).length} bytes)`,
  );
  console.log(row(`raw TCP write of ${size} bytes (baseline)`, baseline));
  console.log(row('encode only (Latin, 80 mm)', encodeOnly));
  console.log(row('issued → last byte at printer (Latin)', lat.toLastByte));
  console.log(row('print() resolved, status confirmed (Latin)', lat.printCall));
  console.log(row('issued → last byte at printer (Arabic raster)', ar.toLastByte));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main(process.argv.slice(2));
}
