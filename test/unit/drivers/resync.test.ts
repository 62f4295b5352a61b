// A job cut off mid-raster leaves a printer waiting for the image bytes it was promised: the next
// ticket is swallowed as image data. The padded reset (the fallback when the printer has no
// DLE DC4 fn=8) completes the pending command and initialises, and the next ticket reads clean.
import { describe, expect, it } from 'vitest';
import { encodeTicket, PRINTER_PROFILES } from '../../../drivers/printer/index.js';
import { longestCommand, paddedReset } from '../../../drivers/printer/resync.js';
import { EscPosDecoder, receiptText } from '../../../drivers/sim/escpos-decoder.js';
import type { DecodedReceipt } from '../../../drivers/sim/escpos-decoder.js';
import { latinTicket } from './fixtures.js';

const P80 = PRINTER_PROFILES['epson-80'];
const arabic = encodeTicket(
  latinTicket({ lang: 'AR', serviceName: 'إصلاح الهواتف', footer: 'شكرا لزيارتكم' }),
  P80,
);
const next = encodeTicket(latinTicket({ ticket: 'A13' }), P80);

/** Cut-off point: 100 bytes into the first GS v 0 raster's data. */
const midRaster = (() => {
  for (let i = 0; i < arabic.length - 2; i++)
    if (arabic[i] === 0x1d && arabic[i + 1] === 0x76 && arabic[i + 2] === 0x30) return i + 8 + 100;
  throw new Error('no raster in the Arabic ticket');
})();

const receipts = (decoder: EscPosDecoder, ...chunks: Uint8Array[]): DecodedReceipt[] =>
  chunks.flatMap((chunk) =>
    decoder.push(chunk).flatMap((e) => (e.type === 'receipt' ? [e.receipt] : [])),
  );

const alone = receiptText(receipts(new EscPosDecoder(), next)[0] as DecodedReceipt);

describe('resynchronising after a job cut off mid-raster', () => {
  it('without it, the printer reads the next ticket as image data (the failure it prevents)', () => {
    const decoder = new EscPosDecoder();
    const printed = receipts(decoder, arabic.subarray(0, midRaster), next);
    expect(printed.some((r) => receiptText(r).includes('A13'))).toBe(false);
  });

  it('with the padded reset, the next ticket decodes exactly as it does alone', () => {
    const decoder = new EscPosDecoder();
    const printed = receipts(decoder, arabic.subarray(0, midRaster), paddedReset(arabic), next);
    expect(decoder.hasPendingCommand()).toBe(false);
    expect(receiptText(printed.at(-1) as DecodedReceipt)).toEqual(alone);
    // The stub (what was printed before the cut) is cut off on its own, not glued to A13.
    expect(printed).toHaveLength(2);
    expect(receiptText(printed[0] as DecodedReceipt)).not.toContain('A13');
  });

  it('pads with as many NULs as the longest command of the failed job, never more than the job', () => {
    const raster = Uint8Array.of(0x1d, 0x76, 0x30, 0, 72, 0, 40, 0); // 72 × 40 data bytes
    const job = new Uint8Array(5000);
    job.set(raster, 100);
    expect(longestCommand(job)).toBe(8 + 72 * 40);
    expect(longestCommand(job.subarray(0, 1000))).toBe(1000);
    expect(longestCommand(Uint8Array.of(0x1b, 0x40, 0x41, 0x0a))).toBe(0);
    expect(longestCommand(arabic)).toBeLessThan(arabic.length / 2); // one line's raster
  });
});
