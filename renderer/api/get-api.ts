// Which appliance API this window talks to: Electron's preload (`window.lineup`), else the
// runtime's localhost WebSocket, authenticated by the per-boot token the runtime injects.
import type { ApplianceApi } from '../../shared/api/appliance-api.js';
import { createApplianceClient } from '../../shared/api/client.js';
import { createWebSocketTransport, type BridgeStatus } from './ws-transport.js';

declare global {
  interface Window {
    lineup?: ApplianceApi;
  }
}

export interface ApplianceConnection {
  api: ApplianceApi;
  /** The link between this window and the runtime (not the runtime's link to the hub). */
  bridgeStatus(): BridgeStatus;
  onBridgeStatus(listener: (status: BridgeStatus) => void): () => void;
}

export class MissingBridgeError extends Error {
  constructor() {
    super(
      'This page must be opened by the Lineup runtime (no bridge token). Start it with `npm start` or `lineup`.',
    );
    this.name = 'MissingBridgeError';
  }
}

export function bridgeUrl(location: Location, token: string): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/bridge?token=${encodeURIComponent(token)}`;
}

let connection: ApplianceConnection | null = null;

export function getConnection(): ApplianceConnection {
  if (connection !== null) return connection;
  if (window.lineup !== undefined) {
    connection = {
      api: window.lineup,
      bridgeStatus: () => 'open',
      onBridgeStatus: () => () => undefined,
    };
    return connection;
  }
  const token = [...document.querySelectorAll<HTMLMetaElement>('meta[name="lineup-bridge"]')]
    .map((m) => m.content.trim())
    .find((content) => content !== '' && !content.startsWith('__'));
  if (token === undefined) {
    throw new MissingBridgeError();
  }
  const transport = createWebSocketTransport({ url: bridgeUrl(window.location, token) });
  connection = {
    api: createApplianceClient(transport),
    bridgeStatus: () => transport.status(),
    onBridgeStatus: (listener) => transport.onStatus(listener),
  };
  return connection;
}

export function getApi(): ApplianceApi {
  return getConnection().api;
}
