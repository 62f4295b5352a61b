// A virtual ESC/POS printer: listens on TCP (like port 9100) and optionally on a pty, decodes what
// it gets into receipts, answers DLE EOT / GS r status and sends Automatic Status Back, and can be
// switched to paper near end / out / cover open / offline. Like a real printer it has one command
// interpreter for all its links: a job cut off mid-command on one connection leaves it waiting
// for the rest, whichever connection brings the next bytes. DLE DC4 fn=8 (clear buffers) is
// taken as a real-time command, on arrival (unless started with clearBuffersCommand: false, as a
// printer without it). DLE EOT is answered where a command may start, not inside another
// command's data as a real printer would (our driver never asks mid-job). An HTTP port lets
// tests and the demo read back what was printed and flip its state:
//   GET /receipts (HTML for browsers, JSON otherwise)  GET /receipts.json  GET /receipts/N.png
//   GET /events (server-sent: receipt, status, cleared)  GET /status  POST /status {paperOut?,...}
//   DELETE /receipts
import { createServer } from 'node:http';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo, Server as TcpServer, Socket } from 'node:net';
import { z } from 'zod';
import { SerialPort } from 'serialport';
import { CLEAR_BUFFERS, CLEAR_RESPONSE } from '../printer/resync.js';
import { encodeAsb, encodeRealtimeReply, okState } from '../printer/status.js';
import type { RawPrinterState } from '../printer/status.js';
import { EscPosDecoder, receiptText } from './escpos-decoder.js';
import type { DecodedReceipt, DecoderEvent, ReceiptItem } from './escpos-decoder.js';
import { createPtyPair } from './pty.js';
import type { PtyPair } from './pty.js';
import { renderReceiptPng } from './receipt-png.js';
import { prefersHtml, RECEIPTS_CSS, RECEIPTS_HTML, RECEIPTS_SCRIPT } from './receipts-page.js';

export const VirtualPrinterStateSchema = z
  .object({
    paperOut: z.boolean(),
    paperNearEnd: z.boolean(),
    coverOpen: z.boolean(),
    offline: z.boolean(),
    cutterError: z.boolean(),
  })
  .partial()
  .strict();
export type VirtualPrinterStateChange = z.infer<typeof VirtualPrinterStateSchema>;

export interface StoredReceipt extends DecodedReceipt {
  index: number;
  receivedAt: string;
  /** Trimmed text lines with [QR ...] / [image WxH] markers: what a person would read. */
  lines: string[];
  /** Where it came in: `tcp` or `pty`. */
  via: 'tcp' | 'pty';
}

export interface VirtualPrinterOptions {
  host?: string;
  /** 0 or unset = a free port. */
  tcpPort?: number;
  httpPort?: number;
  /** Also listen on a pty pair (socat); the driver opens `serial:<ptyPath>`. */
  pty?: boolean;
  /** Printable dots for PNG previews (576 = 80 mm, 384 = 58 mm). */
  dots?: number;
  /** Whether it runs DLE DC4 fn=8 (clear buffers), as Epson TM models do; true by default. */
  clearBuffersCommand?: boolean;
}

export interface VirtualPrinter {
  host: string;
  tcpPort: number;
  httpPort: number;
  httpUrl: string;
  /** The pty a driver opens (serial:<ptyPath>), when started with pty: true. */
  ptyPath: string | null;
  receipts(): StoredReceipt[];
  clearReceipts(): void;
  state(): RawPrinterState;
  setState(change: VirtualPrinterStateChange): RawPrinterState;
  /** Resolves once at least `count` receipts are stored. */
  waitForReceipts(count: number, timeoutMs?: number): Promise<StoredReceipt[]>;
  /** Test hook: the next TCP connection drops after it has received this many more bytes. */
  disconnectAfterBytes(bytes: number | null): void;
  /** Called for every chunk received (bench: time of the last byte). */
  onBytes(listener: (bytes: number, at: bigint) => void): () => void;
  /** Called when a receipt is complete, with the arrival time of its last chunk. */
  onReceipt(listener: (receipt: StoredReceipt, at: bigint) => void): () => void;
  /** Bytes that were not valid ESC/POS, over all connections. */
  garbageBytes(): number;
  /** True while a command waits for more of its declared bytes (a job was cut off mid-command). */
  pendingCommand(): boolean;
  close(): Promise<void>;
}

