// The four views against the demo store: real hub, real runtimes, the virtual printer, and
// Debian's Chromium. Tests share one store and run in order.
import { expect, test, type Page } from '@playwright/test';
import { t } from '../../shared/i18n/index.js';
import {
  KIOSK_VIEWPORT,
  WIDE_VIEWPORT,
  announcements,
  bookAppointment,
  callNextOnDesk,
  demoState,
  expectAccessible,
  kioskHome,
  openView,
  pickService,
  receipts,
  saveScreenshot,
  setPrinterStatus,
  type DemoState,
} from './support.js';

test.describe.configure({ mode: 'serial' });

let state: DemoState;
let kiosk: Page;
const issued: string[] = [];

test.beforeAll(async ({ browser }) => {
  state = demoState();
  kiosk = await openView(browser, state.kiosk, KIOSK_VIEWPORT);
});

test.afterAll(async () => {
  await kiosk.context().close();
});

async function takeTicket(page: Page, path: string[]): Promise<string> {
  await kioskHome(page);
  await pickService(page, path);
  await page.getByRole('radio', { name: t('EN', 'kiosk.anonymous') }).click();
  await page.getByTestId('get-ticket').click();
  const number = page.getByTestId('ticket-number');
  await expect(number).toHaveText(/^[A-Z]{1,2}\d+$/);
  const ticket = (await number.textContent()) ?? '';
  issued.push(ticket);
  return ticket;
}

test('kiosk: a customer picks a service and gets a printed ticket', async () => {
  await kioskHome(kiosk);
  await expect(kiosk.getByRole('heading', { name: t('EN', 'kiosk.chooseService') })).toBeVisible();
  // The demo organization has no logo: the store's name is the wordmark, with its initial.
  await expect(kiosk.getByTestId('store-wordmark')).toHaveText('Lineup Demo Store');
  await expect(kiosk.locator('.kiosk-header .monogram')).toHaveText('L');
  await saveScreenshot(kiosk, 'kiosk-home');
  await expectAccessible(kiosk, 'kiosk home');

  await pickService(kiosk, ['Sales', 'New phone']);
  // A phone number too short to be one is refused with a message, and nothing is issued.
  await kiosk.getByRole('radio', { name: t('EN', 'kiosk.byPhone') }).click();
  await kiosk.getByRole('button', { name: '1', exact: true }).click();
  await kiosk.getByRole('button', { name: '2', exact: true }).click();
  await kiosk.getByTestId('get-ticket').click();
  await expect(
    kiosk.getByRole('alert').filter({ hasText: t('EN', 'kiosk.invalidPhone') }),
  ).toBeVisible();
  await saveScreenshot(kiosk, 'kiosk-contact');
  await expectAccessible(kiosk, 'kiosk contact step');

  await kiosk.getByRole('radio', { name: t('EN', 'kiosk.anonymous') }).click();
  await kiosk.getByTestId('get-ticket').click();
  const number = kiosk.getByTestId('ticket-number');
  await expect(number).toHaveText(/^A\d+$/);
  const ticket = (await number.textContent()) ?? '';
  issued.push(ticket);
  await expect(kiosk.getByTestId('print-status')).toHaveAttribute('data-printed', 'true');
  await expect(kiosk.getByTestId('people-before')).toHaveText(/^\d+$/);
  await saveScreenshot(kiosk, 'kiosk-ticket');
  await expectAccessible(kiosk, 'kiosk ticket');

  // The virtual printer decoded a receipt that carries this ticket number.
  await expect
    .poll(
      async () =>
        (await receipts(state)).some((r) => r.lines.some((line) => line.includes(ticket))),
      {
        timeout: 15_000,
      },
    )
    .toBe(true);
});

test('desk calls next; the screen shows it and announces every call once, in order', async ({
  browser,
}) => {
  const second = await takeTicket(kiosk, ['Sales', 'Accessories']);
  const first = issued[0] as string;
  const screen = await openView(browser, state.screen, WIDE_VIEWPORT);
  const desk = await openView(browser, state.desk1, WIDE_VIEWPORT);
  try {
    await expect(screen.getByTestId('now-calling')).toBeVisible();
    await expect(desk.getByTestId('current-card')).toBeVisible();
    const before = (await announcements(screen)).length;

    await callNextOnDesk(desk);
    await expect(desk.getByTestId('current-card')).toHaveAttribute('data-ticket', first);
    await expect(screen.locator('.now-card')).toHaveAttribute('data-ticket', first);

    // The keyboard shortcut calls the next one (asking first: the first one is still at the
    // desk); both calls are queued, none is dropped.
    await callNextOnDesk(desk, 'key');
    await expect(desk.getByTestId('current-card')).toHaveAttribute('data-ticket', second);
    await desk.keyboard.press('r');

    await expect
      .poll(async () => (await announcements(screen)).slice(before).map((a) => a.ticket), {
        timeout: 20_000,
      })
      .toEqual([first, second, second]);
    await expect
      .poll(
        async () => (await announcements(screen)).slice(before).every((a) => a.status === 'done'),
        { timeout: 30_000 },
      )
      .toBe(true);
    const calls = (await announcements(screen)).slice(before);
    expect(new Set(calls.map((a) => a.key)).size).toBe(3);
    expect(calls[0]?.text).toContain(first.replace(/^([A-Z]+)(\d+)$/, '$1 $2'));
    await expect(screen.locator('.now-card')).toHaveAttribute('data-ticket', second);
    await expect(screen.locator('.last-calls')).toContainText(first);

    // Nothing runs into the waiting counts at the bottom of the wall screen.
    const footer = await screen.locator('.screen-footer').boundingBox();
    for (const part of ['.now-card', '.last-calls table']) {
      const box = await screen.locator(part).boundingBox();
      expect(box !== null && footer !== null && box.y + box.height <= footer.y, part).toBe(true);
    }

    await saveScreenshot(desk, 'desk');
    await expectAccessible(desk, 'desk');
    await saveScreenshot(screen, 'screen');
    await expectAccessible(screen, 'screen');
  } finally {
    await desk.context().close();
    await screen.context().close();
  }
});

