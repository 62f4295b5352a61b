// The printer path end to end over real TCP: openPrinter → virtual printer → decoded receipt,
// status switched through the simulator's HTTP port, a printer that drops the link mid-job.
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPrinter, PrinterError } from '../../../drivers/printer/index.js';
import type { ReceiptPrinter } from '../../../drivers/printer/index.js';
import { startVirtualPrinter } from '../../../drivers/sim/virtual-printer.js';
import type { VirtualPrinter } from '../../../drivers/sim/virtual-printer.js';
import type { PrinterStatus } from '../../../shared/api/appliance-api.js';
import { PrinterStatusSchema } from '../../../shared/api/appliance-api.js';
import { latinTicket } from '../../unit/drivers/fixtures.js';

let sim: VirtualPrinter;
let printer: ReceiptPrinter;

beforeAll(async () => {
  sim = await startVirtualPrinter();
  printer = openPrinter(`tcp://127.0.0.1:${sim.tcpPort}`, { pollIntervalMs: 0 });
});

afterAll(async () => {
  await printer?.close();
  await sim?.close();
});

const setSim = async (body: unknown): Promise<Response> =>
  fetch(`${sim.httpUrl}/status`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('printer over TCP 9100 against the virtual printer', () => {
  it('prints a ticket that reads back with its content', async () => {
    sim.clearReceipts();
    await printer.print(latinTicket());
    const receipts = (await (await fetch(`${sim.httpUrl}/receipts`)).json()) as {
      lines: string[];
      cut: string;
    }[];
    expect(receipts).toHaveLength(1);
    const lines = receipts[0]?.lines ?? [];
    expect(lines).toContain('Lineup Démo');
    expect(lines).toContain('Réparation œuvre');
    expect(lines).toContain('A12');
    expect(lines).toContain('Personnes avant vous : 3');
    expect(lines).toContain('Attente estimée : 15 minutes');
    expect(lines).toContain('2026-03-01 10:05'); // 09:05Z in Paris (winter time)
    expect(lines).toContain('[QR LINEUP:1:demo-store:cust-1:A12]');
    expect(lines).toContain('Scannez pour suivre votre place dans la file');
    expect(lines).toContain('Bipeur : 7');
    expect(lines).toContain('Merci ! å ä ö €');
    expect(receipts[0]?.cut).toBe('partial');
    expect(PrinterStatusSchema.parse(printer.status()).online).toBe(true);
  });

  it('serves a PNG preview of each receipt', async () => {
    const res = await fetch(`${sim.httpUrl}/receipts/0.png`);
    expect(res.headers.get('content-type')).toBe('image/png');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect((await fetch(`${sim.httpUrl}/receipts/99.png`)).status).toBe(404);
  });

  it('refuses to print when out of paper, tells why, and emits the status change', async () => {
    const seen: PrinterStatus[] = [];
    const conditions: string[] = [];
    const off = printer.onStatus((s) => seen.push(s));
    const offCondition = printer.onCondition((c) => conditions.push(c));
    expect(printer.condition()).toBe('ready');
    expect((await setSim({ paperOut: true })).status).toBe(200);
    const before = sim.receipts().length;
    const error = await printer.print(latinTicket()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrinterError);
    expect((error as PrinterError).code).toBe('paper_out');
    expect((error as PrinterError).message).toMatch(/out of paper/);
    expect((error as PrinterError).partial).toBe(false); // refused before a byte of it was sent
    expect(sim.receipts()).toHaveLength(before);
    expect(printer.status()).toMatchObject({ online: false, paperOut: true });
    expect(seen.some((s) => s.paperOut)).toBe(true);
    await setSim({ paperOut: false, paperNearEnd: false });
    await printer.refreshStatus();
    expect(conditions).toEqual(['paper_out', 'ready']);
    off();
    offCondition();
  });

  it('reports cover open and paper near end from the printer', async () => {
    await setSim({ coverOpen: true });
    const error = await printer.print(latinTicket()).catch((e: unknown) => e);
    expect((error as PrinterError).code).toBe('cover_open');
    expect(printer.condition()).toBe('cover_open');
    await setSim({ coverOpen: false, paperNearEnd: true });
    await printer.print(latinTicket());
    expect(printer.condition()).toBe('paper_near_end');
    expect(printer.status()).toMatchObject({ online: true, paperNearEnd: true });
    expect(printer.status().message).toMatch(/nearly empty/);
    await setSim({ paperNearEnd: false });
  });

  it('prints the logo as an image, and still prints the ticket when the logo is broken', async () => {
    const png = new PNG({ width: 64, height: 32 });
    for (let i = 0; i < 64 * 32; i++) png.data.set([0, 0, 0, 255], i * 4); // opaque black
    sim.clearReceipts();
    await printer.print(latinTicket({ logoPng: new Uint8Array(PNG.sync.write(png)) }));
    await printer.print(
      latinTicket({ ticket: 'A14', logoPng: new Uint8Array([0x89, 0x50, 1, 2]) }),
    );
    const [withLogo, withoutLogo] = sim.receipts();
    expect(withLogo?.lines[0]).toBe('[image 64x32]');
    expect(withoutLogo?.lines[0]).toBe('Lineup Démo');
    expect(withoutLogo?.lines).toContain('A14');
  });

  it('rejects a bad state change on the HTTP port with a reason', async () => {
    const res = await setSim({ paperOut: 'yes' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/boolean/);
  });

  it('fails clearly when the printer drops the connection mid-job, then recovers', async () => {
    const before = sim.receipts().length;
    // The next connection (the victim's) is cut after 300 bytes: status checks pass, the
    // ticket (~450 bytes) is cut before its end.
    sim.disconnectAfterBytes(300);
    const victim = openPrinter(`tcp://127.0.0.1:${sim.tcpPort}`, {
      pollIntervalMs: 0,
      statusTimeoutMs: 500,
    });
    try {
      const error = await victim.print(latinTicket()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PrinterError);
      expect(['disconnected', 'unreachable']).toContain((error as PrinterError).code);
      expect(victim.condition()).toBe('offline');
      expect(sim.receipts()).toHaveLength(before);
      expect(victim.status().online).toBe(false);
      // the link comes back: the next print reconnects and succeeds
      await victim.print(latinTicket({ ticket: 'A13' }));
      expect(sim.receipts().at(-1)?.lines).toContain('A13');
    } finally {
      await victim.close();
    }
  });

  it('reports an unreachable printer without throwing from status()', async () => {
    const nobody = openPrinter('tcp://127.0.0.1:1', { pollIntervalMs: 0 });
    try {
      const error = await nobody.print(latinTicket()).catch((e: unknown) => e);
      expect((error as PrinterError).code).toBe('unreachable');
      expect(nobody.status()).toMatchObject({ online: false });
      expect(nobody.status().message).toMatch(/does not answer/);
    } finally {
      await nobody.close();
    }
  });
});
