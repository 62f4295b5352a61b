// The virtual printer's receipts page, as a person at the demo sees it in Chromium: each receipt
// as its picture with its decoded text, newest first, arriving without a reload, the printer's
// state shown and readable by a screen reader; tools still get JSON from the same address.
// It starts its own virtual printer, so the demo store's receipts are not touched.
import { expect, test } from '@playwright/test';
import { openPrinter } from '../../drivers/printer/index.js';
import type { ReceiptPrinter } from '../../drivers/printer/index.js';
import { startVirtualPrinter } from '../../drivers/sim/virtual-printer.js';
import type { VirtualPrinter } from '../../drivers/sim/virtual-printer.js';
import { latinTicket } from '../unit/drivers/fixtures.js';
import { expectAccessible, saveScreenshot, WIDE_VIEWPORT } from './support.js';

let sim: VirtualPrinter;
let printer: ReceiptPrinter;

test.beforeAll(async () => {
  sim = await startVirtualPrinter();
  printer = openPrinter(`tcp://127.0.0.1:${sim.tcpPort}`, { pollIntervalMs: 0 });
});

test.afterAll(async () => {
  await printer?.close();
  await sim?.close();
});

test('receipts show up live, newest first, as pictures with their text', async ({ browser }) => {
  const context = await browser.newContext({ viewport: WIDE_VIEWPORT });
  const page = await context.newPage();
  try {
    await page.goto(`${sim.httpUrl}/receipts`);
    await expect(page.getByRole('heading', { level: 1, name: /receipts/i })).toBeVisible();
    await expect(page.getByText('Nothing printed yet')).toBeVisible();
    await expect(page.locator('#state')).toHaveText(/Printer: ready/);

    await printer.print(latinTicket({ ticket: 'A12' }));
    const list = page.getByRole('list', { name: /newest first/ });
    await expect(list.getByRole('listitem')).toHaveCount(1);
    await expect(page.getByText('Nothing printed yet')).toBeHidden();

    await printer.print(latinTicket({ ticket: 'A13', lang: 'SV' }));
    const items = list.getByRole('listitem');
    await expect(items).toHaveCount(2);
    // Newest first: A13 on top, each with its heading, picture and decoded text.
    const newest = items.first();
    await expect(newest.getByRole('heading', { level: 2 })).toHaveText(/^Receipt 2, printed at/);
    await expect(newest.locator('pre')).toContainText('A13');
    await expect(newest.locator('pre')).toContainText('Före dig i kön: 3');
    await expect(items.nth(1).locator('pre')).toContainText('A12');
    const picture = newest.getByRole('img', { name: /Receipt 2 as printed/ });
    await expect(picture).toBeVisible();
    await expect
      .poll(() => picture.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
      .toBe(576 + 32); // the paper's 576 dots and the preview's margins

    // The printer's state changes show at once, in words.
    sim.setState({ paperOut: true });
    await expect(page.locator('#state')).toHaveText(/out of paper/);
    await expectAccessible(page, 'virtual printer receipts');
    await saveScreenshot(page, 'virtual-printer-receipts');
    sim.setState({ paperOut: false, paperNearEnd: false });
    await expect(page.locator('#state')).toHaveText(/Printer: ready/);

    // Tools asking the same address without HTML in Accept still get JSON.
    const json = (await (await fetch(`${sim.httpUrl}/receipts`)).json()) as { lines: string[] }[];
    expect(json.map((r) => r.lines.includes('A12'))).toEqual([true, false]);
  } finally {
    await context.close();
  }
});
