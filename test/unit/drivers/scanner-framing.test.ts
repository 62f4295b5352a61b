// Serial scanner framing: suffixes, split chunks, oversized and garbage input.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScanFramer, ScanFramerStream } from '../../../drivers/scanner/framing.js';
import type { Frame } from '../../../drivers/scanner/framing.js';

const b = (s: string): Uint8Array => new TextEncoder().encode(s);
const codes = (frames: Frame[]): string[] =>
  frames.flatMap((f) => (f.kind === 'code' ? [f.text] : []));

describe('ScanFramer', () => {
  it.each([
    ['cr', 'A12\rB7\r'],
    ['crlf', 'A12\r\nB7\r\n'],
    ['tab', 'A12\tB7\t'],
    ['auto', 'A12\r\nB7\t'],
  ] as const)('cuts codes on %s', (suffix, input) => {
    expect(codes(new ScanFramer({ suffix }).push(b(input)))).toEqual(['A12', 'B7']);
  });

  it('keeps CR LF as one suffix when split across chunks', () => {
    const framer = new ScanFramer({ suffix: 'auto' });
    const frames = [
      ...framer.push(b('A12\r')),
      ...framer.push(b('\nB7\r')),
      ...framer.push(b('\n')),
    ];
    expect(codes(frames)).toEqual(['A12', 'B7']);
  });

  it('decodes UTF-8 (JSON check-in codes) intact', () => {
    const json = '{"type":"check-in-position","positionId":"ce4a66df-51ff-47af-bf5e-4e26f82d266b"}';
    expect(codes(new ScanFramer().push(b(`${json}\r`)))).toEqual([json]);
  });

  it('drops an oversized burst with a reason and recovers on the next suffix', () => {
    const frames = new ScanFramer({ maxLength: 16 }).push(b(`${'x'.repeat(40)}\rOK12\r`));
    expect(frames).toEqual([
      { kind: 'rejected', reason: 'code longer than 16 bytes' },
      { kind: 'code', text: 'OK12' },
    ]);
  });

  it('never throws on garbage, and emits nothing empty', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 100 }), { maxLength: 10 }), (chunks) => {
        const framer = new ScanFramer({ maxLength: 64 });
        for (const chunk of chunks) {
          for (const frame of framer.push(chunk))
            if (frame.kind === 'code') expect(frame.text.length).toBeGreaterThan(0);
        }
        framer.end();
      }),
      { seed: 31, numRuns: 300 },
    );
  });
});

describe('ScanFramerStream', () => {
  it('ends a code without suffix after the inter-byte silence', async () => {
    const stream = new ScanFramerStream({ interByteTimeoutMs: 30 });
    const frames: Frame[] = [];
    stream.on('data', (f: Frame) => frames.push(f));
    stream.write(Buffer.from('NOSUFFIX1'));
    await new Promise((r) => setTimeout(r, 120));
    expect(codes(frames)).toEqual(['NOSUFFIX1']);
    stream.end();
  });
});
