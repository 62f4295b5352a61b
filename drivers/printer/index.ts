// The printer driver's door: `openPrinter(url)` for the runtime, the pure encoder and status
// decoding for tests and tools.
import { transportFromUrl } from '../transport/url.js';
import type { TransportFactories } from '../transport/url.js';
import { EscPosPrinter, PrinterError } from './printer.js';
import type { PrinterOptions, ReceiptPrinter } from './printer.js';

export { EscPosPrinter, PrinterError } from './printer.js';
export type { PrinterErrorCode, PrinterOptions, ReceiptPrinter } from './printer.js';
export { encodeTicket, encodeTestPrint, formatStoreTime, needsRaster } from './encoder.js';
export { PRINTER_PROFILES, profileForPaper } from './profiles.js';
export type { PaperWidth, PrinterProfile, PrinterProfileId } from './profiles.js';
export { PrintableTicketSchema, TestPrintInfoSchema } from './ticket.js';
export type { PrintableTicket, TestPrintInfo } from './ticket.js';

export interface OpenPrinterOptions extends PrinterOptions, TransportFactories {}

/**
 * Opens `tcp://host:9100`, `serial:/dev/ttyX?baud=19200`, `file:/dev/usb/lp0` or `usb:VID:PID`.
 * Returns at once; the first status check runs in the background (see onStatus).
 */
export function openPrinter(url: string, options: OpenPrinterOptions = {}): ReceiptPrinter {
  let transport;
  try {
    transport = transportFromUrl(url, { tcpPort: 9100, baudRate: 19200 }, options);
  } catch (error) {
    throw new PrinterError('invalid', (error as Error).message, { cause: error });
  }
  const printer = new EscPosPrinter(transport, options);
  void printer.refreshStatus();
  return printer;
}
