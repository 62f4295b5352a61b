// A receipt printer = a transport + the ESC/POS encoder + status tracking. Where the link is
// two-way, every job is preceded by a DLE EOT status check (out of paper / cover open / offline
// fail fast with a PrinterError) and followed by one (the reply proves the printer got the job:
// a printer that drops the link mid-job is reported, not assumed printed). After a job that may
// have been cut off, the printer is resynchronised before anything else is sent (resync.ts).
import type { PrinterStatus } from '../../shared/api/appliance-api.js';
import type { ByteTransport } from '../transport/types.js';
import { encodeTestPrint, encodeTicket } from './encoder.js';
import { PRINTER_PROFILES, isPrinterProfileId } from './profiles.js';
import type { PrinterProfile, PrinterProfileId } from './profiles.js';
import { CLEAR_BUFFERS, paddedReset, resetAfterClear } from './resync.js';
import {
  DLE_EOT,
  ENABLE_ASB,
  StatusFrameParser,
  applyAsb,
  applyRealtimeReply,
  conditionOf,
  okState,
  sameStatus,
  toPrinterStatus,
} from './status.js';
import type { PrinterCondition, RawPrinterState } from './status.js';
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

/**
 * A print that did not happen; `message` is fit to show staff. `partial` is true when bytes of
 * the job were sent before it failed: a stub of it may be on the paper (it is cut off before the
 * next job). False when it was refused before anything was sent: nothing of it is on paper.
 */
export class PrinterError extends Error {
  constructor(
    readonly code: PrinterErrorCode,
    message: string,
    options?: { cause?: unknown; partial?: boolean },
  ) {
    super(message, options);
    this.name = 'PrinterError';
    this.partial = options?.partial ?? false;
  }
  readonly partial: boolean;
}

/**
 * A job that went out whole. `confirmed` is true when the printer answered a status request after
 * reading all of it, with paper left (two-way links); false on a link that cannot answer (a
 * device file), where "sent" is all anyone can know.
 */
export interface PrintResult {
  confirmed: boolean;
}

export interface ReceiptPrinter {
  /** The model this driver encodes for (paper width, dots, code pages). */
  readonly profile: PrinterProfile;
  /** Resolves when printed (see PrintResult); rejects with a PrinterError when it was not. */
  print(ticket: PrintableTicket): Promise<PrintResult>;
  testPrint(info: TestPrintInfo): Promise<PrintResult>;
  /** Last known status (shared/api PrinterStatusSchema). */
  status(): PrinterStatus;
  /** Called on every status change; returns the unsubscribe. */
  onStatus(listener: (status: PrinterStatus) => void): () => void;
  /** Last known condition in one word: ready, paper_near_end, paper_out, cover_open... */
  condition(): PrinterCondition;
  /** Called when the condition changes (not on every status detail); returns the unsubscribe. */
  onCondition(listener: (condition: PrinterCondition, status: PrinterStatus) => void): () => void;
  /** Polls the printer now (two-way links) and returns the fresh status. */
  refreshStatus(): Promise<PrinterStatus>;
  close(): Promise<void>;
}

export interface PrinterOptions {
  /** A profile id or object (paper width, dots, code pages); epson-80 by default. */
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
  private currentCondition: PrinterCondition = 'unknown';
  private readonly conditionListeners = new Set<
    (condition: PrinterCondition, status: PrinterStatus) => void
  >();
  /** Set by a job that failed after bytes went out: the printer must be resynchronised first. */
  private failedJob: Uint8Array | null = null;
  private clearAnswered: (() => void) | null = null;
  private readonly parser = new StatusFrameParser();
  private waiting: { resolve: (byte: number) => void; reject: (error: Error) => void } | null =
    null;
  private lock: Promise<unknown> = Promise.resolve();
  private asbSentOnOpen = false;
  private closed = false;
  private readonly timer: NodeJS.Timeout | null;
  private readonly unsubscribe: (() => void)[];
  readonly profile: PrinterProfile;
  private readonly statusTimeoutMs: number;

