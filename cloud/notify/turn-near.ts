// TICKET_ALERTED made real: after each queue change of a store, customers who were told to
// come back (mustWait) and whose turn is now near (ptc people / ttc minutes, the store's rule)
// are marked `alerted` once, through the engine, so the change is logged (and its SMS, email
// and webhook go out through the outbox like any other).
import { shouldAlert } from '../../shared/domain/turn-near.js';
import { storeDay } from '../../shared/domain/numbering.js';
import type { Change } from '../../shared/protocol/sync.js';
import type { HubEngine } from '../engine/hub-engine.js';
import { estimateAt } from '../engine/handlers/estimate.js';

export const TURN_NEAR_ORIGIN = 'hub:turn-near';

/** Marks every customer of the store whose turn became near; returns how many. */
export function alertTurnNear(
  engine: HubEngine,
  storeId: string,
  now: Date = new Date(),
): Promise<number> {
  return engine.mutate(
    async (append, tx) => {
      const store = await tx.store(storeId);
      if (store === null) return 0;
      const day = storeDay(now, store.timeZone);
      const services = await tx.services(storeId);
      const devices = await tx.devices(storeId);
      const ctx = {
        repo: tx,
        store,
        day,
        services: () => Promise.resolve(services),
        devices: () => Promise.resolve(devices),
      };
      let alerted = 0;
      for (const c of await tx.queueCustomers(storeId, day)) {
        if (!c.mustWait || c.state !== 'waiting' || c.alerted) continue;
        const estimate = await estimateAt(ctx, {
          id: c.id,
          serviceId: c.serviceId,
          prioritized: c.prioritized,
          sortAt: c.sortAt,
          arrivalSeq: c.arrivalSeq,
        });
        if (!shouldAlert(c, estimate, store)) continue;
        const customer = { ...c, alerted: true, updatedAt: now.toISOString() };
        await append(storeId, 'alerted', { kind: 'customer', customer }, TURN_NEAR_ORIGIN);
        alerted += 1;
      }
      return alerted;
    },
    [storeId],
  );
}

/** Re-evaluates a store after its queue changed (coalesced, after commit); returns the stop. */
export function watchTurnNear(engine: HubEngine, onError: (error: unknown) => void): () => void {
  const pending = new Set<string>();
  let scheduled = false;
  const run = async (): Promise<void> => {
    scheduled = false;
    for (const storeId of [...pending]) {
      pending.delete(storeId);
      try {
        await alertTurnNear(engine, storeId);
      } catch (error) {
        onError(error);
      }
    }
  };
  return engine.onChanges((changes: readonly Change[]) => {
    for (const change of changes) {
      if (change.entity.kind === 'customer' && change.event !== 'alerted')
        pending.add(change.storeId);
    }
    if (pending.size > 0 && !scheduled) {
      scheduled = true;
      setImmediate(() => void run());
    }
  });
}
