// ESC/POS status, pure: DLE EOT 1..4 real-time replies and Automatic Status Back frames decoded
// into shared/api's PrinterStatus, plus a small parser that tells the two apart in a byte stream
// (fixed bits: a DLE EOT reply is 0xx1xx10, an ASB first byte 0xx1xx00, ASB bytes 2-4 0xx0xxxx).
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import type { PrinterStatus } from '../../shared/api/appliance-api.js';
// The printer's condition in one word is the sync protocol's (device health carries it).
import { PRINTER_CONDITIONS, type PrinterCondition } from '../../shared/protocol/sync.js';
import { CLEAR_RESPONSE } from './resync.js';

export const DLE_EOT = (n: 1 | 2 | 3 | 4): Uint8Array => Uint8Array.of(0x10, 0x04, n);
/** GS a n: ASB for online/offline (bit 1), errors (bit 2) and the roll paper sensor (bit 3). */
export const ENABLE_ASB = Uint8Array.of(0x1d, 0x61, 0x0e);

export type StatusFrame =
  | { kind: 'realtime'; byte: number }
  /** The answer to DLE DC4 fn=8 (clear buffers): 37 25 00. */
  | { kind: 'cleared' }
  | { kind: 'asb'; bytes: [number, number, number, number] }
  | { kind: 'other'; byte: number };

export const isRealtimeReply = (b: number): boolean => (b & 0x93) === 0x12;
export const isAsbFirstByte = (b: number): boolean => (b & 0x93) === 0x10;
const XON = 0x11;
const XOFF = 0x13;

/** Splits printer → host bytes into real-time replies, ASB frames and anything else. */
export class StatusFrameParser {
  private asb: number[] | null = null;
  /** How many bytes of the Clear response (37 25 00) came in a row. */
  private cleared = 0;

  push(bytes: Uint8Array): StatusFrame[] {
    const frames: StatusFrame[] = [];
    for (const b of bytes) {
      if (this.asb) {
        if (b === XOFF || b === XON) continue; // flow control may interleave ASB bytes
        if ((b & 0x90) !== 0) {
          // Not an ASB continuation byte: the frame was cut short; resync on this byte.
          this.asb = null;
        } else {
          this.asb.push(b);
          if (this.asb.length === 4) {
            frames.push({ kind: 'asb', bytes: this.asb as [number, number, number, number] });
            this.asb = null;
          }
          continue;
        }
      }
      const clearStep = b === CLEAR_RESPONSE[this.cleared] ? this.cleared + 1 : b === 0x37 ? 1 : 0;
      this.cleared = clearStep === CLEAR_RESPONSE.length ? 0 : clearStep;
      if (clearStep === CLEAR_RESPONSE.length) frames.push({ kind: 'cleared' });
      else if (isAsbFirstByte(b)) this.asb = [b];
      else if (isRealtimeReply(b)) frames.push({ kind: 'realtime', byte: b });
      else frames.push({ kind: 'other', byte: b });
    }
    return frames;
  }
}

/** The same parser as a stream (object mode out), node-serialport style. */
export class StatusParserStream extends Transform {
  private readonly parser = new StatusFrameParser();
  constructor() {
    super({ readableObjectMode: true });
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    for (const frame of this.parser.push(chunk)) this.push(frame);
    done();
  }
}

/** The raw conditions a printer reports; several sources fill it in. */
export interface RawPrinterState {
  offline: boolean;
  coverOpen: boolean;
  paperNearEnd: boolean;
  paperOut: boolean;
  cutterError: boolean;
  unrecoverableError: boolean;
  autoRecoverableError: boolean;
}

export const okState = (): RawPrinterState => ({
  offline: false,
  coverOpen: false,
  paperNearEnd: false,
  paperOut: false,
  cutterError: false,
  unrecoverableError: false,
  autoRecoverableError: false,
});

const bit = (b: number, n: number): boolean => (b & (1 << n)) !== 0;

/** Applies one DLE EOT n reply byte to the state. */
export function applyRealtimeReply(
  state: RawPrinterState,
  n: 1 | 2 | 3 | 4,
  b: number,
): RawPrinterState {
  switch (n) {
    case 1: // printer status
      return { ...state, offline: bit(b, 3) };
    case 2: // offline cause
      return { ...state, coverOpen: bit(b, 2), paperOut: bit(b, 5) || state.paperOut };
    case 3: // error cause
      return {
        ...state,
        cutterError: bit(b, 3),
        unrecoverableError: bit(b, 5),
        autoRecoverableError: bit(b, 6),
      };
    case 4: // roll paper sensor: both bits of each pair set
      return { ...state, paperNearEnd: (b & 0x0c) === 0x0c, paperOut: (b & 0x60) === 0x60 };
  }
}

