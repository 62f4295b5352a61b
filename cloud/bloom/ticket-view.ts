// What a ticket's page shows, and nothing about anyone else: its number, state, people ahead,
// wait, and the desk that called it. Sent on the read-only `/ticket` socket.io namespace.
import type { Customer, Store } from '../../shared/domain/entities.js';
import { pickText } from '../../shared/i18n/index.js';
import { ticketPlace, type StoreQueue } from './queue-view.js';

export interface TicketView {
  ticket: string;
  state: Customer['state'];
  service: string;
  store: string;
  peopleBefore: number;
  waitMinutes: number;
  /** The desk that called it, while called or being served. */
  desk: string | null;
}

export function ticketView(queue: StoreQueue, customer: Customer, lang: string): TicketView {
  const store: Store = queue.store;
  const service = queue.services.find((s) => s.id === customer.serviceId);
  const place = ticketPlace(queue, customer);
  const deskDevice =
    customer.deskId === null ? undefined : queue.devices.find((d) => d.id === customer.deskId);
  const atDesk = customer.state === 'called' || customer.state === 'serving';
  return {
    ticket: customer.ticket,
    state: customer.state,
    service: service === undefined ? '' : pickText(service.name, lang, store.langs),
    store: store.name,
    peopleBefore: place.peopleBefore,
    waitMinutes: place.waitMinutes,
    desk:
      atDesk && deskDevice !== undefined
        ? pickText(deskDevice.htmlName, lang, store.langs) || deskDevice.name
        : null,
  };
}
