// The browser side of the localhost bridge: one WebSocket to the runtime, reconnecting with
// backoff. Calls are never replayed after a drop (a register could then issue two tickets):
// they fail with a message a person can read, and the screen keeps its last state.
import { RpcResponseSchema, type ApplianceMethod } from '../../shared/api/appliance-api.js';
import type { ApplianceTransport } from '../../shared/api/client.js';

export type BridgeStatus = 'connecting' | 'open' | 'closed';

export interface WebSocketTransport extends ApplianceTransport {
  status(): BridgeStatus;
  onStatus(listener: (status: BridgeStatus) => void): () => void;
  close(): void;
}

export interface WebSocketTransportOptions {
  url: string;
  /** First reconnect delay; doubles up to maxDelayMs. */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** A call with no answer after this long fails (the runtime may be stuck). */
  callTimeoutMs?: number;
  createSocket?: (url: string) => WebSocket;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  timer: ReturnType<typeof setTimeout>;
}

const LOST = {
  code: 'not_ready',
  message: 'The connection to this device was lost. Please try again in a moment.',
} as const;

export function createWebSocketTransport(options: WebSocketTransportOptions): WebSocketTransport {
  const minDelay = options.minDelayMs ?? 250;
  const maxDelay = options.maxDelayMs ?? 5000;
  const callTimeout = options.callTimeoutMs ?? 20_000;
  const createSocket = options.createSocket ?? ((url: string) => new WebSocket(url));
  const eventListeners = new Set<(event: unknown) => void>();
  const statusListeners = new Set<(status: BridgeStatus) => void>();
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let socket: WebSocket | null = null;
  let status: BridgeStatus = 'connecting';
  let delay = minDelay;
  let closedByUs = false;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;

  const setStatus = (next: BridgeStatus) => {
    if (next === status) return;
    status = next;
    for (const listener of statusListeners) listener(next);
  };

  const failAll = () => {
    for (const [id, call] of pending) {
      clearTimeout(call.timer);
      call.reject(LOST);
      pending.delete(id);
    }
  };

  const onMessage = (data: unknown) => {
    if (typeof data !== 'string') return;
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return;
    }
    const frame = RpcResponseSchema.safeParse(json);
    if (!frame.success) return;
    const value = frame.data;
    if ('event' in value) {
      for (const listener of eventListeners) listener(value.event);
      return;
    }
    const call = pending.get(value.id);
    if (call === undefined) return;
    pending.delete(value.id);
    clearTimeout(call.timer);
    if ('error' in value) call.reject(value.error);
    else call.resolve(value.result);
  };

  const connect = () => {
    retryTimer = null;
    setStatus('connecting');
    let ws: WebSocket;
    try {
      ws = createSocket(options.url);
    } catch {
      scheduleRetry();
      return;
    }
    socket = ws;
    ws.addEventListener('open', () => {
      delay = minDelay;
      setStatus('open');
    });
    ws.addEventListener('message', (event) => onMessage(event.data));
    ws.addEventListener('close', () => {
      if (socket !== ws) return;
      socket = null;
      failAll();
      setStatus('closed');
      if (!closedByUs) scheduleRetry();
    });
    // An error is always followed by close, which does the work.
    ws.addEventListener('error', () => undefined);
  };

  const scheduleRetry = () => {
    if (closedByUs || retryTimer !== null) return;
    retryTimer = setTimeout(connect, delay);
    delay = Math.min(delay * 2, maxDelay);
  };

  connect();

  return {
    invoke(method: ApplianceMethod, params: unknown) {
      const ws = socket;
      if (ws === null || ws.readyState !== WebSocket.OPEN) return Promise.reject(LOST);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject({ code: 'internal', message: 'This device did not answer in time.' });
        }, callTimeout);
        pending.set(id, { resolve, reject, timer });
        ws.send(JSON.stringify({ id, method, params }));
      });
    },
    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    status: () => status,
    onStatus(listener) {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    close() {
      closedByUs = true;
      if (retryTimer !== null) clearTimeout(retryTimer);
      failAll();
      socket?.close();
      socket = null;
      setStatus('closed');
    },
  };
}
