// The virtual printer's HTTP port as tools use it: JSON at /receipts (unless the client asks for
// HTML first, as a browser does) and always at /receipts.json; server-sent events for each
// receipt and state change; the page's own script and style under a CSP that allows only them.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPrinter } from '../../../drivers/printer/index.js';
import type { ReceiptPrinter } from '../../../drivers/printer/index.js';
import { prefersHtml } from '../../../drivers/sim/receipts-page.js';
import { startVirtualPrinter } from '../../../drivers/sim/virtual-printer.js';
import type { VirtualPrinter } from '../../../drivers/sim/virtual-printer.js';
import { latinTicket } from '../../unit/drivers/fixtures.js';

let sim: VirtualPrinter;
let printer: ReceiptPrinter;

beforeAll(async () => {
  sim = await startVirtualPrinter();
  printer = openPrinter(`tcp://127.0.0.1:${sim.tcpPort}`, { pollIntervalMs: 0 });
  await printer.print(latinTicket());
});

afterAll(async () => {
  await printer?.close();
  await sim?.close();
});

const get = (path: string, accept?: string): Promise<Response> =>
  fetch(`${sim.httpUrl}${path}`, accept === undefined ? {} : { headers: { accept } });

const BROWSER_ACCEPT =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

describe('virtual printer over HTTP', () => {
  it('answers tools with JSON at /receipts and /receipts.json, oldest first', async () => {
    for (const [path, accept] of [
      ['/receipts', undefined],
      ['/receipts', '*/*'],
      ['/receipts', 'application/json'],
      ['/receipts.json', BROWSER_ACCEPT],
    ] as const) {
      const res = await get(path, accept);
      expect(res.headers.get('content-type'), `${path} ${accept}`).toBe('application/json');
      const body = (await res.json()) as { index: number; lines: string[]; items: unknown[] }[];
      expect(body[0]?.index).toBe(0);
      expect(body[0]?.lines).toContain('A12');
    }
  });

  it('answers a browser with the page, its script and style under a strict CSP', async () => {
    const page = await get('/receipts', BROWSER_ACCEPT);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('vary')).toBe('accept');
    expect(page.headers.get('content-security-policy')).toMatch(
      /default-src 'none'; script-src 'self'/,
    );
    const html = await page.text();
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<script src="/receipts.js" defer></script>');
    expect((await get('/receipts.js')).headers.get('content-type')).toBe(
      'text/javascript; charset=utf-8',
    );
    expect((await get('/receipts.css')).headers.get('content-type')).toBe(
      'text/css; charset=utf-8',
    );
  });

  it('streams each new receipt and state change as server-sent events', async () => {
    const frames: string[] = [];
    let buffer = '';
    const req = request(`${sim.httpUrl}/events`);
    const gotReceipt = new Promise<void>((resolve) => {
      req.on('response', (res) => {
        expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          const parts = buffer.split('\n\n');
          buffer = parts.pop() ?? '';
          frames.push(...parts.filter((p) => p.startsWith('event:')));
          if (frames.some((f) => f.startsWith('event: receipt'))) resolve();
        });
      });
    });
    req.end();
    await new Promise<void>((resolve) => req.on('response', () => resolve()));
    await printer.print(latinTicket({ ticket: 'B7' }));
    await gotReceipt;
    req.destroy();
    const receipt = frames.find((f) => f.startsWith('event: receipt')) ?? '';
    const data = JSON.parse(receipt.split('\ndata: ')[1] ?? '{}') as {
      index: number;
      lines: string[];
    };
    expect(data.index).toBe(1);
    expect(data.lines).toContain('B7');
  });

  it('tells browsers from tools by the Accept header', () => {
    expect(prefersHtml(BROWSER_ACCEPT)).toBe(true);
    expect(prefersHtml('text/html')).toBe(true);
    expect(prefersHtml(undefined)).toBe(false);
    expect(prefersHtml('*/*')).toBe(false);
    expect(prefersHtml('application/json, text/html;q=0.5')).toBe(false);
    expect(prefersHtml('text/html, application/json')).toBe(false);
  });
});
