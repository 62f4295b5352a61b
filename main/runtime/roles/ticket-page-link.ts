// The printed ticket's QR: the ticket's phone page on the hub (`HUB/t/TOKEN`), which a phone
// camera opens and the store's scanners read as the ticket. The token needs the hub's secret, so
// the machine asks the hub (`POST /phone/ticket-path`) right after the hub took the ticket. A
// ticket the hub has not got yet (offline) gets no page: the caller prints the Lineup payload.
import {
  TICKET_PATH_ROUTE,
  TicketPathResponseSchema,
  tokenOfTicketPath,
  type TicketPathRequest,
} from '../../../shared/protocol/ticket-page.js';
import { formatTicketPageUrl, parseScanPayload } from '../../../shared/scanner/index.js';
import type { RuntimeContext } from '../runtime-context.js';

/** Long enough for a hub that just answered the ticket's own command; short for the customer. */
const PAGE_LINK_TIMEOUT_MS = 2000;

/** The ticket's page URL, or null (no link to the hub, no answer, or an answer not to print). */
export async function ticketPageUrl(
  ctx: RuntimeContext,
  customerId: string,
  timeoutMs = PAGE_LINK_TIMEOUT_MS,
): Promise<string | null> {
  const credential = ctx.db?.loadConfig().config?.credential;
  if (credential === undefined || ctx.sync()?.connected !== true) return null;
  const { hubUrl, log } = ctx.options;
  const request: TicketPathRequest = { credential, customerId };
  try {
    const response = await fetch(new URL(TICKET_PATH_ROUTE, hubUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) {
      log.warn(`ticket page link: the hub answered HTTP ${response.status}`);
      return null;
    }
    const answer = TicketPathResponseSchema.safeParse(await response.json());
    const token = answer.success ? tokenOfTicketPath(answer.data.path) : null;
    if (token === null) {
      log.warn('ticket page link: the hub answered something that is not a ticket page path');
      return null;
    }
    const url = formatTicketPageUrl(hubUrl, token);
    // Never print a code this store's own scanners would refuse.
    return parseScanPayload(url, { hubUrl }).ok ? url : null;
  } catch (error) {
    log.warn(`ticket page link: ${(error as Error).message}`);
    return null;
  }
}
