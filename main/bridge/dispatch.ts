// The door between a UI and the runtime: every call is checked against the shared method table
// (name, params) before it reaches the appliance, and every answer is checked on the way out.
// The WebSocket server and Electron's IPC both call `dispatch`, so they cannot drift.
import type { z } from 'zod';
import {
  ApplianceError,
  applianceMethods,
  type ApplianceWireEvent,
  type ApplianceMethod,
  type MethodResult,
} from '../../shared/api/appliance-api.js';
import type { Appliance } from '../runtime/appliance.js';

type Params<M extends ApplianceMethod> = z.output<(typeof applianceMethods)[M]['params']>;

export type ApplianceHandlers = {
  [M in ApplianceMethod]: (params: Params<M>) => Promise<MethodResult<M>>;
};

export interface Bridge {
  dispatch(method: string, params: unknown): Promise<unknown>;
  subscribe(listener: (event: ApplianceWireEvent) => void): () => void;
}

export function applianceHandlers(appliance: Appliance): ApplianceHandlers {
  return {
    getState: async () => appliance.getState(),
    register: (p) => appliance.register(p),
    checkIn: (p) => appliance.checkIn(p.code),
    callNext: () => appliance.callNext(),
    callCustomer: (p) => appliance.deskCommand({ type: 'call_customer', payload: p }, 'calling'),
    recall: (p) => appliance.deskCommand({ type: 'recall', payload: p }, 'recalling'),
    startServing: (p) => appliance.deskCommand({ type: 'start_serving', payload: p }, 'serving'),
    finish: (p) => appliance.deskCommand({ type: 'finish', payload: p }, 'finishing'),
    noShow: (p) => appliance.deskCommand({ type: 'no_show', payload: p }, 'marking a no-show'),
    transfer: (p) => appliance.deskCommand({ type: 'transfer', payload: p }, 'transferring'),
    setDeskStatus: (p) => appliance.setDeskStatus(p),
    testPrint: () => appliance.testPrint(),
    reprint: (p) => appliance.reprint(p.customerId),
  } satisfies ApplianceHandlers;
}

function isMethod(name: string): name is ApplianceMethod {
  return Object.hasOwn(applianceMethods, name);
}

/** The error shape sent over the wire; messages are fit to show a person. */
export function toWireError(error: unknown): { code: ApplianceError['code']; message: string } {
  if (error instanceof ApplianceError) return { code: error.code, message: error.message };
  return {
    code: 'internal',
    message: `Something went wrong on this device: ${error instanceof Error ? error.message : String(error)}`,
  };
}

export function createBridge(
  handlers: ApplianceHandlers,
  subscribe: Bridge['subscribe'],
  onInternalError: (method: string, error: unknown) => void = () => {},
): Bridge {
  return {
    subscribe,
    async dispatch(method, rawParams) {
      if (!isMethod(method)) throw new ApplianceError('invalid', `Unknown method "${method}".`);
      const spec = applianceMethods[method];
      const params = spec.params.safeParse(rawParams ?? {});
      if (!params.success) {
        const issue = params.error.issues[0];
        const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
        throw new ApplianceError(
          'invalid',
          `${method}: ${where}${issue?.message ?? 'invalid parameters'}`,
        );
      }
      let result: unknown;
      try {
        const handler = handlers[method] as (p: unknown) => Promise<unknown>;
        result = await handler(params.data);
      } catch (error) {
        if (!(error instanceof ApplianceError)) onInternalError(method, error);
        throw error;
      }
      const checked = spec.result.safeParse(result);
      if (!checked.success) {
        onInternalError(method, checked.error);
        throw new ApplianceError(
          'internal',
          `The runtime produced an invalid answer to ${method}.`,
        );
      }
      return checked.data;
    },
  };
}
