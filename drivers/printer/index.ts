// The printer driver's door: `openPrinter(url)` for the runtime, the pure encoder and status
// decoding for tests and tools.
import { transportFromUrl } from '../transport/url.js';
import type { TransportFactories } from '../transport/url.js';
import { EscPosPrinter, PrinterError } from './printer.js';
import type { PrinterOptions, ReceiptPrinter } from './printer.js';
import { isPrinterProfileId } from './profiles.js';

export { EscPosPrinter, PrinterError } from './printer.js';
export type { PrinterErrorCode, PrinterOptions, PrintResult, ReceiptPrinter } from './printer.js';
export { encodeTicket, encodeTestPrint, formatStoreTime, needsRaster } from './encoder.js';
export { PRINTER_PROFILES, profileForPaper } from './profiles.js';
export type { PaperWidth, PrinterProfile, PrinterProfileId } from './profiles.js';
export { PRINTER_CONDITIONS, conditionOf } from './status.js';
export type { PrinterCondition } from './status.js';
export { PrintableTicketSchema, TestPrintInfoSchema } from './ticket.js';
export type { PrintableTicket, TestPrintInfo } from './ticket.js';

export interface OpenPrinterOptions extends PrinterOptions, TransportFactories {}

/**
 * Takes `profile=<id>` out of a device URL: the model (paper width, code pages) is the printer's,
 * so it is configured with it, e.g. `tcp://10.0.0.9:9100?profile=generic-58`.
 */
export function splitProfile(url: string): { url: string; profile: string | null } {
  const q = url.indexOf('?');
  if (q === -1) return { url, profile: null };
  const params = new URLSearchParams(url.slice(q + 1));
  const profile = params.get('profile');
  params.delete('profile');
  const rest = params.toString();
  return { url: url.slice(0, q) + (rest ? `?${rest}` : ''), profile };
}

/**
 * Opens `tcp://host:9100`, `serial:/dev/ttyX?baud=19200`, `file:/dev/usb/lp0` or `usb:VID:PID`,
 * each optionally with `?profile=epson-80|generic-58` (epson-80 when not given).
 * Returns at once; the first status check runs in the background (see onStatus).
 */
export function openPrinter(url: string, options: OpenPrinterOptions = {}): ReceiptPrinter {
  const { url: deviceUrl, profile } = splitProfile(url);
  if (profile !== null && !isPrinterProfileId(profile)) {
    throw new PrinterError('invalid', `Unknown printer profile "${profile}" in ${url}`);
  }
  let transport;
  try {
    transport = transportFromUrl(deviceUrl, { tcpPort: 9100, baudRate: 19200 }, options);
  } catch (error) {
    throw new PrinterError('invalid', (error as Error).message, { cause: error });
  }
  const printer = new EscPosPrinter(transport, {
    ...options,
    profile: options.profile ?? profile ?? undefined,
  });
  void printer.refreshStatus();
  return printer;
}
