// One client for the appliance API over any transport: the Electron preload (IPC) and the
// browser (localhost WebSocket) both build their `ApplianceApi` here, so they cannot drift.
// The runtime sends one full state, then deltas; the client folds them back into `state` events.
import {
  ApplianceError,
  ApplianceErrorSchema,
  ApplianceWireEventSchema,
  applianceMethods,
  type ApplianceApi,
  type ApplianceEvent,
  type ApplianceMethod,
  type ApplianceState,
} from './appliance-api.js';
import { applyStateDelta } from './state-delta.js';

export interface ApplianceTransport {
  /** Sends one call; resolves with the raw result or rejects with `{ code, message }`. */
  invoke(method: ApplianceMethod, params: unknown): Promise<unknown>;
  /** Delivers every raw event frame; returns the unsubscribe. */
  onEvent(listener: (event: unknown) => void): () => void;
}

function toApplianceError(error: unknown): ApplianceError {
  if (error instanceof ApplianceError) return error;
  const parsed = ApplianceErrorSchema.safeParse(error);
  if (parsed.success) return new ApplianceError(parsed.data.code, parsed.data.message);
  const message = error instanceof Error ? error.message : String(error);
  return new ApplianceError('internal', message);
}

export function createApplianceClient(transport: ApplianceTransport): ApplianceApi {
  /** The state deltas fold into (a full state event or a getState answer resets it). */
  let current: ApplianceState | null = null;
  const listeners = new Set<(event: ApplianceEvent) => void>();
  let listening = false;
  const onWireEvent = (raw: unknown) => {
    const parsed = ApplianceWireEventSchema.safeParse(raw);
    if (!parsed.success) return;
    let event: ApplianceEvent;
    if (parsed.data.type === 'state_delta') {
      const folded = current === null ? null : applyStateDelta(current, parsed.data.delta);
      // Nothing to fold into: the next full state (or getState answer) fills it in.
      if (folded === null) return;
      current = folded;
      event = { type: 'state', state: folded };
    } else {
      if (parsed.data.type === 'state') current = parsed.data.state;
      event = parsed.data;
    }
    for (const listener of [...listeners]) listener(event);
  };
  const methods = Object.fromEntries(
    (Object.keys(applianceMethods) as ApplianceMethod[]).map((method) => {
      const { params: paramsSchema, result: resultSchema } = applianceMethods[method];
      const call = async (params?: unknown) => {
        const checked = paramsSchema.safeParse(params ?? {});
        if (!checked.success)
          throw new ApplianceError('invalid', checked.error.issues[0]?.message ?? 'invalid');
        let raw: unknown;
        try {
          raw = await transport.invoke(method, checked.data);
        } catch (error) {
          throw toApplianceError(error);
        }
        const result = resultSchema.safeParse(raw);
        if (!result.success) throw new ApplianceError('internal', `unexpected answer to ${method}`);
        // An answer is as new as every event sent before it on the same channel.
        if (method === 'getState') current = result.data as ApplianceState;
        return result.data;
      };
      return [method, call];
    }),
  );
  return {
    ...(methods as Omit<ApplianceApi, 'subscribe'>),
    subscribe(listener: (event: ApplianceEvent) => void) {
      listeners.add(listener);
      // One transport subscription folds for every listener; it lives as long as the client.
      if (!listening) {
        listening = true;
        transport.onEvent(onWireEvent);
      } else if (current !== null) listener({ type: 'state', state: current });
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
