// A streaming ESC/POS decoder: bytes in (in any chunking), a receipt model out. It is the virtual
// printer's brain and the tests' way of reading back what a driver printed. Unknown or garbage
// bytes are skipped and counted, never thrown: a printer does not crash on bad input either.
// Like a printer, a command waits for every byte it declares (a GS v 0 raster reads xL xH × yL yH
// data bytes, whatever they are), so a job cut off mid-command swallows the start of the next.
import CodepageEncoder from '@point-of-sale/codepage-encoder';
import type { Codepage } from '@point-of-sale/codepage-encoder';
import { codepageByNumber, PRINTER_PROFILES } from '../printer/profiles.js';

export type Align = 'left' | 'center' | 'right';

export interface TextSpan {
  text: string;
  bold: boolean;
  underline: boolean;
  invert: boolean;
  /** Character magnification (GS !), 1..8. */
  width: number;
  height: number;
}

export type ReceiptItem =
  | { kind: 'text'; text: string; align: Align; spans: TextSpan[] }
  | {
      kind: 'qr';
      data: string;
      model: number;
      moduleSize: number;
      errorLevel: 'L' | 'M' | 'Q' | 'H';
    }
  | {
      kind: 'image';
      width: number;
      height: number;
      /** 1 bit per dot, MSB first, rows of ceil(width/8) bytes, 1 = black. */
      bits: Uint8Array;
    }
  | { kind: 'barcode'; symbology: number; data: string }
  | { kind: 'feed'; lines: number };

export interface DecodedReceipt {
  items: ReceiptItem[];
  cut: 'full' | 'partial' | null;
  /** Bytes that made this receipt. */
  byteCount: number;
}

export type DecoderEvent =
  | { type: 'status-request'; n: number }
  | { type: 'asb'; mask: number }
  | { type: 'transmit-status'; n: number }
  | { type: 'printer-id'; n: number }
  | { type: 'receipt'; receipt: DecodedReceipt };

export interface DecoderOptions {
  /** ESC t number → code page (defaults to the Epson numbering of our profiles). */
  codepages?: Map<number, Codepage>;
  /** A single command declaring more payload than this is treated as garbage. */
  maxCommandBytes?: number;
}

const ESC = 0x1b;
const GS = 0x1d;
const FS = 0x1c;
const DLE = 0x10;
const LF = 0x0a;

const NEED_MORE = -1;

interface Style {
  bold: boolean;
  underline: boolean;
  invert: boolean;
  width: number;
  height: number;
  align: Align;
  codepage: number;
}

const defaultStyle = (): Style => ({
  bold: false,
  underline: false,
  invert: false,
  width: 1,
  height: 1,
  align: 'left',
  codepage: 0,
});

const tableCache = new Map<Codepage, number[]>();
function decodeTable(codepage: Codepage): number[] {
  let table = tableCache.get(codepage);
  if (!table) {
    table = CodepageEncoder.getCodepoints(codepage, true);
    tableCache.set(codepage, table);
  }
  return table;
}

export class EscPosDecoder {
  private pending = new Uint8Array(0);
  private style = defaultStyle();
  private spans: TextSpan[] = [];
  private lineAlign: Align | null = null;
  private items: ReceiptItem[] = [];
  private byteCount = 0;
  private qr = { data: '', model: 2, moduleSize: 3, errorLevel: 'L' as 'L' | 'M' | 'Q' | 'H' };
  private readonly codepages: Map<number, Codepage>;
  private readonly maxCommandBytes: number;
  /** Bytes skipped because they did not form a known command. */
  garbageBytes = 0;

  constructor(options: DecoderOptions = {}) {
    this.codepages = options.codepages ?? codepageByNumber(PRINTER_PROFILES['epson-80']);
    this.maxCommandBytes = options.maxCommandBytes ?? 4 * 1024 * 1024;
  }

  /** Feeds bytes; returns what happened (status requests to answer, receipts finished by a cut). */
  push(chunk: Uint8Array): DecoderEvent[] {
    const events: DecoderEvent[] = [];
    const data = new Uint8Array(this.pending.length + chunk.length);
    data.set(this.pending, 0);
    data.set(chunk, this.pending.length);
    let i = 0;
    while (i < data.length) {
      const used = this.command(data, i, events);
      if (used === NEED_MORE) break;
      this.byteCount += used;
      i += used;
    }
    this.pending = data.slice(i);
    return events;
  }

