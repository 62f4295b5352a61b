// Loads a page's data, again every `pollMs` when given (live pages), and again on `reload()`
// after a change. Keeps the last good data on a failed refresh and says what failed.
import { useCallback, useEffect, useRef, useState } from 'react';

export interface Loaded<T> {
  data: T | null;
  error: unknown;
  loadedAt: Date | null;
  reload: () => void;
}

export function useLoad<T>(
  load: () => Promise<T>,
  deps: readonly unknown[],
  pollMs?: number,
): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: unknown; loadedAt: Date | null }>({
    data: null,
    error: null,
    loadedAt: null,
  });
  const [tick, setTick] = useState(0);
  const latest = useRef(load);
  useEffect(() => {
    latest.current = load;
  });
  useEffect(() => {
    let live = true;
    latest.current().then(
      (data) => live && setState({ data, error: null, loadedAt: new Date() }),
      (error: unknown) => live && setState((s) => ({ ...s, error })),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller names what the load depends on
  }, [...deps, tick]);
  useEffect(() => {
    if (pollMs === undefined) return;
    const timer = setInterval(() => setTick((t) => t + 1), pollMs);
    return () => clearInterval(timer);
  }, [pollMs]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}
