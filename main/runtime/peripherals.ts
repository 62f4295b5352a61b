// The drivers the runtime uses, behind the small interfaces of shared-names.md. They are loaded
// only when configured, so a desk or a screen never loads printer code.
import type { Health, PrinterStatus } from '../../shared/api/appliance-api.js';
import type { ReceiptPrinter } from '../../drivers/printer/index.js';
import type { Logger } from './logger.js';

export type PrinterPort = Pick<
  ReceiptPrinter,
  'print' | 'testPrint' | 'status' | 'onStatus' | 'close'
>;

export interface PagerPort {
  page(pagerNumber: number, message?: string): Promise<void>;
  health():
    { ok: boolean; message: string | null } | Promise<{ ok: boolean; message: string | null }>;
  close(): Promise<void>;
}

export interface ScannerPort {
  close(): Promise<void> | void;
}

type Health1 = NonNullable<Health['pager']>;

// Pager and scanner drivers resolve at run time so the runtime boots while they are missing.
const PAGER_MODULE = '../../drivers/pager/index.js';
const SCANNER_MODULE = '../../drivers/scanner/index.js';

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class Peripherals {
  printer: PrinterPort | null = null;
  pager: PagerPort | null = null;
  scanner: ScannerPort | null = null;
  private printerProblem: string | null = null;
  private pagerHealth: Health1 | null = null;
  private scannerHealth: Health1 | null = null;

  constructor(
    private readonly urls: { printer?: string; pager?: string; scanner?: string },
    private readonly log: Logger,
    private readonly onChange: () => void,
  ) {}

  async open(onScan: (payload: string) => void): Promise<void> {
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
        const mod = (await import(PAGER_MODULE)) as {
          openPager: (url: string, options: { protocol: string }) => PagerPort | Promise<PagerPort>;
        };
        this.pager = await mod.openPager(pager, { protocol: 'jtech' });
        this.pagerHealth = { configured: true, ok: true, message: null };
      } catch (error) {
        this.pagerHealth = { configured: true, ok: false, message: `Pager: ${message(error)}` };
        this.log.error(this.pagerHealth.message ?? '');
      }
    }
    if (scanner !== undefined) {
      try {
        const mod = (await import(SCANNER_MODULE)) as {
          openScanner: (url: string, options?: object) => unknown;
        };
        const opened = (await mod.openScanner(scanner, {})) as {
          on?: (event: string, listener: (payload: string) => void) => void;
          onScan?: (listener: (payload: string) => void) => void;
          close(): Promise<void> | void;
        };
        if (typeof opened.onScan === 'function') opened.onScan(onScan);
        else opened.on?.('scan', onScan);
        this.scanner = opened;
        this.scannerHealth = { configured: true, ok: true, message: null };
      } catch (error) {
        this.scannerHealth = { configured: true, ok: false, message: `Scanner: ${message(error)}` };
        this.log.error(this.scannerHealth.message ?? '');
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
    return { printer, pager: this.pagerHealth, scanner: this.scannerHealth };
  }

  /** Why a print cannot even be tried, or null. */
  printerUnavailable(): string | null {
    if (this.printer !== null) return null;
    return this.printerProblem ?? 'No receipt printer is configured on this ticket machine.';
  }

  async page(pagerNumber: number, text?: string): Promise<void> {
    if (this.pager === null) return;
    try {
      await this.pager.page(pagerNumber, text);
      this.pagerHealth = { configured: true, ok: true, message: null };
    } catch (error) {
      this.pagerHealth = { configured: true, ok: false, message: `Pager: ${message(error)}` };
      this.log.warn(this.pagerHealth.message ?? '');
      this.onChange();
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.printer?.close(), this.pager?.close(), this.scanner?.close()]);
  }
}
