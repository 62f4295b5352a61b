// A serial (USB-CDC) scanner: frames codes out of the byte stream, parses them (shared/scanner),
// hands them to listeners, and reopens the port when it goes away (a scanner unplugged and
// plugged back).
import type { PeripheralHealth } from '../health.js';
import { parseScanPayload } from '../../shared/scanner/payload.js';
import type { ScanParseResult } from '../../shared/scanner/payload.js';
import type { ByteTransport } from '../transport/types.js';
import { ScanFramerStream } from './framing.js';
import type { Frame, FramerOptions } from './framing.js';

export interface Scan {
  /** The code as read (suffix removed). */
  text: string;
  /** What it means, or why it is refused. */
  parsed: ScanParseResult;
  at: string;
}

export interface ScannerOptions extends FramerOptions {
  /** Delay before reopening a lost port; 0 = do not reopen. */
  reopenMs?: number;
}

export interface Scanner {
  /** The payload string first (the runtime's contract), the parsed detail second. */
  onScan(listener: (text: string, scan: Scan) => void): () => void;
  /** Input dropped before parsing (oversized bursts). */
  onRejected(listener: (reason: string) => void): () => void;
  health(): PeripheralHealth;
  /** Resolves once the port is open (rejects when it cannot be). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export class SerialScanner implements Scanner {
  private readonly scans = new Set<(text: string, scan: Scan) => void>();
  private readonly rejections = new Set<(reason: string) => void>();
  private current: PeripheralHealth = {
    configured: true,
    ok: false,
    message: 'Opening the scanner…',
  };
  private readonly framer: ScanFramerStream;
  private closed = false;
  private reopenTimer: NodeJS.Timeout | null = null;
  private opening: Promise<void>;
  private readonly offs: (() => void)[];

  constructor(
    private readonly transport: ByteTransport,
    private readonly options: ScannerOptions = {},
  ) {
    this.framer = new ScanFramerStream(options);
    this.framer.on('data', (frame: Frame) => this.onFrame(frame));
    this.offs = [
      transport.onData((bytes) => this.framer.write(bytes)),
      transport.onClose((error) => {
        this.current = {
          configured: true,
          ok: false,
          message: `The scanner went away${error ? ` (${error.message})` : ''}.`,
        };
        this.scheduleReopen();
      }),
    ];
    this.opening = this.open();
    this.opening.catch(() => undefined);
  }

  private async open(): Promise<void> {
    try {
      await this.transport.open();
      this.current = { configured: true, ok: true, message: null };
    } catch (error) {
      this.current = {
        configured: true,
        ok: false,
        message: `The scanner cannot be opened: ${(error as Error).message}`,
      };
      this.scheduleReopen();
      throw error;
    }
  }

  private scheduleReopen(): void {
    const ms = this.options.reopenMs ?? 2000;
    if (this.closed || ms <= 0 || this.reopenTimer) return;
    this.reopenTimer = setTimeout(() => {
      this.reopenTimer = null;
      this.opening = this.open();
      this.opening.catch(() => undefined);
    }, ms);
    this.reopenTimer.unref();
  }

  private onFrame(frame: Frame): void {
    if (frame.kind === 'rejected') {
      for (const l of [...this.rejections]) safe(() => l(frame.reason));
      return;
    }
    const scan: Scan = {
      text: frame.text,
      parsed: parseScanPayload(frame.text),
      at: new Date().toISOString(),
    };
    for (const l of [...this.scans]) safe(() => l(scan.text, scan));
  }

  onScan(listener: (text: string, scan: Scan) => void): () => void {
    this.scans.add(listener);
    return () => this.scans.delete(listener);
  }

  onRejected(listener: (reason: string) => void): () => void {
    this.rejections.add(listener);
    return () => this.rejections.delete(listener);
  }

  health(): PeripheralHealth {
    return this.current;
  }

  ready(): Promise<void> {
    return this.opening;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.reopenTimer) clearTimeout(this.reopenTimer);
    for (const off of this.offs) off();
    this.framer.end();
    await this.transport.close();
  }
}

function safe(fn: () => void): void {
  try {
    fn();
  } catch {
    // a listener's bug must not stop the scanner
  }
}
