// TICKET_ALERTED made real: after each queue change of a store, customers who were told to
// come back (mustWait) and whose turn is now near (ptc people / ttc minutes, the store's rule)
// are marked `alerted` once, through the engine, so the change is logged (and its SMS, email
// and webhook go out through the outbox like any other).
import type { Customer } from '../../shared/domain/entities.js';
import { compareQueueOrder } from '../../shared/domain/queue.js';
import { shouldAlert } from '../../shared/domain/turn-near.js';
import type { Change } from '../../shared/protocol/sync.js';
import type { HubData } from '../db/hub-repo.js';
import type { HubEngine } from '../engine/hub-engine.js';
import { estimateAt, readEstimateContext } from '../engine/handlers/estimate.js';

export const TURN_NEAR_ORIGIN = 'hub:turn-near';

/**
 * The store's customers to mark `alerted` now. Per service, its waiting customers are taken in
 * call order and the first whose turn is not near ends the search: everyone behind has more
 * people before them and so a longer wait. A change costs a few counts, not one per customer.
 */
async function dueAlerts(tx: HubData, storeId: string, now: Date): Promise<Customer[]> {
  const ctx = await readEstimateContext(tx, storeId, now);
  if (ctx === null) return [];
  const { store, day } = ctx;
  const services = await ctx.services();
  const servicesById = new Map(services.map((s) => [s.id, s]));
  const candidates = new Map<string, Customer[]>();
  for (const c of await tx.queueCustomers(storeId, day)) {
    if (c.state !== 'waiting' || !c.mustWait || c.alerted) continue;
    const ofService = candidates.get(c.serviceId);
    if (ofService === undefined) candidates.set(c.serviceId, [c]);
    else ofService.push(c);
  }
  const due: Customer[] = [];
  for (const ofService of candidates.values()) {
    ofService.sort((a, b) => compareQueueOrder(a, b, servicesById));
    for (const c of ofService) {
      if (!shouldAlert(c, await estimateAt(ctx, c), store)) break;
      due.push(c);
    }
  }
  return due;
}

/** Marks every customer of the store whose turn became near; returns how many. */
export async function alertTurnNear(
  engine: HubEngine,
  storeId: string,
  now: Date = new Date(),
): Promise<number> {
  // Looked for without the store's lock first: most changes bring nobody's turn near, and the
  // lock would hold up the store's commands. Found ones are checked again under the lock.
  if ((await engine.repo.read((tx) => dueAlerts(tx, storeId, now))).length === 0) return 0;
  return engine.mutate(
    async (append, tx) => {
      const due = await dueAlerts(tx, storeId, now);
      for (const c of due) {
        const customer = { ...c, alerted: true, updatedAt: now.toISOString() };
        await append(storeId, 'alerted', { kind: 'customer', customer }, TURN_NEAR_ORIGIN);
      }
      return due.length;
    },
    [storeId],
  );
}

/**
 * Whether a change may bring someone's turn near. A ticket taken now joins behind the others
 * (or, prioritized, ahead of them): nobody gets closer, and its own turn was weighed when it was
 * issued. A ticket issued earlier (a kiosk's offline block) may be near already: checked.
 */
export function mayBringTurnsNear(change: Change): boolean {
  if (change.entity.kind !== 'customer') return false;
  if (change.event === 'alerted' || change.event === 'handed_out') return false;
  if (change.event !== 'registered') return true;
  return Date.parse(change.entity.customer.sortAt) < Date.parse(change.at) - 1000;
}

/**
 * Re-evaluates each store whose queue changed (after commit), one check at a time: changes that
 * come in meanwhile are checked together by the next one. Returns the stop, which resolves once
 * the check under way (if any) is over: the hub closes its storage only after that.
 */
export function watchTurnNear(
  engine: HubEngine,
  onError: (error: unknown) => void,
): () => Promise<void> {
  const pending = new Set<string>();
  let stopped = false;
  let running: Promise<void> | null = null;
  const run = async (): Promise<void> => {
    while (pending.size > 0 && !stopped) {
      const [storeId] = pending;
      if (storeId === undefined) break;
      pending.delete(storeId);
      try {
        await alertTurnNear(engine, storeId);
      } catch (error) {
        onError(error);
      }
    }
  };
  const kick = (): void => {
    if (running !== null || stopped || pending.size === 0) return;
    running = new Promise<void>((resolve) => setImmediate(resolve)).then(run).finally(() => {
      running = null;
      // A change heard between the last check and now.
      kick();
    });
  };
  const unsubscribe = engine.onChanges((changes: readonly Change[]) => {
    for (const change of changes) if (mayBringTurnsNear(change)) pending.add(change.storeId);
    kick();
  });
  return async () => {
    stopped = true;
    unsubscribe();
    pending.clear();
    await running;
  };
}
