// The drivers the runtime uses, behind the small interfaces of shared-names.md. They are loaded
// only when configured, so a desk or a screen never loads printer code.
import type { Health, PrinterStatus } from '../../shared/api/appliance-api.js';
import type { DeviceHealth } from '../../shared/protocol/sync.js';
import type { ReceiptPrinter } from '../../drivers/printer/index.js';
import type { Logger } from '../common/logger.js';
import { parsePagerUrl } from '../../drivers/pager/pager-url.js';

export type PrinterPort = Pick<
  ReceiptPrinter,
  'print' | 'testPrint' | 'status' | 'onStatus' | 'condition' | 'close'
>;

export interface PagerPort {
  page(pagerNumber: number, message?: string): Promise<void>;
  health(): PeripheralHealth;
  onHealth(listener: (health: PeripheralHealth) => void): () => void;
  close(): Promise<void>;
}

export interface ScannerPort {
  health(): PeripheralHealth;
  close(): Promise<void>;
}

export interface ScanHandlers {
  /** A code as read from the serial scanner (suffix removed, not yet parsed). */
  onScan(text: string): void;
  /** Input the scanner driver dropped before it became a code (oversized bursts). */
  onRejected(reason: string): void;
}

type PeripheralHealth = NonNullable<Health['pager']>;

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class Peripherals {
  printer: PrinterPort | null = null;
  pager: PagerPort | null = null;
  scanner: ScannerPort | null = null;
  private printerProblem: string | null = null;
  private pagerProblem: PeripheralHealth | null = null;
  private scannerProblem: PeripheralHealth | null = null;

  constructor(
    private readonly urls: { printer?: string; pager?: string; scanner?: string },
    private readonly log: Logger,
    private readonly onChange: () => void,
  ) {}

  async open(scans: ScanHandlers): Promise<void> {
    const { printer, pager, scanner } = this.urls;
    if (printer !== undefined) {
      try {
        const { openPrinter } = await import('../../drivers/printer/index.js');
        this.printer = openPrinter(printer);
        this.printer.onStatus(() => this.onChange());
      } catch (error) {
        this.printerProblem = `Printer ${printer}: ${message(error)}`;
        this.log.error(this.printerProblem);
      }
    }
    if (pager !== undefined) {
      try {
        const { transportUrl, ...options } = parsePagerUrl(pager);
        const { openPager } = await import('../../drivers/pager/index.js');
        const opened = openPager(transportUrl, options);
        opened.onHealth(() => this.onChange());
        this.pager = opened;
        this.log.info(`pager transmitter ${transportUrl} (${options.protocol})`);
      } catch (error) {
        this.pagerProblem = { configured: true, ok: false, message: `Pager: ${message(error)}` };
        this.log.error(this.pagerProblem.message ?? '');
      }
    }
    if (scanner !== undefined) {
      try {
        const { openScanner } = await import('../../drivers/scanner/index.js');
        const opened = openScanner(scanner, {});
        // A scanner's bytes are untrusted: whatever a handler does, the driver keeps reading.
        opened.onScan((text) => scans.onScan(text));
        opened.onRejected((reason) => scans.onRejected(reason));
        this.scanner = opened;
      } catch (error) {
        this.scannerProblem = {
          configured: true,
          ok: false,
          message: `Scanner: ${message(error)}`,
        };
        this.log.error(this.scannerProblem.message ?? '');
      }
    }
  }

  health(): Health {
    let printer: PrinterStatus | null = null;
    if (this.printer !== null) printer = this.printer.status();
    else if (this.printerProblem !== null)
      printer = {
        online: false,
        coverOpen: false,
        paperNearEnd: false,
        paperOut: false,
        cutterError: false,
        message: this.printerProblem,
      };
    return {
      printer,
      pager: this.pager?.health() ?? this.pagerProblem,
      scanner: this.scanner?.health() ?? this.scannerProblem,
    };
  }

  /** What the hub is told of this device's hardware (see shared/protocol DeviceHealth). */
  deviceHealth(): DeviceHealth {
    const { printer, pager, scanner } = this.health();
    const brief = (p: PeripheralHealth | null) =>
      p === null || !p.configured ? null : { ok: p.ok, message: p.message };
    return {
      printer: this.printer?.condition() ?? (this.printerProblem === null ? null : 'offline'),
      printerMessage: printer?.message ?? null,
      pager: brief(pager),
      scanner: brief(scanner),
    };
  }

  /** Why a print cannot even be tried, or null. */
  printerUnavailable(): string | null {
    if (this.printer !== null) return null;
    return this.printerProblem ?? 'No receipt printer is configured on this ticket machine.';
  }

  /**
   * Pages once (the driver retries on NAK or silence); null when it went out, else why not.
   * Never throws: the caller reports the failure to staff.
   */
  async page(pagerNumber: number, text?: string): Promise<string | null> {
    if (this.pager === null)
      return this.pagerProblem?.message ?? 'No pager transmitter is configured.';
    try {
      await this.pager.page(pagerNumber, text);
      return null;
    } catch (error) {
      const why = message(error);
      this.log.warn(why);
      this.onChange();
      return why;
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.printer?.close(), this.pager?.close(), this.scanner?.close()]);
  }
}