/** Applies a 4-byte Automatic Status Back frame. */
export function applyAsb(
  state: RawPrinterState,
  bytes: readonly [number, number, number, number],
): RawPrinterState {
  const [b1, b2, b3] = bytes;
  return {
    ...state,
    offline: bit(b1, 3),
    coverOpen: bit(b1, 5),
    cutterError: bit(b2, 3),
    unrecoverableError: bit(b2, 5),
    autoRecoverableError: bit(b2, 6),
    paperNearEnd: (b3 & 0x03) !== 0,
    paperOut: (b3 & 0x0c) !== 0,
  };
}

/** Encodes a state as the printer would answer DLE EOT n (used by the virtual printer). */
export function encodeRealtimeReply(state: RawPrinterState, n: 1 | 2 | 3 | 4): number {
  const set = (cond: boolean, mask: number): number => (cond ? mask : 0);
  switch (n) {
    case 1:
      return 0x12 | set(state.offline, 0x08);
    case 2:
      return (
        0x12 | set(state.coverOpen, 0x04) | set(state.paperOut, 0x20) | set(hasError(state), 0x40)
      );
    case 3:
      return (
        0x12 |
        set(state.cutterError, 0x08) |
        set(state.unrecoverableError, 0x20) |
        set(state.autoRecoverableError, 0x40)
      );
    case 4:
      return 0x12 | set(state.paperNearEnd, 0x0c) | set(state.paperOut, 0x60);
  }
}

/** Encodes a state as a 4-byte ASB frame. */
export function encodeAsb(state: RawPrinterState): Uint8Array {
  const set = (cond: boolean, mask: number): number => (cond ? mask : 0);
  return Uint8Array.of(
    0x10 | set(state.offline, 0x08) | set(state.coverOpen, 0x20),
    set(state.cutterError, 0x08) |
      set(state.unrecoverableError, 0x20) |
      set(state.autoRecoverableError, 0x40),
    set(state.paperNearEnd, 0x03) | set(state.paperOut, 0x0c),
    0x00,
  );
}

const hasError = (s: RawPrinterState): boolean =>
  s.cutterError || s.unrecoverableError || s.autoRecoverableError;

/** The offline is implied by paper out or cover open: report the cause, not just "offline". */
export function toPrinterStatus(state: RawPrinterState, reachable = true): PrinterStatus {
  const online = reachable && !state.offline && !state.paperOut && !state.coverOpen;
  return {
    online,
    coverOpen: state.coverOpen,
    paperNearEnd: state.paperNearEnd,
    paperOut: state.paperOut,
    cutterError: state.cutterError,
    message: statusMessage(state, reachable),
  };
}

export function statusMessage(state: RawPrinterState, reachable = true): string | null {
  if (!reachable) return 'The printer does not answer: check its cable and power.';
  if (state.paperOut) return 'The printer is out of paper.';
  if (state.coverOpen) return 'The printer cover is open.';
  if (state.cutterError) return 'The printer cutter is jammed.';
  if (state.unrecoverableError) return 'The printer has a fault and needs service.';
  if (state.offline) return 'The printer is offline.';
  if (state.autoRecoverableError) return 'The printer is recovering from an error (head too hot?).';
  if (state.paperNearEnd) return 'The printer paper roll is nearly empty.';
  return null;
}

export const sameStatus = (a: PrinterStatus, b: PrinterStatus): boolean =>
  a.online === b.online &&
  a.coverOpen === b.coverOpen &&
  a.paperNearEnd === b.paperNearEnd &&
  a.paperOut === b.paperOut &&
  a.cutterError === b.cutterError &&
  a.message === b.message;

export { PRINTER_CONDITIONS, type PrinterCondition };

export function conditionOf(state: RawPrinterState, reachable: boolean): PrinterCondition {
  if (!reachable) return 'offline';
  if (state.paperOut) return 'paper_out';
  if (state.coverOpen) return 'cover_open';
  if (state.cutterError || state.unrecoverableError) return 'error';
  if (state.offline) return 'offline';
  if (state.paperNearEnd) return 'paper_near_end';
  return 'ready';
}
