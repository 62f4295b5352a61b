// React glue for the appliance API: one subscription for the whole window, the latest state
// through useSyncExternalStore (no tearing), and typed hooks for call and notice events.
import {
  createContext,
  useContext,
  useEffect,
  useRef,
  useSyncExternalStore,
  type ReactNode,
} from 'react';
import type {
  ApplianceApi,
  ApplianceEvent,
  ApplianceState,
} from '../../shared/api/appliance-api.js';
import type { ApplianceConnection } from './get-api.js';
import type { BridgeStatus } from './ws-transport.js';

type EventOf<T extends ApplianceEvent['type']> = Extract<ApplianceEvent, { type: T }>;

export interface ApplianceStore {
  api: ApplianceApi;
  getState(): ApplianceState | null;
  getBridgeStatus(): BridgeStatus;
  subscribe(onChange: () => void): () => void;
  onEvent(listener: (event: ApplianceEvent) => void): () => void;
  dispose(): void;
}

export function createApplianceStore(connection: ApplianceConnection): ApplianceStore {
  const { api } = connection;
  let state: ApplianceState | null = null;
  let bridge = connection.bridgeStatus();
  const changeListeners = new Set<() => void>();
  const eventListeners = new Set<(event: ApplianceEvent) => void>();
  const notify = () => {
    for (const listener of changeListeners) listener();
  };
  const refresh = () => {
    api.getState().then(
      (next) => {
        state = next;
        notify();
      },
      // The next `state` event or reconnect fills it in.
      () => undefined,
    );
  };
  const unsubscribe = api.subscribe((event) => {
    if (event.type === 'state') {
      state = event.state;
      notify();
    }
    for (const listener of eventListeners) listener(event);
  });
  const unwatch = connection.onBridgeStatus((status) => {
    bridge = status;
    if (status === 'open') refresh();
    notify();
  });
  if (bridge === 'open') refresh();
  return {
    api,
    getState: () => state,
    getBridgeStatus: () => bridge,
    subscribe(onChange) {
      changeListeners.add(onChange);
      return () => changeListeners.delete(onChange);
    },
    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    dispose() {
      unsubscribe();
      unwatch();
    },
  };
}

const StoreContext = createContext<ApplianceStore | null>(null);

export function ApplianceProvider({
  store,
  children,
}: {
  store: ApplianceStore;
  children: ReactNode;
}) {
  return <StoreContext.Provider value={store}>{children}</StoreContext.Provider>;
}

function useStore(): ApplianceStore {
  const store = useContext(StoreContext);
  if (store === null) throw new Error('ApplianceProvider is missing');
  return store;
}

export function useApi(): ApplianceApi {
  return useStore().api;
}

export function useApplianceState(): ApplianceState | null {
  const store = useStore();
  return useSyncExternalStore(store.subscribe, store.getState);
}

export function useBridgeStatus(): BridgeStatus {
  const store = useStore();
  return useSyncExternalStore(store.subscribe, store.getBridgeStatus);
}

/** Calls `handler` for every event of that type; the latest handler is used without resubscribing. */
export function useApplianceEvent<T extends ApplianceEvent['type']>(
  type: T,
  handler: (event: EventOf<T>) => void,
): void {
  const store = useStore();
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  useEffect(
    () =>
      store.onEvent((event) => {
        if (event.type === type) latest.current(event as EventOf<T>);
      }),
    [store, type],
  );
}
