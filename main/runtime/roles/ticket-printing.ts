// Printing on the ticket printer: the customer's ticket (machine) and the technician's test page.
// A failed print never fails the ticket: the caller gets an outcome that says exactly what
// happened on paper, and nothing more (who has been told is not this layer's to say).
import type { Customer, Service } from '../../../shared/domain/entities.js';
import { t } from '../../../shared/i18n/index.js';
import { formatLineupTicketQr } from '../../../shared/scanner/index.js';
import type { PrinterErrorCode, PrintResult } from '../../../drivers/printer/index.js';
import type { RuntimeContext } from '../runtime-context.js';

export interface PrintOutcome {
  /** The job went out whole (see `confirmed`). */
  printed: boolean;
  /** True when the printer confirmed it read the whole job with paper left; false on a one-way
   * link (a device file), where the bytes were sent and nothing more is known. */
  confirmed: boolean;
  /** Why it was not printed, fit to show staff; null when printed. */
  reason: string | null;
  /** Why, for code: the driver's error code, or `no_printer` when none is usable. */
  code: PrinterErrorCode | 'no_printer' | null;
  /** Some of the job went out before it failed: a stub may be on the paper (the driver cuts it
   * off before the next job). False when nothing of it reached the printer. */
  partial: boolean;
}

const printedOutcome = (result: PrintResult): PrintOutcome => ({
  printed: true,
  confirmed: result.confirmed,
  reason: null,
  code: null,
  partial: false,
});

/** The driver's PrinterError, recognised without loading printer code into every role. */
function failedOutcome(error: unknown): PrintOutcome {
  const reason = error instanceof Error ? error.message : String(error);
  const printerError =
    error instanceof Error && error.name === 'PrinterError'
      ? (error as Error & { code: PrinterErrorCode; partial: boolean })
      : null;
  return {
    printed: false,
    confirmed: false,
    reason,
    code: printerError?.code ?? 'printer_error',
    partial: printerError?.partial ?? false,
  };
}

function noPrinter(reason: string | null): PrintOutcome {
  return {
    printed: false,
    confirmed: false,
    reason: reason ?? 'No receipt printer is configured.',
    code: 'no_printer',
    partial: false,
  };
}

/**
 * Prints a customer's ticket. Its QR is the ticket's phone page (`pageUrl`, see
 * ticket-page-link.ts), which a phone opens and a scanner reads as the ticket; without one (the
 * hub has not got the ticket yet) it is the Lineup payload, which only scanners read, and the
 * ticket says to watch the screen instead.
 */
export async function printTicket(
  ctx: RuntimeContext,
  customer: Customer,
  service: Service,
  estimate: { peopleBefore: number; waitMinutes: number },
  pageUrl: string | null,
): Promise<PrintOutcome> {
  const unavailable = ctx.peripherals.printerUnavailable();
  const printer = ctx.peripherals.printer;
  if (unavailable !== null || printer === null) return noPrinter(unavailable);
  const shop = ctx.db?.store();
  try {
    // No paper width here: the driver encodes for its printer's profile.
    const result = await printer.print({
      storeName: shop?.name ?? 'Lineup',
      header: shop?.ticketTexts.header[customer.lang] ?? '',
      serviceName: service.name[customer.lang] ?? Object.values(service.name)[0] ?? service.id,
      ticket: customer.ticket,
      peopleBefore: estimate.peopleBefore,
      waitMinutes: estimate.waitMinutes,
      issuedAt: customer.registeredAt,
      timeZone: shop?.timeZone ?? 'UTC',
      lang: customer.lang,
      qrPayload:
        pageUrl ??
        formatLineupTicketQr({
          storeId: customer.storeId,
          customerId: customer.id,
          ticket: customer.ticket,
        }),
      qrOpensPage: pageUrl !== null,
      pager: customer.pager,
      // The store's own words (set in the hub console), else the catalog's.
      footer: shop?.ticketTexts.footer[customer.lang] || t(customer.lang, 'ticket.footer'),
    });
    return printedOutcome(result);
  } catch (error) {
    const outcome = failedOutcome(error);
    ctx.options.log.warn(
      `ticket ${customer.ticket} issued but not printed (${outcome.code}${outcome.partial ? ', a stub may be on the paper' : ''}): ${outcome.reason}`,
    );
    ctx.scheduleState();
    return outcome;
  }
}

/** Any role may test its printer (technician view), provisioned or not. */
export async function testPrint(ctx: RuntimeContext): Promise<PrintOutcome> {
  const device = ctx.device();
  const unavailable = ctx.peripherals.printerUnavailable();
  const printer = ctx.peripherals.printer;
  if (unavailable !== null || printer === null) return noPrinter(unavailable);
  const shop = ctx.db?.store();
  try {
    return printedOutcome(
      await printer.testPrint({
        storeName: shop?.name ?? 'Lineup',
        deviceName: device?.name ?? ctx.options.identity.hostname,
        timeZone: shop?.timeZone ?? 'UTC',
      }),
    );
  } catch (error) {
    return failedOutcome(error);
  }
}