test('Arabic turns the kiosk right to left', async () => {
  await kioskHome(kiosk);
  await kiosk.getByRole('button', { name: 'العربية' }).click();
  const root = kiosk.locator('.kiosk');
  await expect(root).toHaveAttribute('dir', 'rtl');
  await expect(kiosk.getByRole('heading', { name: t('AR', 'kiosk.chooseService') })).toBeVisible();
  // Mirrored: the first language of the list sits on the right, headings start on the right.
  const english = await kiosk.getByRole('button', { name: 'English' }).boundingBox();
  const arabic = await kiosk.getByRole('button', { name: 'العربية' }).boundingBox();
  expect(english !== null && arabic !== null && english.x > arabic.x).toBe(true);
  const heading = await kiosk.getByRole('heading', { level: 2 }).boundingBox();
  expect(heading).not.toBeNull();
  const rightGap = KIOSK_VIEWPORT.width - ((heading?.x ?? 0) + (heading?.width ?? 0));
  expect(rightGap).toBeLessThan(80);
  await saveScreenshot(kiosk, 'kiosk-arabic');
  await expectAccessible(kiosk, 'kiosk in Arabic');
});

test('paper out shows on the kiosk and in the technician view', async () => {
  await kioskHome(kiosk);
  const heading = kiosk.getByRole('heading', { level: 2 });
  const firstService = kiosk.locator('.service-btn').first();
  const before = [await heading.boundingBox(), await firstService.boundingBox()];
  await setPrinterStatus(state, { paperOut: true });
  try {
    await expect(kiosk.getByTestId('kiosk-printer-problem')).toBeVisible({ timeout: 20_000 });
    // The banner has its own slot: what a finger is about to touch does not move.
    expect([await heading.boundingBox(), await firstService.boundingBox()]).toEqual(before);
    await expect(kiosk.getByTestId('kiosk-printer-problem')).toContainText('out of paper');
    await saveScreenshot(kiosk, 'kiosk-paper-out');

    // A ticket still comes, with what to do without the paper one.
    await pickService(kiosk, ['Support', 'Repair']);
    await kiosk.getByRole('radio', { name: t('EN', 'kiosk.anonymous') }).click();
    await kiosk.getByTestId('get-ticket').click();
    await expect(kiosk.getByTestId('print-status')).toHaveAttribute('data-printed', 'false');
    const ticket = (await kiosk.getByTestId('ticket-number').textContent()) ?? '';
    await expect(kiosk.getByTestId('print-status')).toContainText(ticket);
    await saveScreenshot(kiosk, 'kiosk-ticket-not-printed');

    await kiosk.goto(`${state.kiosk}#technician`);
    await expect(kiosk.getByTestId('tech-printer')).toContainText(t('EN', 'tech.paperOut'));
    // The cause alone: a printer out of paper also reports itself offline.
    await expect(kiosk.getByTestId('tech-printer')).not.toContainText(
      t('EN', 'tech.printerOffline'),
    );
    await expect(kiosk.getByTestId('tech-printer')).toHaveAttribute('data-light', 'bad');
    await expect(kiosk.getByTestId('tech-role')).toHaveText(t('EN', 'tech.roleMachine'));
    await expect(kiosk.getByTestId('tech-mac')).toContainText('02:00:00:00:00:01');
    await expect(kiosk.getByTestId('tech-qr')).toBeVisible();
    await saveScreenshot(kiosk, 'technician');
    await expectAccessible(kiosk, 'technician');
  } finally {
    await setPrinterStatus(state, { paperOut: false, paperNearEnd: false });
  }
  await expect(kiosk.getByTestId('tech-printer')).toHaveAttribute('data-light', 'ok', {
    timeout: 20_000,
  });
  await kiosk.goto(state.kiosk);
  await expect(kiosk.getByTestId('kiosk-printer-problem')).toHaveCount(0);
});

test('a keyboard-wedge burst checks an appointment in; slow typing does not', async () => {
  const externalId = `E2E${Date.now()}`;
  await bookAppointment(state, externalId, 'Grace Hopper');
  await kioskHome(kiosk);
  const code = `APPT-${externalId}`;

  // A person typing the same characters: no check-in, the start screen stays.
  await kiosk.keyboard.type(code, { delay: 120 });
  await kiosk.keyboard.press('Enter');
  await expect(kiosk.getByTestId('checked-in-ticket')).toHaveCount(0);
  await expect(kiosk.getByRole('heading', { name: t('EN', 'kiosk.chooseService') })).toBeVisible();

  // The scanner's burst: checked in (which also proves the slow typing did not use the booking).
  // A scanner sends its keys a few ms apart; typed through the DevTools protocol on a loaded CI
  // machine they may not be, so the burst is dispatched from inside the page, key by key, to the
  // same window listener: the test measures the detector, not the test machine.
  await kiosk.evaluate((text) => {
    for (const key of [...text, 'Enter']) {
      document.body.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
    }
  }, code);
  await expect(kiosk.getByTestId('checked-in-ticket')).toHaveText(/^D\d+$/);
  await saveScreenshot(kiosk, 'kiosk-checked-in');
  await expectAccessible(kiosk, 'kiosk checked in');
});
