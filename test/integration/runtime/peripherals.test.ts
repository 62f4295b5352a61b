// The kiosk's peripherals with real processes and real OS interfaces: a runtime process printing
// to the virtual printer over TCP, reading a serial scanner and driving a pager transmitter over
// ptys (socat), against a real hub; a desk runtime calls customers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApplianceEvent } from '../../../shared/api/appliance-api.js';
import type { Customer } from '../../../shared/domain/entities.js';
import { t } from '../../../shared/i18n/index.js';
import { formatLineupTicketQr, parseScanPayload } from '../../../shared/scanner/index.js';
import { receiptText } from '../../../drivers/sim/escpos-decoder.js';
import { startPagerSimulator, type PagerSimulator } from '../../../drivers/sim/pager-sim.js';
import { startScannerSimulator, type ScannerSimulator } from '../../../drivers/sim/scanner-sim.js';
import { startVirtualPrinter, type VirtualPrinter } from '../../../drivers/sim/virtual-printer.js';
import {
  bookAppointment,
  DEMO,
  errorOf,
  hubApiKey,
  isConnected as ready,
  startDemoStore,
  waitFor,
  type BridgeClient,
  type DemoStore,
  type Runtime,
} from './harness.js';

let store: DemoStore<{ key: string; secret: string }>;
let printer: VirtualPrinter;
let scanner: ScannerSimulator;
let pagers: PagerSimulator;
let kiosk: Runtime;
let desk1: Runtime;
let desk2: Runtime;

const runtime = (who: { mac: string; hostname: string }, extra: string[] = []) =>
  store.runtime(who, { dir: store.tempDir('rt-io'), extra });

const customerIn = (b: BridgeClient, match: (c: Customer) => boolean) =>
  b.state()?.store?.customers.find(match) ?? null;

const notices = (b: BridgeClient) =>
  b.events.flatMap((e: ApplianceEvent) => (e.type === 'notice' ? [e.notice] : []));

beforeAll(async () => {
  store = await startDemoStore('hub-io', hubApiKey);
  printer = await startVirtualPrinter({ host: '127.0.0.1' });
  scanner = await startScannerSimulator({ suffix: 'cr' });
  // LRS, not the old hard-coded JTECH: pages only arrive if the URL's protocol is used.
  pagers = await startPagerSimulator({ protocol: 'lrs' });
  kiosk = await runtime(DEMO.kiosk, [
    '--printer',
    `tcp://127.0.0.1:${printer.tcpPort}`,
    '--scanner',
    `serial:${scanner.hostPath}`,
    '--pager',
    `serial:${pagers.hostPath}?baud=9600&protocol=lrs&timeout-ms=400&retries=1`,
  ]);
  desk1 = await runtime(DEMO.desk1);
  desk2 = await runtime(DEMO.desk2);
  await waitFor('all connected', () => [kiosk, desk1, desk2].every((d) => ready(d.bridge)));
}, 60_000);

afterAll(async () => {
  await store?.close();
  await Promise.allSettled([printer?.close(), scanner?.close(), pagers?.close()]);
});

