// A receipt printer = a transport + the ESC/POS encoder + status tracking. Where the link is
// two-way, every job is preceded by a DLE EOT status check (out of paper / cover open / offline
// fail fast with a PrinterError) and followed by one (the reply proves the printer got the job:
// a printer that drops the link mid-job is reported, not assumed printed).
import type { PrinterStatus } from '../../shared/api/appliance-api.js';
import type { ByteTransport } from '../transport/types.js';
import { encodeTestPrint, encodeTicket } from './encoder.js';
import { PRINTER_PROFILES, isPrinterProfileId } from './profiles.js';
import type { PrinterProfile, PrinterProfileId } from './profiles.js';
import {
  DLE_EOT,
  ENABLE_ASB,
  StatusFrameParser,
  applyAsb,
  applyRealtimeReply,
  okState,
  sameStatus,
  toPrinterStatus,
} from './status.js';
import type { RawPrinterState } from './status.js';
import { PrintableTicketSchema, TestPrintInfoSchema } from './ticket.js';
import type { PrintableTicket, TestPrintInfo } from './ticket.js';

export type PrinterErrorCode =
  | 'paper_out'
  | 'cover_open'
  | 'offline'
  | 'printer_error'
  | 'unreachable'
  | 'disconnected'
  | 'invalid'
  | 'closed';

/** A print that did not happen; `message` is fit to show staff. */
export class PrinterError extends Error {
  constructor(
    readonly code: PrinterErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PrinterError';
  }
}

export interface ReceiptPrinter {
  print(ticket: PrintableTicket): Promise<void>;
  testPrint(info: TestPrintInfo): Promise<void>;
  /** Last known status (shared/api PrinterStatusSchema). */
  status(): PrinterStatus;
  /** Called on every status change; returns the unsubscribe. */
  onStatus(listener: (status: PrinterStatus) => void): () => void;
  /** Polls the printer now (two-way links) and returns the fresh status. */
  refreshStatus(): Promise<PrinterStatus>;
  close(): Promise<void>;
}

export interface PrinterOptions {
  /** A profile id or object; by default chosen from each ticket's paper width. */
  profile?: PrinterProfileId | PrinterProfile;
  /** How long to wait for a DLE EOT reply. */
  statusTimeoutMs?: number;
  /** Background status polling period; 0 turns it off. */
  pollIntervalMs?: number;
}

const CHECKING: PrinterStatus = {
  online: false,
  coverOpen: false,
  paperNearEnd: false,
  paperOut: false,
  cutterError: false,
  message: 'Checking the printer…',
};

export class EscPosPrinter implements ReceiptPrinter {
  private state: RawPrinterState = okState();
  private reachable = false;
  private current: PrinterStatus = CHECKING;
  private readonly listeners = new Set<(status: PrinterStatus) => void>();
  private readonly parser = new StatusFrameParser();
  private waiting: { resolve: (byte: number) => void; reject: (error: Error) => void } | null =
    null;
  private lock: Promise<unknown> = Promise.resolve();
  private asbSentOnOpen = false;
  private closed = false;
  private readonly timer: NodeJS.Timeout | null;
  private readonly unsubscribe: (() => void)[];
  private readonly profile: PrinterProfile | null;
  private readonly statusTimeoutMs: number;

  constructor(
    private readonly transport: ByteTransport,
    options: PrinterOptions = {},
  ) {
    this.profile =
      typeof options.profile === 'string'
        ? isPrinterProfileId(options.profile)
          ? PRINTER_PROFILES[options.profile]
          : null
        : (options.profile ?? null);
    if (typeof options.profile === 'string' && !this.profile) {
      throw new PrinterError('invalid', `Unknown printer profile "${options.profile}"`);
    }
    this.statusTimeoutMs = options.statusTimeoutMs ?? 1000;
    this.unsubscribe = [
      transport.onData((bytes) => this.onBytes(bytes)),
      transport.onClose(() => {
        this.asbSentOnOpen = false;
        this.waiting?.reject(new PrinterError('disconnected', 'The printer connection closed.'));
        this.waiting = null;
        this.reachable = false;
        this.publish();
      }),
    ];
    const poll = options.pollIntervalMs ?? 3000;
    this.timer =
      poll > 0
        ? setInterval(() => {
            if (!this.busy) void this.refreshStatus().catch(() => undefined);
          }, poll)
        : null;
    this.timer?.unref();
  }

  private busy = false;

  status(): PrinterStatus {
    return this.current;
  }

