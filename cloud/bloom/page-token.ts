// A ticket page's token: `<customer id>.<MAC>`, the MAC an HMAC of the id with a secret only the
// hub has. The id in clear lets a scanner name the customer; the MAC makes the page unguessable
// and lets the hub trust a scanned page URL as a ticket reference (check-in).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { HubRepo } from '../db/hub-repo.js';

export type PageSecretRepo = Pick<HubRepo, 'hubSecret'>;

/** The hub's page secret (made once, kept in the hub's store). */
export function pageSecret(repo: PageSecretRepo): Promise<string> {
  return repo.hubSecret('bloom-ticket-page', () => randomBytes(32).toString('hex'));
}

function mac(secret: string, customerId: string): string {
  return createHmac('sha256', secret).update(customerId).digest('base64url').slice(0, 27);
}

export function pageTokenOf(secret: string, customerId: string): string {
  return `${customerId}.${mac(secret, customerId)}`;
}

/** The customer id a token names, or null when the hub did not make this token. */
export function customerIdOfPageToken(secret: string, token: string): string | null {
  const dot = token.lastIndexOf('.');
  if (dot <= 0) return null;
  const id = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1));
  const expected = Buffer.from(mac(secret, id));
  return given.length === expected.length && timingSafeEqual(given, expected) ? id : null;
}
