// Issue 16 end to end on the demo store: the virtual printer runs out of paper, a desk is told
// (in the staff's language) within 2 s, the kiosk says staff have been told because the hub
// acknowledged its report, the unprinted ticket is marked on the desk, and once the paper is
// back a desk's reprint comes out of the ticket machine and decodes clean.
import { expect, test, type Page } from '@playwright/test';
import { t } from '../../shared/i18n/index.js';
import {
  KIOSK_VIEWPORT,
  WIDE_VIEWPORT,
  demoState,
  dismissTickets,
  kioskHome,
  openView,
  pickService,
  receipts,
  saveScreenshot,
  setPrinterStatus,
  type DemoState,
} from './support.js';

let state: DemoState;
let kiosk: Page;
let desk: Page;
let screen: Page;
const issued: string[] = [];

test.beforeAll(async ({ browser }) => {
  state = demoState();
  kiosk = await openView(browser, state.kiosk, KIOSK_VIEWPORT);
  desk = await openView(browser, state.desk1, WIDE_VIEWPORT);
  screen = await openView(browser, state.screen, WIDE_VIEWPORT);
});

test.afterAll(async () => {
  await setPrinterStatus(state, { paperOut: false, paperNearEnd: false });
  await dismissTickets(state, issued);
  for (const page of [kiosk, desk, screen]) await page.context().close();
});

test('paper out reaches the desks; the unprinted ticket is marked and reprinted clean', async () => {
  await kioskHome(kiosk);
  await expect(desk.getByTestId('current-card')).toBeVisible();
  await expect(screen.getByTestId('now-calling')).toBeVisible();
  const notice = desk.getByTestId('device-notice');
  await expect(notice).toHaveCount(0);

  await setPrinterStatus(state, { paperOut: true });
  // The desk's notice, in the store's language, within 2 s of the change (the rule).
  const outOfPaper = t('EN', 'health.notice', {
    device: 'Kiosk',
    problem: t('EN', 'health.printer.paper_out'),
  });
  await expect(notice).toContainText(outOfPaper, { timeout: 2_000 });
  await expect(notice).toHaveAttribute('data-device-id', 'demo-kiosk');
  // A screen shows nothing of it.
  await expect(screen.getByTestId('device-notice')).toHaveCount(0);
  // The hub acknowledged the report: only now may the kiosk say staff have been told.
  await expect(kiosk.getByTestId('kiosk-printer-problem')).toHaveText(
    t('EN', 'kiosk.paperOutBanner'),
  );
  await saveScreenshot(desk, 'desk-printer-notice');

  // A ticket taken now is not printed, and the desk marks it so.
  await pickService(kiosk, ['Sales', 'New phone']);
  await kiosk.getByRole('radio', { name: t('EN', 'kiosk.anonymous') }).click();
  await kiosk.getByTestId('get-ticket').click();
  await expect(kiosk.getByTestId('print-status')).toHaveAttribute('data-printed', 'false');
  const ticket = (await kiosk.getByTestId('ticket-number').textContent()) ?? '';
  expect(ticket).toMatch(/^[A-Z]{1,2}\d+$/);
  issued.push(ticket);
  const row = desk.locator(`.queue-row[data-ticket="${ticket}"]`);
  await expect(row.getByTestId('not-printed')).toHaveText(t('EN', 'desk.notPrinted'));
  await saveScreenshot(desk, 'desk-not-printed');

  // Dismissed, it stays dismissed while nothing changes.
  await notice.getByRole('button', { name: t('EN', 'common.close') }).click();
  await expect(notice).toHaveCount(0);

  // Paper back: "back to normal" on the desk, and the kiosk's banner goes.
  await setPrinterStatus(state, { paperOut: false, paperNearEnd: false });
  await expect(notice).toContainText(
    t('EN', 'health.notice', { device: 'Kiosk', problem: t('EN', 'health.backToNormal') }),
    { timeout: 2_000 },
  );
  await expect(kiosk.getByTestId('kiosk-printer-problem')).toHaveCount(0);

  // Reprint from the desk: the ticket machine prints it and reports it printed.
  const before = (await receipts(state)).length;
  await row.getByTestId('reprint').click();
  await expect(row.getByTestId('not-printed')).toHaveCount(0, { timeout: 15_000 });
  await expect
    .poll(async () => (await receipts(state)).length, { timeout: 15_000 })
    .toBe(before + 1);
  const reprinted = (await receipts(state)).at(-1);
  expect(reprinted?.lines.some((line) => line.includes(ticket))).toBe(true);
  expect(reprinted?.lines.some((line) => line.startsWith('[QR'))).toBe(true);
});
