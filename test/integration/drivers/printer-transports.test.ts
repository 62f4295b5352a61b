// The same printer driver over a serial pty (socat), a device file (a FIFO made by mkfifo) and a
// TCP peer that mixes garbage into its replies. Never touches /dev/ttyS*.
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrinterError } from '../../../drivers/printer/index.js';
import { openPrinter } from '../../../drivers/printer/index.js';
import { EscPosDecoder, receiptText } from '../../../drivers/sim/escpos-decoder.js';
import { startVirtualPrinter } from '../../../drivers/sim/virtual-printer.js';
import type { VirtualPrinter } from '../../../drivers/sim/virtual-printer.js';
import { latinTicket } from '../../unit/drivers/fixtures.js';

describe('serial: printer on a pty pair', () => {
  let sim: VirtualPrinter;
  beforeAll(async () => {
    sim = await startVirtualPrinter({ pty: true });
  });
  afterAll(async () => {
    await sim?.close(); // also kills its socat
  });

  it('prints through serial:<pty> and reads status back over the same line', async () => {
    expect(sim.ptyPath).toMatch(/^\/dev\/pts\/\d+$/);
    const printer = openPrinter(`serial:${sim.ptyPath}?baud=19200`, { pollIntervalMs: 0 });
    try {
      await printer.print(latinTicket({ ticket: 'S1', lang: 'SV', footer: 'Välkommen åter' }));
      const [receipt] = await sim.waitForReceipts(1);
      expect(receipt?.via).toBe('pty');
      expect(receipt?.lines).toContain('S1');
      expect(receipt?.lines).toContain('Ditt nummer');
      expect(receipt?.lines).toContain('Välkommen åter');
      expect(printer.status().online).toBe(true);

      sim.setState({ offline: true });
      const error = await printer.print(latinTicket()).catch((e: unknown) => e);
      expect((error as PrinterError).code).toBe('offline');
      sim.setState({ offline: false });
    } finally {
      await printer.close();
    }
  });

  it('rejects a bad serial URL with a reason', () => {
    expect(() => openPrinter('serial:ttyUSB0')).toThrow(/serial:\/dev/);
    expect(() => openPrinter('serial:/dev/null?baud=fast')).toThrow(/baud/);
    expect(() => openPrinter('lpt:1')).toThrow(/unknown scheme/);
  });

  it('takes the printer model from the URL (?profile=), epson-80 when none is given', async () => {
    const p58 = openPrinter('tcp://127.0.0.1:1?profile=generic-58', { pollIntervalMs: 0 });
    const p80 = openPrinter('serial:/dev/null?baud=9600', { pollIntervalMs: 0 });
    try {
      expect(p58.profile).toMatchObject({ id: 'generic-58', paperWidth: 58, dots: 384 });
      expect(p80.profile).toMatchObject({ id: 'epson-80', paperWidth: 80 });
    } finally {
      await Promise.all([p58.close(), p80.close()]);
    }
    expect(() => openPrinter('tcp://127.0.0.1:9100?profile=tm-9000')).toThrow(/tm-9000/);
  });
});

describe('device file: printer on a FIFO', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lineup-fifo-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the job to file:<path> (one-way: no status, but the bytes arrive whole)', async () => {
    const fifo = join(dir, 'lp0');
    execFileSync('mkfifo', [fifo]);
    const received: Buffer[] = [];
    const reader = createReadStream(fifo);
    reader.on('data', (c) => received.push(c as Buffer));
    const ended = new Promise<void>((r) => reader.on('close', () => r()));
    const printer = openPrinter(`file:${fifo}`, { pollIntervalMs: 0 });
    // Sent whole, but nobody can confirm it printed: the result says so.
    await expect(printer.print(latinTicket({ ticket: 'F9' }))).resolves.toEqual({
      confirmed: false,
    });
    expect(printer.status().online).toBe(true);
    await printer.close();
    await ended;
    const events = new EscPosDecoder().push(new Uint8Array(Buffer.concat(received)));
    const receipt = events.find((e) => e.type === 'receipt');
    expect(receipt?.type === 'receipt' && receiptText(receipt.receipt)).toContain('F9');
  });

  it('reports a missing device file as unreachable', async () => {
    const printer = openPrinter(`file:${join(dir, 'missing', 'lp9')}`, { pollIntervalMs: 0 });
    const error = await printer.print(latinTicket()).catch((e: unknown) => e);
    expect((error as PrinterError).code).toBe('unreachable');
    await printer.close();
  });
});

describe('a printer answering with garbage', () => {
  let server: Server;
  const sockets = new Set<Socket>();
  let port = 0;
  let got = 0;
  beforeAll(async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('data', (chunk) => {
        got += chunk.length;
        // every DLE EOT gets noise first, then a proper "all fine" reply
        for (let i = 0; i + 2 < chunk.length; i++) {
          if (chunk[i] === 0x10 && chunk[i + 1] === 0x04)
            socket.write(Buffer.from([0xff, 0x00, 0xab, 0x81, 0x12]));
        }
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  });

  it('ignores the noise and still prints', async () => {
    const printer = openPrinter(`tcp://127.0.0.1:${port}`, { pollIntervalMs: 0 });
    await printer.print(latinTicket());
    expect(got).toBeGreaterThan(400);
    expect(printer.status().online).toBe(true);
    await printer.close();
  });
});
