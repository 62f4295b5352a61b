// Turns each appended change into outbox rows inside the change's own transaction, and lets a
// Lineberty partner subscribe a ticket's pushID (which sends the TICKET_BOOKED it missed).
import type { Customer } from '../../shared/domain/entities.js';
import type { Change } from '../../shared/protocol/sync.js';
import type { HubData, HubRepo } from '../db/hub-repo.js';
import type { HubEngine } from '../engine/hub-engine.js';
import { getApiAccount } from '../rest/api-keys.js';
import {
  linebertyNotifications,
  notificationsFor,
  type NotifyContext,
} from './notifications-for.js';
import { organizationWebhook, reminderSchedule } from './settings.js';

/** What the hub knows about a customer's notifications, read in the current transaction. */
export async function notifyContext(
  repo: HubData,
  customer: Customer,
): Promise<NotifyContext | null> {
  const store = await repo.store(customer.storeId);
  if (store === null) return null;
  const account = await getApiAccount(repo, customer.registeredBy);
  return {
    store,
    webhookUrl: (await organizationWebhook(repo, store.organizationId))?.url ?? null,
    pushId: await repo.pushId(customer.id),
    fvUrls:
      account === null
        ? null
        : { apiKey: account.key, next: account.urls.next, processed: account.urls.processed },
    reminders: await reminderSchedule(repo),
  };
}

/** Installs the outbox hook on the engine; returns the uninstall. */
export function installOutbox(engine: HubEngine, onEnqueued: () => void): () => void {
  // The worker is woken after the commit (an engine whose commit awaits the network would
  // otherwise wake it before the rows can be seen).
  let enqueued = false;
  const stopHook = engine.onAppend(async (change: Change, tx) => {
    if (change.entity.kind !== 'customer') return;
    const ctx = await notifyContext(tx, change.entity.customer);
    if (ctx === null) return;
    const entries = notificationsFor(change, ctx);
    if (entries.length > 0 && (await tx.enqueueOutbox(entries, Date.parse(change.at))) > 0) {
      enqueued = true;
    }
  });
  const stopWake = engine.onChanges(() => {
    if (!enqueued) return;
    enqueued = false;
    onEnqueued();
  });
  return () => {
    stopHook();
    stopWake();
  };
}

export type SubscribeResult = 'subscribed' | 'not_found';

/**
 * Keeps `pushId` for the ticket and, in the same transaction, queues the TICKET_BOOKED (and the
 * appointment reminders) the partner could not get before it subscribed.
 */
export async function subscribePushId(
  repo: HubRepo,
  customerId: string,
  pushId: string,
  now: Date,
): Promise<SubscribeResult> {
  const known = await repo.customer(customerId);
  return repo.transaction({ storeIds: known === null ? [] : [known.storeId] }, async (tx) => {
    const customer = await tx.customer(customerId);
    if (customer === null) return 'not_found';
    await tx.setPushId(customer.id, pushId, now.toISOString());
    const ctx = await notifyContext(tx, customer);
    if (ctx !== null && (customer.state === 'booked' || customer.state === 'waiting')) {
      await tx.enqueueOutbox(
        linebertyNotifications(customer, 'registered', ctx, { ms: now.getTime(), change: null }),
        now.getTime(),
      );
    }
    return 'subscribed';
  });
}
