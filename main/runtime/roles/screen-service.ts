// The wall screen: turns a call (or recall) from the replica into one announcement.
import type { CallAnnouncement } from '../../../shared/api/appliance-api.js';
import type { Customer } from '../../../shared/domain/entities.js';
import { screenDisplay } from '../../../shared/domain/display.js';
import type { Change } from '../../../shared/protocol/sync.js';
import type { RuntimeContext } from '../runtime-context.js';

export class ScreenService {
  constructor(private readonly ctx: RuntimeContext) {}

  /** `key` identifies the change, so a replayed change is never announced twice. */
  announce(change: Change, customer: Customer, key: string): void {
    const db = this.ctx.db;
    if (db === null) return;
    const me = this.ctx.device()?.id;
    const service = db.service(customer.serviceId);
    // A service may name the screens that show it; the others stay silent.
    if (
      service !== null &&
      service.screenIds.length > 0 &&
      me !== undefined &&
      !service.screenIds.includes(me)
    )
      return;
    if (!db.markAnnounced(key, change.at)) return;
    const store = db.store();
    const desk = customer.deskId === null ? null : db.device(customer.deskId);
    const call: CallAnnouncement = {
      key,
      customerId: customer.id,
      ticket: customer.ticket,
      deskId: customer.deskId ?? '',
      deskName: desk?.name ?? '',
      lang: customer.lang,
      display: store === null ? null : screenDisplay(customer, store.display),
      recall: change.event === 'recalled',
      at: change.at,
    };
    if (call.deskId === '') return;
    this.ctx.emit({ type: 'call', call });
  }
}
