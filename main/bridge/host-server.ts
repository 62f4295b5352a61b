// Host mode: an HTTP server on loopback that serves the built renderer and the bridge WebSocket.
// The per-boot token is written into index.html (<meta name="lineup-bridge">) and required on
// the WebSocket; the Host header is checked too, so a web page elsewhere cannot reach the API
// through DNS rebinding, and so is the Origin: a browser page must be this server's own page
// (a client without an Origin is not a page, and still needs the token).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { RpcRequestSchema } from '../../shared/api/appliance-api.js';
import type { Logger } from '../common/logger.js';
import { toWireError, type Bridge } from './dispatch.js';

export const BRIDGE_PATH = '/bridge';
/** The largest frame the bridge reads; the API's calls are small. */
export const MAX_BRIDGE_FRAME_BYTES = 64 * 1024;

export interface HostServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.ogg': 'audio/ogg',
  '.txt': 'text/plain; charset=utf-8',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function injectBridgeMeta(html: string, token: string): string {
  const meta = `<meta name="lineup-bridge" content="${escapeHtml(token)}">`;
  return /<head[^>]*>/i.test(html)
    ? html.replace(/<head[^>]*>/i, (m) => `${m}\n    ${meta}`)
    : meta + html;
}

const MISSING_RENDERER = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lineup</title></head>
<body style="font-family: sans-serif; padding: 2rem">
<h1>Lineup runtime</h1>
<p>The user interface is not built. Run <code>npm run build:renderer</code> and reload.</p>
</body></html>`;

function sameToken(given: string | null, token: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startHostServer(options: {
  bridge: Bridge;
  rendererDir: string;
  port?: number;
  log: Logger;
  token?: string;
}): Promise<HostServer> {
  const { bridge, log } = options;
  const token = options.token ?? randomBytes(24).toString('base64url');
  const root = resolve(options.rendererDir);
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigin = (origin: string | undefined) =>
    origin === undefined || [...allowedHosts()].some((host) => origin === `http://${host}`);

  const csp = () =>
    [
      "default-src 'self'",
      `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
      "img-src 'self' data: blob: https:",
      "style-src 'self' 'unsafe-inline'",
      "script-src 'self'",
      "media-src 'self' data: blob:",
      "font-src 'self' data:",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
      "form-action 'none'",
    ].join('; ');

  async function serveIndex(res: ServerResponse): Promise<void> {
    let html: string;
    try {
      html = await readFile(join(root, 'index.html'), 'utf8');
    } catch {
      html = MISSING_RENDERER;
    }
    res.writeHead(200, {
      'content-type': MIME['.html'] ?? 'text/html',
      'cache-control': 'no-store',
      'content-security-policy': csp(),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    res.end(injectBridgeMeta(html, token));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!allowedHosts().has(req.headers.host ?? '')) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end('Wrong host.');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (path === '/' || path === '/index.html') return serveIndex(res);
    const file = normalize(join(root, path));
    if (!file.startsWith(root + sep)) {
      res.writeHead(404).end();
      return;
    }
    try {
      const info = await stat(file);
      if (!info.isFile()) throw new Error('not a file');
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'x-content-type-options': 'nosniff',
        'cache-control': path.startsWith('/assets/')
          ? 'public, max-age=31536000, immutable'
          : 'no-cache',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      // Client-side routes (/kiosk, /desk...) get the app; missing assets get a 404.
      if (extname(path) === '') return serveIndex(res);
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found.');
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log.error(`host server: ${(error as Error).message}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_BRIDGE_FRAME_BYTES });

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!allowedOrigin(req.headers.origin)) {
      log.warn(`bridge: refused a WebSocket from origin ${JSON.stringify(req.headers.origin)}`);
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    const ok =
      url.pathname === BRIDGE_PATH &&
      allowedHosts().has(req.headers.host ?? '') &&
      sameToken(url.searchParams.get('token'), token);
    if (!ok) {
      log.warn('bridge: refused a WebSocket without the right token or host');
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    const send = (frame: unknown) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
    };
    const unsubscribe = bridge.subscribe((event) => send({ event }));
    ws.on('close', unsubscribe);
    ws.on('error', unsubscribe);
    ws.on('message', (data, isBinary) => {
      let raw: unknown;
      try {
        raw = JSON.parse(isBinary ? '' : data.toString());
      } catch {
        send({ id: -1, error: { code: 'invalid', message: 'A bridge frame must be JSON.' } });
        return;
      }
      const request = RpcRequestSchema.safeParse(raw);
      if (!request.success) {
        const id = (raw as { id?: unknown } | null)?.id;
        send({
          id: typeof id === 'number' && Number.isInteger(id) ? id : -1,
          error: { code: 'invalid', message: 'A bridge frame needs an integer id and a method.' },
        });
        return;
      }
      const { id, method, params } = request.data;
      bridge.dispatch(method, params).then(
        (result) => send({ id, result }),
        (error: unknown) => send({ id, error: toWireError(error) }),
      );
    });
  });

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', fail);
      ok();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    token,
    close: () =>
      new Promise<void>((ok) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