describe('kiosk peripherals', () => {
  it('prints a ticket whose QR is its phone page, a code that identifies the customer', async () => {
    printer.clearReceipts();
    const issued = await kiosk.bridge.api.register({
      serviceId: 'demo-new-phone',
      lang: 'EN',
      contactMode: 'anonymous',
    });
    expect(issued.print).toMatchObject({ printed: true, reason: null, code: null });
    const [receipt] = await printer.waitForReceipts(1);
    const lines = receiptText(receipt as NonNullable<typeof receipt>);
    expect(lines).toContain(issued.customer.ticket);
    expect(lines).toContain(t('EN', 'ticket.footer'));
    const qrLine = lines.find((l) => l.startsWith('[QR '));
    const qr = qrLine?.slice('[QR '.length, -1) ?? '';

    // The ticket page on the hub (see ticket-qr.test.ts), naming the customer for scanners.
    const parsed = parseScanPayload(qr, { hubUrl: store.hub.url });
    expect(parsed).toMatchObject({
      ok: true,
      payload: { kind: 'lineup-ticket-page', customerId: issued.customer.id },
    });

    // Scanning it back (on the kiosk or at a desk) finds the customer, already in the queue.
    const atKiosk = await kiosk.bridge.api.checkIn({ code: qr });
    expect(atKiosk.customer).toMatchObject({ id: issued.customer.id, state: 'waiting' });
    const atDesk = await desk1.bridge.api.checkIn({ code: qr });
    expect(atDesk.customer.ticket).toBe(issued.customer.ticket);

    // A ticket of another store is refused before anything is sent.
    const foreign = formatLineupTicketQr({
      storeId: 'other-store',
      customerId: 'x1',
      ticket: 'A1',
    });
    expect(await errorOf(kiosk.bridge.api.checkIn({ code: foreign }))).toMatchObject({
      code: 'invalid',
      message: expect.stringMatching(/another store/),
    });
    // Once served, the same ticket no longer checks in.
    const called = await desk1.bridge.api.callNext();
    expect(called.customer?.id).toBe(issued.customer.id);
    await desk1.bridge.api.startServing({ customerId: issued.customer.id });
    await desk1.bridge.api.finish({ customerId: issued.customer.id });
    await waitFor('the kiosk sees it done', () =>
      customerIn(kiosk.bridge, (c) => c.id === issued.customer.id && c.state === 'done'),
    );
    expect(await errorOf(kiosk.bridge.api.checkIn({ code: qr }))).toMatchObject({
      code: 'refused',
      message: expect.stringMatching(/no longer in the queue/),
    });
  });

  it('pages a pager customer once when the turn is near and again when called', async () => {
    const others = [];
    for (let i = 0; i < 3; i += 1)
      others.push(
        await kiosk.bridge.api.register({
          serviceId: 'demo-repair',
          lang: 'EN',
          contactMode: 'anonymous',
        }),
      );
    const paged = await kiosk.bridge.api.register({
      serviceId: 'demo-repair',
      lang: 'FR',
      contactMode: 'pager',
      pager: 12,
    });
    // Three before, two is "near" in the demo store: told to come back when paged.
    expect(paged.peopleBefore).toBe(3);
    expect(paged.customer.mustWait).toBe(true);

    const first = await desk2.bridge.api.callNext();
    expect(first.customer?.id).toBe(others[0]?.customer.id);
    const [near] = await pagers.waitForPages(1);
    expect(near).toMatchObject({ pagerNumber: 12, message: paged.customer.ticket });

    // Still near after the next calls: no second "near" page.
    for (const other of others.slice(1)) {
      const next = await desk2.bridge.api.callNext();
      expect(next.customer?.id).toBe(other.customer.id);
    }
    const call = await desk2.bridge.api.callNext();
    expect(call.customer?.id).toBe(paged.customer.id);
    const all = await pagers.waitForPages(2);
    expect(all).toHaveLength(2);
    const deskName = desk2.bridge.state()?.identity.deviceName ?? '';
    expect(all[1]).toMatchObject({
      pagerNumber: 12,
      message: `${paged.customer.ticket} ${deskName}`,
    });
  });

  it('retries a page the transmitter does not answer, then tells staff; health recovers', async () => {
    const quiet = await kiosk.bridge.api.register({
      serviceId: 'demo-repair',
      lang: 'EN',
      contactMode: 'pager',
      pager: 13,
    });
    const before = pagers.pages().length;
    pagers.setSilent(true);
    await desk2.bridge.api.callNext();
    const notice = await waitFor('a pager notice', () =>
      notices(kiosk.bridge).find((n) => n.level === 'error' && /pager 13/.test(n.message)),
    );
    expect(notice.message).toContain(quiet.customer.ticket);
    expect(notice.message).toMatch(/did not answer/);
    const unhealthy = await waitFor('pager health shows the failure', () => {
      const pager = kiosk.bridge.state()?.health.pager;
      return pager?.ok === false ? pager : null;
    });
    expect(unhealthy.message).toMatch(/Pager 13 was not paged/);
    expect(pagers.pages()).toHaveLength(before);

    pagers.setSilent(false);
    await desk2.bridge.api.recall({ customerId: quiet.customer.id });
    const pages = await pagers.waitForPages(before + 1);
    expect(pages.at(-1)).toMatchObject({ pagerNumber: 13 });
    await waitFor('pager health back to ok', () => kiosk.bridge.state()?.health.pager?.ok === true);
  });

  it('checks in what the serial scanner reads; garbage neither crashes nor checks anyone in', async () => {
    const stamp = Date.now();
    const ids = {
      appt: `RT${stamp}A`,
      ombori: `RT${stamp}B`,
      kept: `RT${stamp}C`,
      last: `RT${stamp}D`,
    };
    for (const [key, id] of Object.entries(ids))
      await bookAppointment(store.hub.url, store.prepared, id, key);
    const booked = (id: string) =>
      customerIn(kiosk.bridge, (c) => c.appointment?.externalId === id && c.state === 'booked');
    await waitFor('the bookings on the kiosk', () => Object.values(ids).every((id) => booked(id)));

    await scanner.scan(`APPT-${ids.appt}`);
    const checkedIn = await waitFor('checked in by the scanner', () =>
      customerIn(
        kiosk.bridge,
        (c) => c.appointment?.externalId === ids.appt && c.state === 'waiting',
      ),
    );
    await waitFor('the notice', () =>
      notices(kiosk.bridge).some((n) => n.message === `Checked in: ${checkedIn.ticket}`),
    );

    const position = booked(ids.ombori);
    await scanner.scan(JSON.stringify({ type: 'check-in-position', positionId: position?.id }));
    await waitFor('checked in by an Ombori QR', () =>
      customerIn(kiosk.bridge, (c) => c.id === position?.id && c.state === 'waiting'),
    );

    const warningsBefore = notices(kiosk.bridge).filter((n) => n.level === 'warning').length;
    await scanner.writeRaw(Uint8Array.from([0x00, 0xff, 0xfe, 0x1b, 0x80, 0x41, 0x0d]));
    await scanner.writeRaw(new TextEncoder().encode('{"type":"check-in-position","positionId":\r'));
    await scanner.writeRaw(new TextEncoder().encode(`${'A'.repeat(3000)}\r`));
    await scanner.scan(`APPT-${ids.kept}!`);
    await scanner.scan(
      formatLineupTicketQr({ storeId: 'other-store', customerId: 'c1', ticket: 'A1' }),
    );
    // Then a good code: the runtime is alive and still reading, in order.
    await scanner.scan(`APPT-${ids.last}`);
    await waitFor('the last booking checked in', () =>
      customerIn(
        kiosk.bridge,
        (c) => c.appointment?.externalId === ids.last && c.state === 'waiting',
      ),
    );
    const warnings = notices(kiosk.bridge)
      .filter((n) => n.level === 'warning')
      .slice(warningsBefore);
    expect(warnings).toHaveLength(5);
    for (const w of warnings)
      expect(w.message).toMatch(/cannot be used to check in|unreadable|another store/);
    // None of it reached the hub (it would have answered "No booked appointment…").
    expect(warnings.some((w) => /No booked appointment/.test(w.message))).toBe(false);
    expect(booked(ids.kept)).not.toBeNull();
    expect(customerIn(desk2.bridge, (c) => c.appointment?.externalId === ids.kept)?.state).toBe(
      'booked',
    );
    expect(kiosk.proc.child.exitCode).toBeNull();
    expect(kiosk.bridge.state()?.health.scanner).toMatchObject({ ok: true });
  });
});
