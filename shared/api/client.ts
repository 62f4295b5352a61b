// One client for the appliance API over any transport: the Electron preload (IPC) and the
// browser (localhost WebSocket) both build their `ApplianceApi` here, so they cannot drift.
import {
  ApplianceError,
  ApplianceErrorSchema,
  ApplianceEventSchema,
  applianceMethods,
  type ApplianceApi,
  type ApplianceEvent,
  type ApplianceMethod,
} from './appliance-api.js';

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
        return result.data;
      };
      return [method, call];
    }),
  );
  return {
    ...(methods as Omit<ApplianceApi, 'subscribe'>),
    subscribe(listener: (event: ApplianceEvent) => void) {
      return transport.onEvent((raw) => {
        const event = ApplianceEventSchema.safeParse(raw);
        if (event.success) listener(event.data);
      });
    },
  };
}
