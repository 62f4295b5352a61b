// Serial scanners send a code then a suffix (CR, CR LF or Tab, per their setup). This framer cuts
// the byte stream into codes; a code with no suffix ends after an inter-byte silence (scanners set
// up without suffix); oversized runs are dropped with a reason. Pure core + a small stream, the
// way node-serialport's parsers are built.
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';

export type ScanSuffix = 'cr' | 'crlf' | 'lf' | 'tab' | 'auto';

export interface FramerOptions {
  suffix?: ScanSuffix;
  /** Silence after which collected bytes count as a code (0 = never). */
  interByteTimeoutMs?: number;
  maxLength?: number;
}

export type Frame = { kind: 'code'; text: string } | { kind: 'rejected'; reason: string };

const CR = 0x0d;
const LF = 0x0a;
const TAB = 0x09;

export class ScanFramer {
  private buf: number[] = [];
  private overflow = false;
  private lastWasCr = false;
  private readonly suffix: ScanSuffix;
  private readonly maxLength: number;
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });

  constructor(options: FramerOptions = {}) {
    this.suffix = options.suffix ?? 'auto';
    this.maxLength = options.maxLength ?? 512;
  }

  private isEnd(b: number): boolean {
    switch (this.suffix) {
      case 'cr':
      case 'crlf':
        return b === CR;
      case 'lf':
        return b === LF;
      case 'tab':
        return b === TAB;
      case 'auto':
        return b === CR || b === LF || b === TAB;
    }
  }

  push(bytes: Uint8Array): Frame[] {
    const frames: Frame[] = [];
    for (const b of bytes) {
      // The LF of a CR LF pair is part of the suffix, not the next code.
      if (b === LF && this.lastWasCr && this.suffix !== 'lf') {
        this.lastWasCr = false;
        continue;
      }
      this.lastWasCr = b === CR;
      if (this.isEnd(b)) {
        const frame = this.end();
        if (frame) frames.push(frame);
        continue;
      }
      if (this.overflow) continue;
      this.buf.push(b);
      if (this.buf.length > this.maxLength) {
        this.overflow = true;
        this.buf = [];
      }
    }
    return frames;
  }

  /** Ends the current code (suffix seen, or silence). */
  end(): Frame | null {
    if (this.overflow) {
      this.overflow = false;
      this.buf = [];
      return { kind: 'rejected', reason: `code longer than ${this.maxLength} bytes` };
    }
    if (this.buf.length === 0) return null;
    const text = this.decoder.decode(Uint8Array.from(this.buf));
    this.buf = [];
    return { kind: 'code', text };
  }

  get pending(): boolean {
    return this.buf.length > 0 || this.overflow;
  }
}

/** ScanFramer as a stream of Frame objects, with the inter-byte timeout. */
export class ScanFramerStream extends Transform {
  private readonly framer: ScanFramer;
  private timer: NodeJS.Timeout | null = null;
  private readonly timeoutMs: number;

  constructor(options: FramerOptions = {}) {
    super({ readableObjectMode: true });
    this.framer = new ScanFramer(options);
    this.timeoutMs = options.interByteTimeoutMs ?? 100;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.timer) clearTimeout(this.timer);
    for (const frame of this.framer.push(chunk)) this.push(frame);
    if (this.timeoutMs > 0 && this.framer.pending) {
      this.timer = setTimeout(() => {
        this.timer = null;
        const frame = this.framer.end();
        if (frame) this.push(frame);
      }, this.timeoutMs);
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.timer) clearTimeout(this.timer);
    const frame = this.framer.end();
    if (frame) this.push(frame);
    done();
  }
}
