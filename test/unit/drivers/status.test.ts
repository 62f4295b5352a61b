// Status decoding from canned printer replies (bit layouts from the Epson ESC/POS reference).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  StatusFrameParser,
  StatusParserStream,
  applyAsb,
  conditionOf,
  applyRealtimeReply,
  encodeAsb,
  encodeRealtimeReply,
  okState,
  toPrinterStatus,
} from '../../../drivers/printer/status.js';
import type { RawPrinterState, StatusFrame } from '../../../drivers/printer/status.js';

describe('DLE EOT replies', () => {
  it('n=1: 0x16 is online (drawer pin high is ignored), 0x1E is offline', () => {
    expect(applyRealtimeReply(okState(), 1, 0x16).offline).toBe(false);
    expect(applyRealtimeReply(okState(), 1, 0x1e).offline).toBe(true);
  });

  it('n=2: bit 2 is cover open, bit 5 is stopped on paper end', () => {
    expect(applyRealtimeReply(okState(), 2, 0x16)).toMatchObject({
      coverOpen: true,
      paperOut: false,
    });
    expect(applyRealtimeReply(okState(), 2, 0x32)).toMatchObject({
      coverOpen: false,
      paperOut: true,
    });
  });

  it('n=3: bit 3 is a cutter error, bit 5 unrecoverable, bit 6 auto-recoverable', () => {
    expect(applyRealtimeReply(okState(), 3, 0x1a)).toMatchObject({
      cutterError: true,
      unrecoverableError: false,
    });
    expect(applyRealtimeReply(okState(), 3, 0x32)).toMatchObject({
      cutterError: false,
      unrecoverableError: true,
    });
    expect(applyRealtimeReply(okState(), 3, 0x52)).toMatchObject({ autoRecoverableError: true });
  });

  it('n=4: bits 2+3 are paper near end, bits 5+6 paper out', () => {
    expect(applyRealtimeReply(okState(), 4, 0x12)).toMatchObject({
      paperNearEnd: false,
      paperOut: false,
    });
    expect(applyRealtimeReply(okState(), 4, 0x1e)).toMatchObject({
      paperNearEnd: true,
      paperOut: false,
    });
    expect(applyRealtimeReply(okState(), 4, 0x7e)).toMatchObject({
      paperNearEnd: true,
      paperOut: true,
    });
    // only one bit of a pair set is not enough
    expect(applyRealtimeReply(okState(), 4, 0x32)).toMatchObject({ paperOut: false });
  });
});

describe('Automatic Status Back', () => {
  it('decodes a canned frame: offline, cover open, paper near end and out', () => {
    const state = applyAsb(okState(), [0x38, 0x00, 0x0f, 0x00]);
    expect(state).toMatchObject({
      offline: true,
      coverOpen: true,
      paperNearEnd: true,
      paperOut: true,
    });
    expect(applyAsb(state, [0x10, 0x08, 0x00, 0x00])).toMatchObject({
      offline: false,
      coverOpen: false,
      cutterError: true,
      paperOut: false,
    });
  });

  it('is told apart from DLE EOT replies, across chunk boundaries, with XON/XOFF inside', () => {
    const parser = new StatusFrameParser();
    const frames: StatusFrame[] = [
      ...parser.push(Uint8Array.of(0x12, 0x10, 0x00)),
      ...parser.push(Uint8Array.of(0x13, 0x0c, 0x00, 0x7e)),
      ...parser.push(Uint8Array.of(0xff, 0x11)),
    ];
    expect(frames).toEqual([
      { kind: 'realtime', byte: 0x12 },
      { kind: 'asb', bytes: [0x10, 0x00, 0x0c, 0x00] },
      { kind: 'realtime', byte: 0x7e },
      { kind: 'other', byte: 0xff },
      { kind: 'other', byte: 0x11 },
    ]);
  });

  it('resynchronises when an ASB frame is cut short', () => {
    const frames = new StatusFrameParser().push(Uint8Array.of(0x10, 0x00, 0x12));
    expect(frames).toEqual([{ kind: 'realtime', byte: 0x12 }]);
  });

  it('works as a stream', async () => {
    const stream = new StatusParserStream();
    const out: StatusFrame[] = [];
    stream.on('data', (f: StatusFrame) => out.push(f));
    stream.end(Buffer.from([0x10, 0x08, 0x00, 0x00, 0x16]));
    await new Promise((r) => stream.on('end', r));
    expect(out.map((f) => f.kind)).toEqual(['asb', 'realtime']);
  });
});