  /**
   * DLE DC4 fn=8 (clear buffers) as a printer runs it: the command being received is cancelled
   * (its bytes so far are dropped) and so is the line not yet printed. What was printed stays on
   * the paper, and the settings stay.
   */
  clearBuffers(): void {
    this.pending = new Uint8Array(0);
    this.spans = [];
    this.lineAlign = null;
  }

  /** True while a command's declared bytes have not all arrived (e.g. half a raster image). */
  hasPendingCommand(): boolean {
    return this.pending.length > 0;
  }

  /** What has been printed since the last cut (not yet a finished receipt). */
  current(): DecodedReceipt {
    return { items: [...this.items, ...this.pendingLine()], cut: null, byteCount: this.byteCount };
  }

  private pendingLine(): ReceiptItem[] {
    if (this.spans.length === 0) return [];
    return [
      {
        kind: 'text',
        text: this.spans.map((s) => s.text).join(''),
        align: this.lineAlign ?? this.style.align,
        spans: [...this.spans],
      },
    ];
  }

  private flushLine(): void {
    this.items.push(
      ...(this.spans.length
        ? this.pendingLine()
        : [{ kind: 'text' as const, text: '', align: this.style.align, spans: [] }]),
    );
    this.spans = [];
    this.lineAlign = null;
  }

  private flushPartialLine(): void {
    if (this.spans.length) this.flushLine();
  }

  private addChar(ch: string): void {
    const s = this.style;
    const last = this.spans[this.spans.length - 1];
    if (this.lineAlign === null) this.lineAlign = s.align;
    if (
      last &&
      last.bold === s.bold &&
      last.underline === s.underline &&
      last.invert === s.invert &&
      last.width === s.width &&
      last.height === s.height
    ) {
      last.text += ch;
    } else {
      this.spans.push({
        text: ch,
        bold: s.bold,
        underline: s.underline,
        invert: s.invert,
        width: s.width,
        height: s.height,
      });
    }
  }

  private cut(kind: 'full' | 'partial', events: DecoderEvent[], used: number): void {
    this.flushPartialLine();
    // Blank lines at the ends are feeds around the cut (the encoder ends with LF after GS V), not
    // content.
    const blank = (item: ReceiptItem | undefined): boolean =>
      item?.kind === 'text' && item.text.trim() === '';
    while (blank(this.items[this.items.length - 1])) this.items.pop();
    while (blank(this.items[0])) this.items.shift();
    events.push({
      type: 'receipt',
      receipt: { items: this.items, cut: kind, byteCount: this.byteCount + used },
    });
    this.items = [];
    this.byteCount = -used; // the caller adds `used` right after
  }

  private garbage(): number {
    this.garbageBytes += 1;
    return 1;
  }

  /** Decodes the command at data[i]; returns bytes used or NEED_MORE. */
  private command(data: Uint8Array, i: number, events: DecoderEvent[]): number {
    const b = data[i] as number;
    const avail = data.length - i;
    const at = (k: number): number => data[i + k] as number;
    if (b === LF) {
      this.flushLine();
      return 1;
    }
    if (b === 0x0d || b === 0x00) return 1;
    if (b === 0x09) {
      this.addChar(' ');
      return 1;
    }
    if (b === 0x0c) {
      this.flushPartialLine();
      return 1;
    }
    if (b === DLE) {
      if (avail < 2) return NEED_MORE;
      const c = at(1);
      if (c === 0x04 || c === 0x05) {
        if (avail < 3) return NEED_MORE;
        if (c === 0x04) events.push({ type: 'status-request', n: at(2) });
        return 3;
      }
      if (c === 0x14) {
        if (avail < 3) return NEED_MORE;
        const len = at(2) === 8 ? 10 : 5;
        return avail < len ? NEED_MORE : len;
      }
      return this.garbage();
    }
    if (b === ESC) return this.esc(data, i, avail, events);
    if (b === GS) return this.gs(data, i, avail, events);
    if (b === FS) {
      if (avail < 2) return NEED_MORE;
      const c = at(1);
      if (c === 0x2e || c === 0x26) return 2; // FS . / FS & (kanji off/on)
      if (c === 0x70) return avail < 4 ? NEED_MORE : 4; // FS p n m (NV image)
      return avail < 3 ? NEED_MORE : 3;
    }
    if (b < 0x20) return this.garbage();
    // Printable byte: decode with the selected code page (ASCII below 0x80 everywhere).
    if (b < 0x80) {
      this.addChar(String.fromCharCode(b));
    } else {
      const cp = this.codepages.get(this.style.codepage);
      const code = cp ? decodeTable(cp)[b] : undefined;
      this.addChar(code !== undefined && code !== 0xfffd ? String.fromCodePoint(code) : '\ufffd');
    }
    return 1;
  }

