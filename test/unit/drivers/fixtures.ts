// Shared test data for the driver tests.
import type { PrintableTicket } from '../../../drivers/printer/index.js';

export const latinTicket = (over: Partial<PrintableTicket> = {}): PrintableTicket => ({
  storeName: 'Lineup Démo',
  serviceName: 'Réparation œuvre',
  ticket: 'A12',
  peopleBefore: 3,
  waitMinutes: 14.6,
  issuedAt: '2026-03-01T09:05:00Z',
  timeZone: 'Europe/Paris',
  lang: 'FR',
  qrPayload: 'LINEUP:1:demo-store:cust-1:A12',
  pager: 7,
  footer: 'Merci ! å ä ö €',
  ...over,
});