interface Link {
  /** How many bytes of DLE DC4 fn=8 arrived in a row so far on this link. */
  clearMatched: number;
  asbMask: number;
  send(bytes: Uint8Array): void;
  via: 'tcp' | 'pty';
}

const toJsonItem = (item: ReceiptItem): unknown =>
  item.kind === 'image' ? { kind: 'image', width: item.width, height: item.height } : item;

/** A receipt as JSON: images as their size, not their dots (the PNG shows them). */
const receiptJson = (r: StoredReceipt): unknown => ({ ...r, items: r.items.map(toJsonItem) });

export async function startVirtualPrinter(
  options: VirtualPrinterOptions = {},
): Promise<VirtualPrinter> {
  const host = options.host ?? '127.0.0.1';
  const dots = options.dots ?? 576;
  let state = okState();
  const receipts: StoredReceipt[] = [];
  const links = new Set<Link>();
  const byteListeners = new Set<(bytes: number, at: bigint) => void>();
  const receiptWaiters = new Set<() => void>();
  const receiptListeners = new Set<(receipt: StoredReceipt, at: bigint) => void>();
  let dropAfter: number | null = null;
  let rejected = 0;
  let blankCuts = 0;
  let buffersCleared = 0;
  const clearCommand = options.clearBuffersCommand ?? true;
  // One command interpreter for the printer, fed by every link.
  const engine = new EscPosDecoder();

  const ready = (): boolean => !state.paperOut && !state.coverOpen && !state.offline;

  // Server-sent events for the receipts page: each new receipt, state change and clear.
  const eventStreams = new Set<ServerResponse>();
  const broadcast = (event: 'receipt' | 'status' | 'cleared', data: unknown): void => {
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const res of eventStreams) res.write(frame);
  };

  const handle = (link: Link, chunk: Uint8Array): void => {
    const at = process.hrtime.bigint();
    for (const listener of byteListeners) listener(chunk.length, at);
    // Real-time DLE DC4 fn=8 is seen on arrival, even inside another command's data.
    let from = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      link.clearMatched =
        b === CLEAR_BUFFERS[link.clearMatched]
          ? link.clearMatched + 1
          : b === CLEAR_BUFFERS[0]
            ? 1
            : 0;
      if (link.clearMatched === CLEAR_BUFFERS.length) {
        link.clearMatched = 0;
        if (!clearCommand) continue;
        interpret(link, chunk.subarray(from, i + 1), at);
        engine.clearBuffers();
        buffersCleared += 1;
        link.send(Uint8Array.from(CLEAR_RESPONSE));
        from = i + 1;
      }
    }
    if (from < chunk.length) interpret(link, chunk.subarray(from), at);
  };

  const interpret = (link: Link, chunk: Uint8Array, at: bigint): void => {
    let events: DecoderEvent[];
    try {
      events = engine.push(chunk);
    } catch {
      return; // the decoder does not throw; belt and braces for a simulator that must not die
    }
    for (const event of events) {
      if (event.type === 'status-request' && event.n >= 1 && event.n <= 4) {
        link.send(Uint8Array.of(encodeRealtimeReply(state, event.n as 1 | 2 | 3 | 4)));
      } else if (event.type === 'asb') {
        link.asbMask = event.mask;
        if (event.mask) link.send(encodeAsb(state));
      } else if (event.type === 'transmit-status') {
        // GS r 1: paper sensor, 0xx0xxxx: bits 0-1 near end, bits 2-3 paper end.
        const paper = (state.paperNearEnd ? 0x03 : 0) | (state.paperOut ? 0x0c : 0);
        link.send(Uint8Array.of(event.n === 1 || event.n === 49 ? paper : 0));
      } else if (event.type === 'printer-id') {
        link.send(Uint8Array.of(0x20));
      } else if (event.type === 'receipt') {
        if (!ready()) {
          rejected += 1; // a real printer would not print this: it is offline
          continue;
        }
        if (event.receipt.items.length === 0) {
          blankCuts += 1; // a cut with nothing printed since the last one: a scrap, not a receipt
          continue;
        }
        const stored: StoredReceipt = {
          ...event.receipt,
          index: receipts.length,
          receivedAt: new Date().toISOString(),
          lines: receiptText(event.receipt),
          via: link.via,
        };
        receipts.push(stored);
        broadcast('receipt', receiptJson(stored));
        broadcast('status', statusJson());
        for (const listener of [...receiptListeners]) listener(stored, at);
        for (const wake of [...receiptWaiters]) wake();
      }
    }
  };

  // TCP side
  const sockets = new Set<Socket>();
  const tcp: TcpServer = createTcpServer((socket: Socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    const link: Link = {
      clearMatched: 0,
      asbMask: 0,
      send: (bytes) => {
        if (!socket.destroyed) socket.write(bytes);
      },
      via: 'tcp',
    };
    links.add(link);
    let budget = dropAfter;
    dropAfter = null;
    socket.on('data', (chunk: Buffer) => {
      let data = new Uint8Array(chunk);
      if (budget !== null) {
        if (data.length >= budget) {
          data = data.subarray(0, budget);
          budget = 0;
        } else budget -= data.length;
      }
      if (data.length) handle(link, data);
      if (budget === 0) socket.destroy();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      links.delete(link);
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(options.tcpPort ?? 0, host, () => resolve());
  });

  // pty side: the simulator holds one end of a socat pair.
  let pty: PtyPair | null = null;
  let ptyPort: SerialPort | null = null;
  if (options.pty) {
    pty = await createPtyPair();
    const port = new SerialPort({ path: pty.devicePath, baudRate: 19200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    ptyPort = port;
    const link: Link = {
      clearMatched: 0,
      asbMask: 0,
      send: (bytes) => {
        if (port.isOpen) port.write(Buffer.from(bytes));
      },
      via: 'pty',
    };
    links.add(link);
    port.on('data', (chunk: Buffer) => handle(link, new Uint8Array(chunk)));
    port.on('error', () => undefined);
  }

  const setState = (change: VirtualPrinterStateChange): RawPrinterState => {
    const next = { ...state, ...change };
    if (next.paperOut) next.paperNearEnd = true;
    const changed = JSON.stringify(next) !== JSON.stringify(state);
    state = next;
    if (changed) for (const link of links) if (link.asbMask) link.send(encodeAsb(state));
    if (changed) broadcast('status', statusJson());
    return state;
  };

  function statusJson(): unknown {
    return {
      paperOut: state.paperOut,
      paperNearEnd: state.paperNearEnd,
      coverOpen: state.coverOpen,
      offline: state.offline,
      cutterError: state.cutterError,
      receipts: receipts.length,
      rejectedReceipts: rejected,
      blankCuts,
      buffersCleared,
      pendingCommand: engine.hasPendingCommand(),
      garbageBytes: engine.garbageBytes,
      connections: links.size,
    };
  }

  const clearReceipts = (): void => {
    receipts.length = 0;
    broadcast('cleared', {});
    broadcast('status', statusJson());
  };

  const send = (
    res: ServerResponse,
    code: number,
    body: unknown,
    type = 'application/json',
  ): void => {
    const payload = type === 'application/json' ? JSON.stringify(body) : (body as Buffer);
    res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store', vary: 'accept' });
    res.end(payload);
  };

  const sendText = (res: ServerResponse, type: string, body: string): void => {
    res.writeHead(200, {
      'content-type': `${type}; charset=utf-8`,
      'cache-control': 'no-store',
      vary: 'accept',
      // The page's own script and style only: nothing printed can run as code.
      'content-security-policy':
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'",
      'x-content-type-options': 'nosniff',
    });
    res.end(body);
  };

  const readBody = (req: IncomingMessage): Promise<string> =>
    new Promise((resolve, reject) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => {
        body += c;
        if (body.length > 10_000) reject(new Error('body too large'));
      });
      req.on('end', () => resolve(body));
      req.on('error', reject);
    });

  const http: HttpServer = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    void (async () => {
      try {
        const get = req.method === 'GET';
        if (get && url.pathname === '/receipts' && prefersHtml(req.headers.accept)) {
          return sendText(res, 'text/html', RECEIPTS_HTML);
        }
        if (get && (url.pathname === '/receipts' || url.pathname === '/receipts.json')) {
          return send(res, 200, receipts.map(receiptJson));
        }
        if (get && url.pathname === '/receipts.js') {
          return sendText(res, 'text/javascript', RECEIPTS_SCRIPT);
        }
        if (get && url.pathname === '/receipts.css') return sendText(res, 'text/css', RECEIPTS_CSS);
        if (get && url.pathname === '/events') {
          res.writeHead(200, {
            'content-type': 'text/event-stream; charset=utf-8',
            'cache-control': 'no-store',
            connection: 'keep-alive',
          });
          res.write('retry: 1000\n\n');
          eventStreams.add(res);
          req.on('close', () => eventStreams.delete(res));
          return;
        }
        if (url.pathname === '/receipts' && req.method === 'DELETE') {
          clearReceipts();
          return send(res, 200, { ok: true });
        }
        const png = /^\/receipts\/(\d+|last)\.png$/.exec(url.pathname);
        if (png && req.method === 'GET') {
          const receipt =
            png[1] === 'last' ? receipts[receipts.length - 1] : receipts[Number(png[1])];
          if (!receipt) return send(res, 404, { error: 'no such receipt' });
          return send(res, 200, renderReceiptPng(receipt, dots), 'image/png');
        }
        if (url.pathname === '/status' && req.method === 'GET') return send(res, 200, statusJson());
        if (url.pathname === '/status' && req.method === 'POST') {
          let json: unknown;
          try {
            json = JSON.parse((await readBody(req)) || '{}');
          } catch {
            return send(res, 400, { error: 'body must be JSON' });
          }
          const parsed = VirtualPrinterStateSchema.safeParse(json);
          if (!parsed.success) {
            return send(res, 400, { error: parsed.error.issues.map((i) => i.message).join('; ') });
          }
          setState(parsed.data);
          return send(res, 200, statusJson());
        }
        return send(res, 404, { error: 'not found' });
      } catch (error) {
        return send(res, 500, { error: (error as Error).message });
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.httpPort ?? 0, host, () => resolve());
  });

  const tcpPort = (tcp.address() as AddressInfo).port;
  const httpPort = (http.address() as AddressInfo).port;

  return {
    host,
    tcpPort,
    httpPort,
    httpUrl: `http://${host}:${httpPort}`,
    ptyPath: pty?.hostPath ?? null,
    receipts: () => [...receipts],
    clearReceipts,
    state: () => ({ ...state }),
    setState,
    waitForReceipts(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          if (receipts.length >= count) {
            receiptWaiters.delete(wake);
            clearTimeout(timer);
            resolve([...receipts]);
            return true;
          }
          return false;
        };
        const wake = (): void => void check();
        const timer = setTimeout(() => {
          receiptWaiters.delete(wake);
          reject(new Error(`expected ${count} receipts, got ${receipts.length}`));
        }, timeoutMs);
        receiptWaiters.add(wake);
        check();
      });
    },
    disconnectAfterBytes(bytes) {
      dropAfter = bytes;
    },
    onBytes(listener) {
      byteListeners.add(listener);
      return () => byteListeners.delete(listener);
    },
    onReceipt(listener) {
      receiptListeners.add(listener);
      return () => receiptListeners.delete(listener);
    },
    garbageBytes: () => engine.garbageBytes,
    pendingCommand: () => engine.hasPendingCommand(),
    async close() {
      for (const link of links) link.asbMask = 0;
      for (const res of eventStreams) res.end();
      eventStreams.clear();
      const httpClosed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeAllConnections();
      await httpClosed;
      await new Promise<void>((resolve) => {
        tcp.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      if (ptyPort?.isOpen) await new Promise<void>((resolve) => ptyPort?.close(() => resolve()));
      await pty?.close();
    },
  };
}
