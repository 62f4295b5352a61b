// The QRs a customer meets in the demo store: the store's "join from your phone" QR on the
// kiosk's home and the screen opens the join page; the QR printed on a kiosk ticket (read from
// the virtual printer) opens that ticket's page on a phone, which says "your turn" when a desk
// calls it.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { t } from '../../shared/i18n/index.js';
import {
  KIOSK_VIEWPORT,
  WIDE_VIEWPORT,
  demoState,
  dismissTickets,
  kioskHome,
  openAllDesks,
  openView,
  pickService,
  receipts,
  saveScreenshot,
  type DemoState,
  type Receipt,
  openPhone,
} from './support.js';

let state: DemoState;

test.beforeAll(() => {
  state = demoState();
});

const phone = (browser: Browser, path: string): Promise<Page> =>
  openPhone(browser, state.hub, path);

test('the kiosk and the screen show the store QR, which opens the join page', async ({
  browser,
}) => {
  const joinUrl = `${state.hub}/q/demo-store`;
  const kiosk = await openView(browser, state.kiosk, KIOSK_VIEWPORT);
  const screen = await openView(browser, state.screen, WIDE_VIEWPORT);
  try {
    await kioskHome(kiosk);
    const onKiosk = kiosk.getByTestId('store-qr');
    await expect(onKiosk).toHaveAttribute('data-url', joinUrl);
    await expect(onKiosk.getByRole('img', { name: t('EN', 'phone.storeQr') })).toBeVisible();
    await saveScreenshot(kiosk, 'kiosk-store-qr');
    // Not on the later steps: the QR is for people deciding how to join.
    await pickService(kiosk, ['Sales', 'New phone']);
    await expect(onKiosk).toHaveCount(0);

    const onScreen = screen.getByTestId('store-qr');
    await expect(onScreen).toHaveAttribute('data-url', joinUrl);
    await expect(onScreen.locator('img')).toBeVisible();
    await saveScreenshot(screen, 'screen-store-qr');

    const page = await phone(browser, joinUrl);
    await expect(page.getByText(t('EN', 'phone.chooseService'))).toBeVisible();
    await page.context().close();

    // In Arabic the caption reads right to left, at the header's (inline) end.
    await kioskHome(kiosk);
    await kiosk.getByRole('button', { name: 'العربية' }).click();
    await expect(kiosk.getByTestId('store-qr')).toContainText(t('AR', 'phone.storeQr'));
    await expect(kiosk.locator('.kiosk')).toHaveAttribute('dir', 'rtl');
  } finally {
    await kiosk.context().close();
    await screen.context().close();
  }
});

test('the printed QR opens the ticket page on a phone; a desk calls it: "your turn"', async ({
  browser,
}) => {
  const kiosk = await openView(browser, state.kiosk, KIOSK_VIEWPORT);
  const desk1 = await openView(browser, state.desk1, WIDE_VIEWPORT);
  let ticket = '';
  try {
    await openAllDesks(state);
    await kioskHome(kiosk);
    await pickService(kiosk, ['Sales', 'New phone']);
    await kiosk.getByRole('radio', { name: t('EN', 'kiosk.anonymous') }).click();
    await kiosk.getByTestId('get-ticket').click();
    await expect(kiosk.getByTestId('ticket-number')).toHaveText(/^A\d+$/);
    ticket = (await kiosk.getByTestId('ticket-number').textContent()) ?? '';

    // What came out of the printer: the QR is the ticket's page on the hub.
    let printed: Receipt | undefined;
    await expect
      .poll(async () => {
        printed = (await receipts(state)).find((r) => r.lines.includes(ticket));
        return printed !== undefined;
      })
      .toBe(true);
    const qr = (printed?.lines.find((l) => l.startsWith('[QR ')) ?? '').slice(4, -1);
    expect(qr.startsWith(`${state.hub}/t/`)).toBe(true);

    const page = await phone(browser, qr);
    await expect(page.locator('#ticket')).toHaveText(ticket);
    await expect(page.locator('#status')).not.toBeEmpty();
    await saveScreenshot(page, 'phone-printed-ticket');

    await desk1.getByRole('button', { name: t('EN', 'desk.callTicket', { ticket }) }).click();
    await expect(desk1.getByTestId('current-card')).toHaveAttribute('data-ticket', ticket);
    await expect(page.locator('#status')).toHaveText(t('EN', 'phone.yourTurn', { desk: 'Desk 1' }));
    await page.context().close();
  } finally {
    await kiosk.context().close();
    await desk1.context().close();
    if (ticket !== '') await dismissTickets(state, [ticket]);
  }
});
