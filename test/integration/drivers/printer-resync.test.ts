// A printer that loses the link mid-raster, over real TCP: the driver reports the job as not
// printed (a stub may be on paper), resynchronises the printer before the next job, and the next
// ticket reads back exactly as it does alone, both on a printer with DLE DC4 fn=8 (clear buffers)
// and on one without it (NUL padding + ESC @).
import { afterEach, describe, expect, it } from 'vitest';
import {
  encodeTicket,
  openPrinter,
  PRINTER_PROFILES,
  PrinterError,
} from '../../../drivers/printer/index.js';
import type { ReceiptPrinter } from '../../../drivers/printer/index.js';
import { EscPosDecoder, receiptText } from '../../../drivers/sim/escpos-decoder.js';
import { startVirtualPrinter } from '../../../drivers/sim/virtual-printer.js';
import type { VirtualPrinter } from '../../../drivers/sim/virtual-printer.js';
import { latinTicket } from '../../unit/drivers/fixtures.js';

const P80 = PRINTER_PROFILES['epson-80'];
const arabicTicket = latinTicket({
  lang: 'AR',
  serviceName: 'إصلاح الهواتف',
  footer: 'شكرا لزيارتكم',
});
const nextTicket = latinTicket({ ticket: 'A13' });

/** The next ticket as it reads when printed alone on a fresh printer. */
const alone = (() => {
  const event = new EscPosDecoder()
    .push(encodeTicket(nextTicket, P80))
    .find((e) => e.type === 'receipt');
  if (event?.type !== 'receipt') throw new Error('no receipt');
  return receiptText(event.receipt);
})();

/** Offset of the job's first raster data byte + 100: the middle of an image. */
const midRaster = (() => {
  const job = encodeTicket(arabicTicket, P80);
  for (let i = 0; i < job.length - 2; i++)
    if (job[i] === 0x1d && job[i + 1] === 0x76 && job[i + 2] === 0x30) return i + 8 + 100;
  throw new Error('no raster');
})();

// Before the job, on a fresh connection: GS a (3 bytes), then DLE EOT 1..4 (12) for the status
// check openPrinter starts, then 12 more for the job's own check.
const BEFORE_JOB = 3 + 12 + 12;

let sim: VirtualPrinter | null = null;
let printer: ReceiptPrinter | null = null;
afterEach(async () => {
  await printer?.close();
  await sim?.close();
  printer = null;
  sim = null;
});

async function cutOffThenPrint(clearBuffersCommand: boolean): Promise<VirtualPrinter> {
  const s = await startVirtualPrinter({ clearBuffersCommand });
  sim = s;
  s.disconnectAfterBytes(BEFORE_JOB + midRaster);
  printer = openPrinter(`tcp://127.0.0.1:${s.tcpPort}`, {
    pollIntervalMs: 0,
    statusTimeoutMs: 400,
  });
  const error = await printer.print(arabicTicket).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PrinterError);
  expect((error as PrinterError).partial).toBe(true);
  // The printer is left inside the image command, waiting for the rest of its bytes.
  expect(s.pendingCommand()).toBe(true);
  expect(s.receipts()).toHaveLength(0);

  await expect(printer.print(nextTicket)).resolves.toEqual({ confirmed: true });
  return s;
}

describe('resync after a job cut off mid-raster', () => {
  it('clears the buffers of a printer that has DLE DC4 fn=8; the next ticket reads clean', async () => {
    const s = await cutOffThenPrint(true);
    const status = (await (await fetch(`${s.httpUrl}/status`)).json()) as {
      buffersCleared: number;
    };
    expect(status.buffersCleared).toBe(1);
    expect(s.receipts().at(-1)?.lines).toEqual(alone);
    // What came out before the failure is cut off as its own stub, never glued to A13.
    expect(s.receipts()).toHaveLength(2);
    expect(s.receipts()[0]?.lines).not.toContain('A13');
  });

  it('pads out the pending image on a printer without it; the next ticket reads clean', async () => {
    const s = await cutOffThenPrint(false);
    const status = (await (await fetch(`${s.httpUrl}/status`)).json()) as {
      buffersCleared: number;
    };
    expect(status.buffersCleared).toBe(0);
    expect(s.pendingCommand()).toBe(false);
    expect(s.receipts().at(-1)?.lines).toEqual(alone);
    expect(s.receipts()).toHaveLength(2);
  });

  it('sends nothing extra once a job has printed: no resync, no scrap', async () => {
    const s = await startVirtualPrinter();
    sim = s;
    printer = openPrinter(`tcp://127.0.0.1:${s.tcpPort}`, { pollIntervalMs: 0 });
    await printer.print(latinTicket());
    await printer.print(nextTicket);
    const status = (await (await fetch(`${s.httpUrl}/status`)).json()) as {
      buffersCleared: number;
      blankCuts: number;
    };
    expect(status).toMatchObject({ buffersCleared: 0, blankCuts: 0 });
    expect(s.receipts().map((r) => r.lines)).toEqual([expect.any(Array), alone]);
  });
});
