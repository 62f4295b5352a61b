// The printed ticket's QR with real processes: a kiosk prints over TCP to the virtual printer;
// the QR it printed is the ticket's page on the hub (opened, it shows that ticket), and the same
// code scanned at the kiosk or a desk names the customer; the hub checks the page token before a
// scanned page checks a booking in. Offline, the ticket carries the Lineup payload instead.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Customer } from '../../../shared/domain/entities.js';
import { t, waitText } from '../../../shared/i18n/index.js';
import {
  TICKET_PATH_ROUTE,
  TicketPathResponseSchema,
} from '../../../shared/protocol/ticket-page.js';
import { formatLineupTicketQr, parseScanPayload } from '../../../shared/scanner/index.js';
import { receiptText } from '../../../drivers/sim/escpos-decoder.js';
import { startVirtualPrinter, type VirtualPrinter } from '../../../drivers/sim/virtual-printer.js';
import {
  bookAppointment,
  DEMO,
  errorOf,
  hubApiKey,
  isConnected,
  startDemoStore,
  waitFor,
  type BridgeClient,
  type DemoStore,
  type Runtime,
} from './harness.js';

let store: DemoStore<{ key: string; secret: string }>;
let printer: VirtualPrinter;
let kiosk: Runtime;
let desk: Runtime;

const customerIn = (b: BridgeClient, match: (c: Customer) => boolean) =>
  b.state()?.store?.customers.find(match) ?? null;

/** What the last receipt says, and the data of its QR. */
async function lastReceipt(count: number): Promise<{ lines: string[]; qr: string }> {
  const all = await printer.waitForReceipts(count);
  const lines = receiptText(all[count - 1] as NonNullable<(typeof all)[number]>);
  const qrLine = lines.find((l) => l.startsWith('[QR ')) ?? '';
  return { lines, qr: qrLine.slice('[QR '.length, -1) };
}

beforeAll(async () => {
  store = await startDemoStore('hub-qr', hubApiKey);
  printer = await startVirtualPrinter({ host: '127.0.0.1' });
  kiosk = await store.runtime(DEMO.kiosk, {
    extra: ['--printer', `tcp://127.0.0.1:${printer.tcpPort}`],
  });
  desk = await store.runtime(DEMO.desk1);
  await waitFor('connected', () => isConnected(kiosk.bridge) && isConnected(desk.bridge));
}, 60_000);

afterAll(async () => {
  await store?.close();
  await printer?.close();
});

describe('the printed ticket QR', () => {
  it('opens the ticket page on a phone and names the customer to a scanner', async () => {
    printer.clearReceipts();
    const issued = await kiosk.bridge.api.register({
      serviceId: 'demo-new-phone',
      lang: 'EN',
      contactMode: 'anonymous',
    });
    const { lines, qr } = await lastReceipt(1);
    expect(qr.startsWith(`${store.hub.url}/t/${issued.customer.id}.`)).toBe(true);
    expect(lines).toContain(t('EN', 'ticket.scanToFollow'));
    // Paper and screen say the wait one way ("You're next" for the first, never "0 min").
    const wait = waitText('EN', issued.peopleBefore, issued.waitMinutes);
    expect(lines.some((l) => l.endsWith(wait.replace('’', "'")) || l.endsWith(wait))).toBe(true);
    expect(lines.join('\n')).not.toMatch(/\b0 min/);

    // Opened on a phone: that ticket's page.
    const page = await fetch(qr);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`<p id="ticket">${issued.customer.ticket}</p>`);

    // Scanned at the kiosk or a desk: that customer, already in the queue.
    const atKiosk = await kiosk.bridge.api.checkIn({ code: qr });
    expect(atKiosk.customer).toMatchObject({ id: issued.customer.id, state: 'waiting' });
    const atDesk = await desk.bridge.api.checkIn({ code: `${qr}\r\n` });
    expect(atDesk.customer.id).toBe(issued.customer.id);
    // Tickets printed before (the Lineup payload) still read the same.
    const legacy = formatLineupTicketQr({
      storeId: 'demo-store',
      customerId: issued.customer.id,
      ticket: issued.customer.ticket,
    });
    expect((await kiosk.bridge.api.checkIn({ code: legacy })).customer.id).toBe(issued.customer.id);

    // The same page on another site is refused before anything is sent.
    const lookalike = qr.replace(store.hub.url, 'https://lineup-hub.example');
    expect(await errorOf(kiosk.bridge.api.checkIn({ code: lookalike }))).toMatchObject({
      code: 'invalid',
      message: expect.stringMatching(/another site/),
    });
  });

  it('checks a booking in from its page URL only when the hub made the token', async () => {
    const externalId = `QR${Date.now()}`;
    await bookAppointment(store.hub.url, store.prepared, externalId, 'Ada Page');
    const booked = await waitFor('the booking on the kiosk', () =>
      customerIn(kiosk.bridge, (c) => c.appointment?.externalId === externalId),
    );
    // A page URL with a made-up MAC: the hub finds no booking for it.
    const forged = `${store.hub.url}/t/${booked.id}.${'A'.repeat(27)}`;
    expect(await errorOf(kiosk.bridge.api.checkIn({ code: forged }))).toMatchObject({
      code: 'refused',
    });
    // The hub's own path for it (asked with the kiosk's credential, as the kiosk does).
    const { credential } = JSON.parse(readFileSync(join(kiosk.dir, 'credential.json'), 'utf8')) as {
      credential: unknown;
    };
    const res = await fetch(`${store.hub.url}${TICKET_PATH_ROUTE}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ credential, customerId: booked.id }),
    });
    const { path } = TicketPathResponseSchema.parse(await res.json());
    const checked = await desk.bridge.api.checkIn({ code: `${store.hub.url}${path}` });
    // Booked a moment ago, waiting now: checked in.
    expect(checked.customer).toMatchObject({ id: booked.id, state: 'waiting' });
  });

  it('offline, prints the Lineup payload and says to watch the screen', async () => {
    printer.clearReceipts();
    await store.hub.kill9();
    try {
      await waitFor('the kiosk sees the hub gone', () => !isConnected(kiosk.bridge));
      const issued = await kiosk.bridge.api.register({
        serviceId: 'demo-new-phone',
        lang: 'FR',
        contactMode: 'anonymous',
      });
      expect(issued.offline).toBe(true);
      const { lines, qr } = await lastReceipt(1);
      expect(parseScanPayload(qr)).toMatchObject({
        ok: true,
        payload: { kind: 'lineup-ticket', customerId: issued.customer.id },
      });
      expect(lines).not.toContain(t('FR', 'ticket.scanToFollow'));
      expect(lines.some((l) => l.startsWith('Suivez votre num'))).toBe(true);
    } finally {
      await store.restartHub();
    }
  });
});
