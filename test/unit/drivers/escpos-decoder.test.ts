// The virtual printer's decoder: any chunking gives the same receipt; garbage never throws.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeTicket } from '../../../drivers/printer/encoder.js';
import { PRINTER_PROFILES } from '../../../drivers/printer/profiles.js';
import { EscPosDecoder, receiptText } from '../../../drivers/sim/escpos-decoder.js';
import type { DecoderEvent } from '../../../drivers/sim/escpos-decoder.js';
import { latinTicket } from './fixtures.js';

const bytes = encodeTicket(latinTicket(), PRINTER_PROFILES['epson-80']);
const whole = (() => {
  const e = new EscPosDecoder().push(bytes).find((x) => x.type === 'receipt');
  if (e?.type !== 'receipt') throw new Error('no receipt');
  return e.receipt;
})();

describe('EscPosDecoder', () => {
  it('decodes the same receipt whatever the chunk boundaries', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 40 }),
        (sizes) => {
          const decoder = new EscPosDecoder();
          const events: DecoderEvent[] = [];
          let i = 0;
          let k = 0;
          while (i < bytes.length) {
            const size = sizes[k++ % sizes.length] ?? 1;
            events.push(...decoder.push(bytes.subarray(i, i + size)));
            i += size;
          }
          const receipts = events.filter((e) => e.type === 'receipt');
          expect(receipts).toHaveLength(1);
          expect(receipts[0]?.type === 'receipt' && receiptText(receipts[0].receipt)).toEqual(
            receiptText(whole),
          );
        },
      ),
      { seed: 11, numRuns: 60 },
    );
  });

  it('reports DLE EOT requests and ASB enables as events in order', () => {
    const events = new EscPosDecoder().push(
      Uint8Array.of(0x10, 0x04, 1, 0x1d, 0x61, 0x0e, 0x10, 0x04, 4),
    );
    expect(events).toEqual([
      { type: 'status-request', n: 1 },
      { type: 'asb', mask: 0x0e },
      { type: 'status-request', n: 4 },
    ]);
  });

  it('reads styles: bold, underline, invert, GS ! size, alignment', () => {
    const events = new EscPosDecoder().push(
      Uint8Array.of(
        0x1b,
        0x61,
        2,
        0x1b,
        0x45,
        1,
        0x41,
        0x1b,
        0x45,
        0,
        0x1b,
        0x2d,
        1,
        0x1d,
        0x21,
        0x12,
        0x42,
        0x0a,
        0x1d,
        0x56,
        0x00,
      ),
    );
    const r = events[0];
    expect(r?.type).toBe('receipt');
    if (r?.type !== 'receipt') return;
    expect(r.receipt.cut).toBe('full');
    expect(r.receipt.items[0]).toEqual({
      kind: 'text',
      text: 'AB',
      align: 'right',
      spans: [
        { text: 'A', bold: true, underline: false, invert: false, width: 1, height: 1 },
        { text: 'B', bold: false, underline: true, invert: false, width: 2, height: 3 },
      ],
    });
  });

  it('never throws on random bytes, and a huge declared image is skipped as garbage', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 10 }), (chunks) => {
        const decoder = new EscPosDecoder({ maxCommandBytes: 4096 });
        for (const chunk of chunks) decoder.push(chunk);
        decoder.current();
      }),
      { seed: 12, numRuns: 300 },
    );
    const decoder = new EscPosDecoder({ maxCommandBytes: 4096 });
    decoder.push(Uint8Array.of(0x1d, 0x76, 0x30, 0, 0xff, 0xff, 0xff, 0xff, 0x41, 0x0a));
    expect(decoder.garbageBytes).toBeGreaterThan(0);
    expect(decoder.current().items.some((i) => i.kind === 'text' && i.text.includes('A'))).toBe(
      true,
    );
  });
});
