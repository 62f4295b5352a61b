// Turns each appended change into outbox rows inside the change's own transaction, and lets a
// Lineberty partner subscribe a ticket's pushID (which sends the TICKET_BOOKED it missed).
import type { Customer } from '../../shared/domain/entities.js';
import type { Change } from '../../shared/protocol/sync.js';
import type { HubRepo } from '../db/hub-repo.js';
import type { HubEngine } from '../engine/hub-engine.js';
import { getApiAccount } from '../rest/api-keys.js';
import {
  linebertyNotifications,
  notificationsFor,
  type NotifyContext,
} from './notifications-for.js';
import { organizationWebhook, reminderSchedule } from './settings.js';

/** What the hub knows about a customer's notifications, read in the current transaction. */
export function notifyContext(repo: HubRepo, customer: Customer): NotifyContext | null {
  const store = repo.store(customer.storeId);
  if (store === null) return null;
  const account = getApiAccount(repo, customer.registeredBy);
  return {
    store,
    webhookUrl: organizationWebhook(repo, store.organizationId)?.url ?? null,
    pushId: repo.pushId(customer.id),
    fvUrls:
      account === null
        ? null
        : { apiKey: account.key, next: account.urls.next, processed: account.urls.processed },
    reminders: reminderSchedule(repo),
  };
}

/** Installs the outbox hook on the engine; returns the uninstall. */
export function installOutbox(engine: HubEngine, onEnqueued: () => void): () => void {
  return engine.onAppend((change: Change) => {
    if (change.entity.kind !== 'customer') return;
    const ctx = notifyContext(engine.repo, change.entity.customer);
    if (ctx === null) return;
    const entries = notificationsFor(change, ctx);
    if (entries.length > 0 && engine.repo.enqueueOutbox(entries, Date.parse(change.at)) > 0) {
      onEnqueued();
    }
  });
}

export type SubscribeResult = 'subscribed' | 'not_found';

/**
 * Keeps `pushId` for the ticket and, in the same transaction, queues the TICKET_BOOKED (and the
 * appointment reminders) the partner could not get before it subscribed.
 */
export function subscribePushId(
  repo: HubRepo,
  customerId: string,
  pushId: string,
  now: Date,
): SubscribeResult {
  return repo.transaction(() => {
    const customer = repo.customer(customerId);
    if (customer === null) return 'not_found';
    repo.setPushId(customer.id, pushId, now.toISOString());
    const ctx = notifyContext(repo, customer);
    if (ctx !== null && (customer.state === 'booked' || customer.state === 'waiting')) {
      repo.enqueueOutbox(
        linebertyNotifications(customer, 'registered', ctx, now.getTime()),
        now.getTime(),
      );
    }
    return 'subscribed';
  });
}
