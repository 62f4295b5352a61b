// Folding a state delta into the state it follows: the same `ApplianceState` a full state event
// would have carried, so views never know deltas exist. Lists stay in id order, as the runtime
// sends them in a full state.
import type { ApplianceState, ApplianceStateDelta } from './appliance-api.js';

type StoreState = NonNullable<ApplianceState['store']>;
type ListKey = 'services' | 'devices' | 'customers' | 'blocks';
const LISTS: readonly ListKey[] = ['services', 'devices', 'customers', 'blocks'];

function mergeList<T extends { id: string }>(
  current: readonly T[],
  upserts: readonly T[] | undefined,
  removed: readonly string[],
): T[] {
  if ((upserts === undefined || upserts.length === 0) && removed.length === 0) return [...current];
  const byId = new Map(current.map((item) => [item.id, item]));
  let added = false;
  for (const item of upserts ?? []) {
    if (!byId.has(item.id)) added = true;
    byId.set(item.id, item);
  }
  for (const id of removed) byId.delete(id);
  const out = [...byId.values()];
  if (added) out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return out;
}

/** The state after `delta`; null when there is no store to fold it into (wait for a full one). */
export function applyStateDelta(
  state: ApplianceState,
  delta: ApplianceStateDelta,
): ApplianceState | null {
  const store = state.store;
  if (store === null) return null;
  const { store: d, ...rest } = delta;
  const next: StoreState = {
    ...store,
    position: d.position,
    organization: d.organization ?? store.organization,
    store: d.store ?? store.store,
  };
  for (const key of LISTS) {
    (next as Record<ListKey, unknown>)[key] = mergeList<{ id: string }>(
      store[key],
      d[key],
      d.removed[key],
    );
  }
  return { ...rest, store: next };
}