  private esc(data: Uint8Array, i: number, avail: number, events: DecoderEvent[]): number {
    if (avail < 2) return NEED_MORE;
    const at = (k: number): number => data[i + k] as number;
    const c = at(1);
    const s = this.style;
    switch (c) {
      case 0x40: // ESC @
        this.flushPartialLine();
        this.style = defaultStyle();
        return 2;
      case 0x3c: // ESC < (return home)
        return 2;
      case 0x2a: {
        // ESC * m nL nH d...: column image, 8 or 24 dots high.
        if (avail < 5) return NEED_MORE;
        const m = at(2);
        const columns = at(3) + at(4) * 256;
        const bytesPerColumn = m === 32 || m === 33 ? 3 : 1;
        const len = 5 + columns * bytesPerColumn;
        if (len > this.maxCommandBytes) return this.garbage();
        if (avail < len) return NEED_MORE;
        const height = bytesPerColumn * 8;
        const rowBytes = Math.ceil(columns / 8);
        const bits = new Uint8Array(rowBytes * height);
        for (let x = 0; x < columns; x++) {
          for (let k = 0; k < bytesPerColumn; k++) {
            const v = data[i + 5 + x * bytesPerColumn + k] as number;
            for (let bit = 0; bit < 8; bit++) {
              if (v & (0x80 >> bit)) {
                const y = k * 8 + bit;
                bits[y * rowBytes + (x >> 3)]! |= 0x80 >> (x & 7);
              }
            }
          }
        }
        this.flushPartialLine();
        this.items.push({ kind: 'image', width: columns, height, bits });
        return len;
      }
      case 0x64: // ESC d n: feed n lines
        if (avail < 3) return NEED_MORE;
        this.flushPartialLine();
        if (at(2) > 0) this.items.push({ kind: 'feed', lines: at(2) });
        return 3;
      case 0x70: // ESC p m t1 t2 (drawer)
        return avail < 5 ? NEED_MORE : 5;
      case 0x69: // ESC i / ESC m: legacy cuts
      case 0x6d:
        this.cut(c === 0x69 ? 'full' : 'partial', events, 2);
        return 2;
      case 0x32: // ESC 2
        return 2;
      case 0x63: // ESC c 3|4|5 n
        return avail < 4 ? NEED_MORE : 4;
      case 0x44: {
        // ESC D n1..nk NUL (tab stops)
        const end = data.indexOf(0, i + 2);
        if (end === -1) return avail > 34 ? this.garbage() : NEED_MORE;
        return end - i + 1;
      }
    }
    if (avail < 3) return NEED_MORE;
    const n = at(2);
    switch (c) {
      case 0x21: // ESC ! n: print mode
        s.bold = (n & 0x08) !== 0;
        s.height = n & 0x10 ? 2 : 1;
        s.width = n & 0x20 ? 2 : 1;
        s.underline = (n & 0x80) !== 0;
        return 3;
      case 0x45: // ESC E n
        s.bold = (n & 1) === 1;
        return 3;
      case 0x2d: // ESC - n
        s.underline = n === 1 || n === 2 || n === 0x31 || n === 0x32;
        return 3;
      case 0x61: {
        // ESC a n
        const v = n >= 0x30 ? n - 0x30 : n;
        s.align = v === 1 ? 'center' : v === 2 ? 'right' : 'left';
        if (this.spans.length === 0) this.lineAlign = null;
        return 3;
      }
      case 0x74: // ESC t n
        s.codepage = n;
        return 3;
      case 0x4a: // ESC J n: feed n dots
        return 3;
      default:
        // ESC M, ESC G, ESC 3, ESC R, ESC r, ESC V, ESC {, ESC SP, ESC U ...: one parameter.
        return 3;
    }
  }

