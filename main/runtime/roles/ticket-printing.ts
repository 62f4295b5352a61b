// Printing on the ticket printer: the customer's ticket (machine) and the technician's test page.
// A failed print never fails the ticket: the caller gets the reason to show instead.
import type { Customer, Service } from '../../../shared/domain/entities.js';
import { t } from '../../../shared/i18n/index.js';
import { formatLineupTicketQr } from '../../../shared/scanner/index.js';
import type { RuntimeContext } from '../runtime-context.js';

export interface PrintOutcome {
  printed: boolean;
  reason: string | null;
}

export async function printTicket(
  ctx: RuntimeContext,
  customer: Customer,
  service: Service,
  estimate: { peopleBefore: number; waitMinutes: number },
): Promise<PrintOutcome> {
  const unavailable = ctx.peripherals.printerUnavailable();
  const printer = ctx.peripherals.printer;
  if (unavailable !== null || printer === null) return { printed: false, reason: unavailable };
  const shop = ctx.db?.store();
  try {
    await printer.print({
      storeName: shop?.name ?? 'Lineup',
      serviceName: service.name[customer.lang] ?? Object.values(service.name)[0] ?? service.id,
      ticket: customer.ticket,
      peopleBefore: estimate.peopleBefore,
      waitMinutes: estimate.waitMinutes,
      issuedAt: customer.registeredAt,
      timeZone: shop?.timeZone ?? 'UTC',
      lang: customer.lang,
      qrPayload: formatLineupTicketQr({
        storeId: customer.storeId,
        customerId: customer.id,
        ticket: customer.ticket,
      }),
      pager: customer.pager,
      footer: t(customer.lang, 'ticket.footer'),
      paperWidth: 80,
    });
    return { printed: true, reason: null };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    ctx.options.log.warn(`ticket ${customer.ticket} issued but not printed: ${reason}`);
    ctx.scheduleState();
    return { printed: false, reason };
  }
}

/** Any role may test its printer (technician view), provisioned or not. */
export async function testPrint(ctx: RuntimeContext): Promise<PrintOutcome> {
  const device = ctx.device();
  const unavailable = ctx.peripherals.printerUnavailable();
  const printer = ctx.peripherals.printer;
  if (unavailable !== null || printer === null) return { printed: false, reason: unavailable };
  const shop = ctx.db?.store();
  try {
    await printer.testPrint({
      storeName: shop?.name ?? 'Lineup',
      deviceName: device?.name ?? ctx.options.identity.hostname,
      timeZone: shop?.timeZone ?? 'UTC',
    });
    return { printed: true, reason: null };
  } catch (error) {
    return { printed: false, reason: error instanceof Error ? error.message : String(error) };
  }
}
