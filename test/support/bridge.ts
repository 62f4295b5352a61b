// Talks to a runtime the way its UI does: the bridge token from its index.html, then the
// WebSocket bridge, through the shared appliance client.
import { WebSocket } from 'ws';
import type { ApplianceApi } from '../../shared/api/appliance-api.js';
import { createApplianceClient } from '../../shared/api/client.js';

export async function bridgeToken(url: string): Promise<string> {
  const html = await (await fetch(url)).text();
  const token = html.match(/<meta name="lineup-bridge" content="([^"]+)">/)?.[1];
  if (token === undefined) throw new Error(`no bridge token in ${url}`);
  return token;
}

export interface OpenBridge {
  api: ApplianceApi;
  close(): void;
}

/** The appliance API of the runtime at `url`; calls fail with `internal` once it is closed. */
export async function openBridge(url: string): Promise<OpenBridge> {
  const token = await bridgeToken(url);
  const ws = new WebSocket(
    `${url.replace(/^http/, 'ws').replace(/\/?$/, '/')}bridge?token=${encodeURIComponent(token)}`,
  );
  let next = 1;
  const pending = new Map<number, { ok: (v: unknown) => void; fail: (e: unknown) => void }>();
  const listeners = new Set<(event: unknown) => void>();
  // The runtime sends its state as soon as the socket opens, often in the same packet as the
  // upgrade: listen before 'open', and keep events until someone subscribes.
  let early: unknown[] | null = [];
  ws.on('message', (data: Buffer) => {
    const frame = JSON.parse(data.toString()) as {
      id?: number;
      result?: unknown;
      error?: unknown;
      event?: unknown;
    };
    if (frame.event !== undefined) {
      if (early !== null) early.push(frame.event);
      for (const l of listeners) l(frame.event);
      return;
    }
    const p = frame.id === undefined ? undefined : pending.get(frame.id);
    if (p === undefined || frame.id === undefined) return;
    pending.delete(frame.id);
    if (frame.error !== undefined) p.fail(frame.error);
    else p.ok(frame.result);
  });
  await new Promise<void>((ok, fail) => {
    ws.once('open', () => ok());
    ws.once('error', fail);
  });
  ws.on('close', () => {
    for (const p of pending.values()) p.fail({ code: 'internal', message: 'bridge closed' });
    pending.clear();
  });
  const api = createApplianceClient({
    invoke(method, params) {
      const id = next++;
      return new Promise((ok, fail) => {
        if (ws.readyState !== ws.OPEN) {
          fail({ code: 'internal', message: 'bridge closed' });
          return;
        }
        pending.set(id, { ok, fail });
        ws.send(JSON.stringify({ id, method, params }));
      });
    },
    onEvent(listener) {
      listeners.add(listener);
      for (const event of early ?? []) listener(event);
      early = null;
      return () => listeners.delete(listener);
    },
  });
  return { api, close: () => ws.close() };
}