const stateArb: fc.Arbitrary<RawPrinterState> = fc.record({
  offline: fc.boolean(),
  coverOpen: fc.boolean(),
  paperNearEnd: fc.boolean(),
  paperOut: fc.boolean(),
  cutterError: fc.boolean(),
  unrecoverableError: fc.boolean(),
  autoRecoverableError: fc.boolean(),
});

describe('round trips (what the virtual printer sends is what the driver reads)', () => {
  it('DLE EOT 1..4 replies carry the whole state', () => {
    fc.assert(
      fc.property(stateArb, (state) => {
        let read = okState();
        for (const n of [1, 2, 3, 4] as const) {
          const byte = encodeRealtimeReply(state, n);
          expect(byte & 0x93).toBe(0x12); // fixed bits of a real-time reply
          read = applyRealtimeReply(read, n, byte);
        }
        expect(read).toEqual(state);
      }),
      { seed: 6, numRuns: 200 },
    );
  });

  it('ASB frames carry the whole state and parse as one frame', () => {
    fc.assert(
      fc.property(stateArb, (state) => {
        const frames = new StatusFrameParser().push(encodeAsb(state));
        expect(frames).toHaveLength(1);
        const frame = frames[0];
        expect(frame?.kind).toBe('asb');
        if (frame?.kind === 'asb') expect(applyAsb(okState(), frame.bytes)).toEqual(state);
      }),
      { seed: 7, numRuns: 200 },
    );
  });

  it('never throws on garbage', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }), (chunks) => {
        const parser = new StatusFrameParser();
        for (const chunk of chunks) parser.push(chunk);
      }),
      { seed: 8, numRuns: 300 },
    );
  });
});

describe('PrinterStatus', () => {
  it('says why the printer is offline in a sentence for staff', () => {
    expect(toPrinterStatus({ ...okState(), paperOut: true, offline: true })).toEqual({
      online: false,
      coverOpen: false,
      paperNearEnd: false,
      paperOut: true,
      cutterError: false,
      message: 'The printer is out of paper.',
    });
    expect(toPrinterStatus(okState())).toMatchObject({ online: true, message: null });
    expect(toPrinterStatus(okState(), false)).toMatchObject({ online: false });
  });
});

describe('Clear response and condition', () => {
  it('tells the Clear response (37 25 00) of DLE DC4 fn=8 apart, even split across chunks', () => {
    const parser = new StatusFrameParser();
    const frames = [
      ...parser.push(Uint8Array.of(0x12, 0x37)),
      ...parser.push(Uint8Array.of(0x25, 0x00)),
    ];
    expect(frames.filter((f) => f.kind !== 'other')).toEqual([
      { kind: 'realtime', byte: 0x12 },
      { kind: 'cleared' },
    ]);
  });

  it('names one condition per state, the most urgent first', () => {
    expect(conditionOf(okState(), true)).toBe('ready');
    expect(conditionOf(okState(), false)).toBe('offline');
    expect(conditionOf({ ...okState(), paperNearEnd: true }, true)).toBe('paper_near_end');
    expect(conditionOf({ ...okState(), paperNearEnd: true, paperOut: true }, true)).toBe(
      'paper_out',
    );
    expect(conditionOf({ ...okState(), coverOpen: true, offline: true }, true)).toBe('cover_open');
    expect(conditionOf({ ...okState(), cutterError: true }, true)).toBe('error');
    expect(conditionOf({ ...okState(), offline: true }, true)).toBe('offline');
  });
});