  private gs(data: Uint8Array, i: number, avail: number, events: DecoderEvent[]): number {
    if (avail < 2) return NEED_MORE;
    const at = (k: number): number => data[i + k] as number;
    const c = at(1);
    if (c === 0x28) {
      // GS ( fn pL pH payload
      if (avail < 5) return NEED_MORE;
      const fnLetter = at(2);
      const len = 5 + at(3) + at(4) * 256;
      if (len > this.maxCommandBytes) return this.garbage();
      if (avail < len) return NEED_MORE;
      if (fnLetter === 0x6b && len >= 7) this.qrCommand(data.subarray(i + 5, i + len));
      return len;
    }
    if (c === 0x76) {
      // GS v 0 m xL xH yL yH d...: raster image
      if (avail < 8) return NEED_MORE;
      if (at(2) !== 0x30) return this.garbage();
      const rowBytes = at(4) + at(5) * 256;
      const height = at(6) + at(7) * 256;
      const len = 8 + rowBytes * height;
      if (len > this.maxCommandBytes) return this.garbage();
      if (avail < len) return NEED_MORE;
      this.flushPartialLine();
      this.items.push({
        kind: 'image',
        width: rowBytes * 8,
        height,
        bits: data.slice(i + 8, i + len),
      });
      return len;
    }
    if (c === 0x56) {
      // GS V m [n]
      if (avail < 3) return NEED_MORE;
      const m = at(2);
      const partial = m === 1 || m === 0x31 || m === 66 || m === 98 || m === 104;
      const len = m >= 65 ? 4 : 3;
      if (avail < len) return NEED_MORE;
      this.cut(partial ? 'partial' : 'full', events, len);
      return len;
    }
    if (c === 0x6b) {
      // GS k m ...: barcode
      if (avail < 3) return NEED_MORE;
      const m = at(2);
      if (m <= 6) {
        const end = data.indexOf(0, i + 3);
        if (end === -1) return avail > 256 ? this.garbage() : NEED_MORE;
        this.pushBarcode(m, data.subarray(i + 3, end));
        return end - i + 1;
      }
      if (avail < 4) return NEED_MORE;
      const len = 4 + at(3);
      if (avail < len) return NEED_MORE;
      this.pushBarcode(m, data.subarray(i + 4, len + i));
      return len;
    }
    if (c === 0x4c || c === 0x57 || c === 0x50) return avail < 4 ? NEED_MORE : 4; // GS L / W / P
    if (avail < 3) return NEED_MORE;
    const n = at(2);
    const s = this.style;
    switch (c) {
      case 0x21: // GS ! n
        s.width = ((n >> 4) & 0x07) + 1;
        s.height = (n & 0x07) + 1;
        return 3;
      case 0x42: // GS B n
        s.invert = (n & 1) === 1;
        return 3;
      case 0x61: // GS a n: automatic status back
        events.push({ type: 'asb', mask: n });
        return 3;
      case 0x72: // GS r n
        events.push({ type: 'transmit-status', n });
        return 3;
      case 0x49: // GS I n
        events.push({ type: 'printer-id', n });
        return 3;
      default:
        return 3; // GS h, GS w, GS H, GS f, GS b ...: one parameter
    }
  }

  private pushBarcode(symbology: number, bytes: Uint8Array): void {
    this.flushPartialLine();
    this.items.push({ kind: 'barcode', symbology, data: String.fromCharCode(...bytes) });
  }

  /** GS ( k cn fn ...: the QR code functions (cn 49). */
  private qrCommand(p: Uint8Array): void {
    const cn = p[0];
    const fn = p[1];
    if (cn !== 0x31) return;
    switch (fn) {
      case 0x41: // 165: model
        this.qr.model = p[2] === 0x31 ? 1 : p[2] === 0x33 ? 3 : 2;
        break;
      case 0x43: // 167: module size
        this.qr.moduleSize = p[2] ?? 3;
        break;
      case 0x45: // 169: error level
        this.qr.errorLevel = (['L', 'M', 'Q', 'H'] as const)[(p[2] ?? 0x30) - 0x30] ?? 'L';
        break;
      case 0x50: // 180: store data (m = 0x30)
        this.qr.data = new TextDecoder('utf-8', { fatal: false }).decode(p.subarray(3));
        break;
      case 0x51: // 181: print the stored symbol
        this.flushPartialLine();
        this.items.push({ kind: 'qr', ...this.qr });
        break;
    }
  }
}

/** The receipt's text lines, trimmed (what a person reads), images and QR codes as markers. */
export function receiptText(receipt: DecodedReceipt): string[] {
  return receipt.items.flatMap((item) => {
    if (item.kind === 'text') return [item.text.trim()];
    if (item.kind === 'qr') return [`[QR ${item.data}]`];
    if (item.kind === 'image') return [`[image ${item.width}x${item.height}]`];
    if (item.kind === 'barcode') return [`[barcode ${item.data}]`];
    return [];
  });
}