  constructor(
    private readonly transport: ByteTransport,
    options: PrinterOptions = {},
  ) {
    const profile = options.profile ?? 'epson-80';
    if (typeof profile === 'string' && !isPrinterProfileId(profile)) {
      throw new PrinterError('invalid', `Unknown printer profile "${profile}"`);
    }
    this.profile = typeof profile === 'string' ? PRINTER_PROFILES[profile] : profile;
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

  condition(): PrinterCondition {
    return this.currentCondition;
  }

  onCondition(listener: (condition: PrinterCondition, status: PrinterStatus) => void): () => void {
    this.conditionListeners.add(listener);
    return () => this.conditionListeners.delete(listener);
  }

  private publish(): void {
    const next = toPrinterStatus(this.state, this.reachable);
    if (sameStatus(next, this.current)) return;
    this.current = next;
    const condition = conditionOf(this.state, this.reachable);
    const conditionChanged = condition !== this.currentCondition;
    this.currentCondition = condition;
    const calls: (() => void)[] = [...this.listeners].map((listener) => () => listener(next));
    if (conditionChanged) {
      for (const listener of [...this.conditionListeners])
        calls.push(() => listener(condition, next));
    }
    for (const call of calls) {
      try {
        call();
      } catch {
        // a listener's bug must not stop the printer
      }
    }
  }

  private onBytes(bytes: Uint8Array): void {
    for (const frame of this.parser.push(bytes)) {
      if (frame.kind === 'cleared') {
        this.clearAnswered?.();
      } else if (frame.kind === 'realtime') {
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

  /** Waits for the Clear response (37 25 00) to DLE DC4 fn=8; false when none comes in time. */
  private clearBuffers(): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.clearAnswered = null;
        resolve(false);
      }, this.statusTimeoutMs);
      this.clearAnswered = () => {
        clearTimeout(timer);
        this.clearAnswered = null;
        resolve(true);
      };
      this.transport.write(CLEAR_BUFFERS).catch(() => {
        clearTimeout(timer);
        this.clearAnswered = null;
        resolve(false);
      });
    });
  }

  /**
   * After a job that failed once bytes were out, before anything else reaches the printer: clear
   * its buffers (or pad out the pending command) and initialise; see resync.ts. Must run inside
   * exclusive(), after ensureOpen(). A write failure leaves the resync pending.
   */
  private async resynchronise(): Promise<void> {
    const failed = this.failedJob;
    if (failed === null) return;
    const cleared = this.transport.twoWay && (await this.clearBuffers());
    await this.transport.write(cleared ? resetAfterClear() : paddedReset(failed));
    this.failedJob = null;
  }

  /** Asks DLE EOT 1..4 in turn; must run inside exclusive(). */
  private async poll(): Promise<PrinterStatus> {
    await this.ensureOpen();
    await this.resynchronise().catch((error: unknown) => {
      this.reachable = false;
      this.publish();
      throw new PrinterError('disconnected', 'The printer connection was lost.', { cause: error });
    });
    if (!this.transport.twoWay) {
      // A one-way link cannot tell paper or cover; opening it is all we know.
      this.reachable = true;
      this.publish();
      return this.current;
    }
    return this.queryAll();
  }

  /** DLE EOT 1..4 on a two-way link; must run inside exclusive(). */
  private async queryAll(): Promise<PrinterStatus> {
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

  private send(bytes: Uint8Array): Promise<PrintResult> {
    return this.exclusive(async () => {
      await this.poll().catch((error: unknown) => {
        throw error instanceof PrinterError
          ? error
          : new PrinterError('unreachable', 'The printer cannot be reached.', { cause: error });
      });
      this.refuseIfNotReady();
      // From here on, a failure may leave part of the job in the printer.
      this.failedJob = bytes;
      try {
        await this.transport.write(bytes);
      } catch (error) {
        this.reachable = false;
        this.publish();
        throw new PrinterError(
          'disconnected',
          'The printer connection was lost while printing; the ticket may be incomplete.',
          { cause: error, partial: true },
        );
      }
      if (!this.transport.twoWay) {
        this.failedJob = null;
        return { confirmed: false };
      }
      // The reply comes after the printer has read the whole job.
      await this.queryAll().catch((error: unknown) => {
        this.reachable = false;
        this.publish();
        throw new PrinterError(
          'disconnected',
          'The printer stopped answering while printing; the ticket may be incomplete.',
          { cause: error, partial: true },
        );
      });
      if (this.state.paperOut) {
        throw new PrinterError('paper_out', 'The printer ran out of paper during the ticket.', {
          partial: true,
        });
      }
      this.failedJob = null;
      return { confirmed: true };
    });
  }

  async print(ticket: PrintableTicket): Promise<PrintResult> {
    const parsed = PrintableTicketSchema.safeParse(ticket);
    if (!parsed.success) {
      throw new PrinterError(
        'invalid',
        `The ticket cannot be printed: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      );
    }
    return this.send(this.encode(parsed.data));
  }

  /** A logo that cannot be decoded must not cost the customer a ticket: print without it. */
  private encode(ticket: PrintableTicket): Uint8Array {
    try {
      return encodeTicket(ticket, this.profile);
    } catch (error) {
      if (ticket.logoPng) {
        try {
          return encodeTicket({ ...ticket, logoPng: undefined }, this.profile);
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

  async testPrint(info: TestPrintInfo): Promise<PrintResult> {
    const parsed = TestPrintInfoSchema.safeParse(info);
    if (!parsed.success)
      throw new PrinterError('invalid', 'The test print information is invalid.');
    return this.send(encodeTestPrint(parsed.data, this.profile));
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
