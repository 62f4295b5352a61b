// A device asks the hub for a ticket's page path (for the QR it prints): the page token needs a
// secret only the hub has. One schema set for the hub's route and the device's request.
import { z } from 'zod';
import { IdSchema } from '../domain/entities.js';
import { PageTokenSchema, ticketPageBase } from '../scanner/payload.js';
import { DeviceCredentialSchema } from './sync.js';

export const TICKET_PATH_ROUTE = '/phone/ticket-path';

export const TicketPathRequestSchema = z.object({
  credential: DeviceCredentialSchema,
  customerId: IdSchema,
});
export type TicketPathRequest = z.infer<typeof TicketPathRequestSchema>;

export const TicketPathResponseSchema = z.object({
  /** `/t/<page token>`: the ticket's page. */
  path: z.string().regex(/^\/t\/[A-Za-z0-9_.-]+$/),
  /** `/q/<store id>`: the store's join page. */
  storePath: z.string().regex(/^\/q\/[A-Za-z0-9_-]+$/),
});
export type TicketPathResponse = z.infer<typeof TicketPathResponseSchema>;

/** The page token in a ticket path, or null when the path is not a ticket page's. */
export function tokenOfTicketPath(path: string): string | null {
  const token = path.startsWith('/t/') ? path.slice(3) : '';
  return PageTokenSchema.safeParse(token).success ? token : null;
}

/**
 * The store's join page (`HUB/q/STORE`) for the QR on the kiosk and the screen: null when the
 * store takes no phone tickets or the hub URL is not one a phone could open.
 */
export function storeJoinUrl(
  hubUrl: string,
  store: { id: string; phoneQueue: { enabled: boolean } },
): string | null {
  if (!store.phoneQueue.enabled || !/^https?:\/\//i.test(hubUrl)) return null;
  try {
    return `${ticketPageBase(hubUrl)}/q/${encodeURIComponent(store.id)}`;
  } catch {
    return null;
  }
}