  onStatus(listener: (status: PrinterStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private publish(): void {
    const next = toPrinterStatus(this.state, this.reachable);
    if (sameStatus(next, this.current)) return;
    this.current = next;
    for (const listener of [...this.listeners]) {
      try {
        listener(next);
      } catch {
        // a listener's bug must not stop the printer
      }
    }
  }

  private onBytes(bytes: Uint8Array): void {
    for (const frame of this.parser.push(bytes)) {
      if (frame.kind === 'realtime') {
        const waiting = this.waiting;
        this.waiting = null;
        waiting?.resolve(frame.byte);
      } else if (frame.kind === 'asb') {
        this.state = applyAsb(this.state, frame.bytes);
        this.reachable = true;
        this.publish();
      }
      // 'other' bytes (garbage, replies we did not ask for) are ignored on purpose.
    }
  }

  /** Runs fn alone: status queries and jobs never interleave on the wire. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(async () => {
      this.busy = true;
      try {
        return await fn();
      } finally {
        this.busy = false;
      }
    });
    this.lock = run.catch(() => undefined);
    return run;
  }

  private query(n: 1 | 2 | 3 | 4): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.waiting?.resolve === done) this.waiting = null;
        reject(new PrinterError('unreachable', 'The printer does not answer status requests.'));
      }, this.statusTimeoutMs);
      const done = (byte: number): void => {
        clearTimeout(timer);
        resolve(byte);
      };
      this.waiting = {
        resolve: done,
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.transport.write(DLE_EOT(n)).catch((error: unknown) => {
        clearTimeout(timer);
        this.waiting = null;
        reject(
          new PrinterError('disconnected', 'The printer connection was lost.', { cause: error }),
        );
      });
    });
  }

  private async ensureOpen(): Promise<void> {
    if (this.closed) throw new PrinterError('closed', 'The printer driver is closed.');
    try {
      await this.transport.open();
    } catch (error) {
      this.reachable = false;
      this.publish();
      throw new PrinterError(
        'unreachable',
        `The printer cannot be reached (${this.transport.description}).`,
        {
          cause: error,
        },
      );
    }
    if (this.transport.twoWay && !this.asbSentOnOpen) {
      this.asbSentOnOpen = true;
      await this.transport.write(ENABLE_ASB).catch(() => undefined);
    }
  }

  /** Asks DLE EOT 1..4 in turn; must run inside exclusive(). */
  private async poll(): Promise<PrinterStatus> {
    await this.ensureOpen();
    if (!this.transport.twoWay) {
      // A one-way link cannot tell paper or cover; opening it is all we know.
      this.reachable = true;
      this.publish();
      return this.current;
    }
    try {
      let state = this.state;
      for (const n of [1, 2, 3, 4] as const)
        state = applyRealtimeReply(state, n, await this.query(n));
      this.state = state;
      this.reachable = true;
    } catch (error) {
      this.reachable = false;
      this.publish();
      throw error;
    }
    this.publish();
    return this.current;
  }

  refreshStatus(): Promise<PrinterStatus> {
    return this.exclusive(() => this.poll()).catch(() => this.current);
  }

  private refuseIfNotReady(): void {
    const s = this.state;
    if (s.paperOut) throw new PrinterError('paper_out', 'The printer is out of paper.');
    if (s.coverOpen) throw new PrinterError('cover_open', 'The printer cover is open.');
    if (s.cutterError || s.unrecoverableError) {
      throw new PrinterError(
        'printer_error',
        this.current.message ?? 'The printer reports an error.',
      );
    }
    if (s.offline) throw new PrinterError('offline', 'The printer is offline.');
  }

  private send(bytes: Uint8Array): Promise<void> {
    return this.exclusive(async () => {
      await this.poll().catch((error: unknown) => {
        throw error instanceof PrinterError
          ? error
          : new PrinterError('unreachable', 'The printer cannot be reached.', { cause: error });
      });
      this.refuseIfNotReady();
      try {
        await this.transport.write(bytes);
      } catch (error) {
        this.reachable = false;
        this.publish();
        throw new PrinterError(
          'disconnected',
          'The printer connection was lost while printing; the ticket may be incomplete.',
          { cause: error },
        );
      }
      if (this.transport.twoWay) {
        // The reply comes after the printer has read the whole job.
        await this.poll().catch((error: unknown) => {
          throw new PrinterError(
            'disconnected',
            'The printer stopped answering while printing; the ticket may be incomplete.',
            { cause: error },
          );
        });
        if (this.state.paperOut) {
          throw new PrinterError('paper_out', 'The printer ran out of paper during the ticket.');
        }
      }
    });
  }

  async print(ticket: PrintableTicket): Promise<void> {
    const parsed = PrintableTicketSchema.safeParse(ticket);
    if (!parsed.success) {
      throw new PrinterError(
        'invalid',
        `The ticket cannot be printed: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      );
    }
    await this.send(this.encode(parsed.data));
  }

  /** A logo that cannot be decoded must not cost the customer a ticket: print without it. */
  private encode(ticket: PrintableTicket): Uint8Array {
    try {
      return encodeTicket(ticket, this.profile ?? undefined);
    } catch (error) {
      if (ticket.logoPng) {
        try {
          return encodeTicket({ ...ticket, logoPng: undefined }, this.profile ?? undefined);
        } catch {
          // fall through to the error below
        }
      }
      throw new PrinterError(
        'invalid',
        `The ticket cannot be encoded: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }

  async testPrint(info: TestPrintInfo): Promise<void> {
    const parsed = TestPrintInfoSchema.safeParse(info);
    if (!parsed.success)
      throw new PrinterError('invalid', 'The test print information is invalid.');
    await this.send(encodeTestPrint(parsed.data, this.profile ?? undefined));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.lock;
    for (const off of this.unsubscribe) off();
    await this.transport.close();
  }
}
