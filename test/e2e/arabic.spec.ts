// The kiosk in Arabic at every step, and the technician view in Arabic: a screenshot of each
// (for a person to look at) and what can be checked by machine: right-to-left, nothing past the
// edge of the screen, every touch target at least 48 px, forward arrows pointing left.
import { expect, test, type Page } from '@playwright/test';
import { t } from '../../shared/i18n/index.js';
import {
  KIOSK_VIEWPORT,
  demoState,
  dismissTickets,
  expectAccessible,
  openAllDesks,
  openView,
  saveScreenshot,
  type DemoState,
} from './support.js';

let state: DemoState;

test.beforeAll(async () => {
  state = demoState();
  await openAllDesks(state);
});

/** Every visible control is at least 48 × 48 px and inside the screen; the page is RTL. */
async function expectTouchFriendly(page: Page, label: string): Promise<void> {
  const problems = await page.evaluate(() => {
    const out: string[] = [];
    const width = document.documentElement.clientWidth;
    const controls = document.querySelectorAll<HTMLElement>(
      'button, [role="radio"], input, a[href], select',
    );
    for (const el of controls) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || getComputedStyle(el).visibility === 'hidden')
        continue;
      const name = (el.getAttribute('aria-label') ?? el.textContent ?? el.tagName).trim();
      if (box.width < 48 || box.height < 48)
        out.push(`${name}: ${Math.round(box.width)}×${Math.round(box.height)}`);
      if (box.left < -1 || box.right > width + 1) out.push(`${name}: outside the screen`);
    }
    return out;
  });
  expect(problems, label).toEqual([]);
}

async function expectAboveFooter(page: Page, testId: string): Promise<void> {
  const target = await page.getByTestId(testId).boundingBox();
  const footer = await page.locator('.kiosk-footer').boundingBox();
  expect(target !== null && footer !== null && target.y + target.height <= footer.y).toBe(true);
}

test('the kiosk in Arabic, step by step, and the technician view', async ({ browser }) => {
  const kiosk = await openView(browser, state.kiosk, KIOSK_VIEWPORT);
  let ticket = '';
  try {
    await kiosk.getByRole('button', { name: 'العربية' }).click();
    await expect(kiosk.locator('.kiosk')).toHaveAttribute('dir', 'rtl');
    await expect(kiosk.locator('html')).toHaveAttribute('lang', 'ar');
    await expect(kiosk.locator('html')).toHaveAttribute('dir', 'rtl');
    await expect(
      kiosk.getByRole('heading', { name: t('AR', 'kiosk.chooseService') }),
    ).toBeVisible();
    await expectTouchFriendly(kiosk, 'home');
    await saveScreenshot(kiosk, 'ar-kiosk-1-home');

    // Sales is a menu: its chevron points the way one reads, to the left.
    const sales = kiosk.getByRole('button', { name: 'المبيعات', exact: true });
    const chevron = await sales.locator('.service-chevron').boundingBox();
    const name = await sales.locator('.service-name').boundingBox();
    expect(chevron !== null && name !== null && chevron.x < name.x).toBe(true);
    const glyph = await sales.locator('.chevron-glyph').evaluate((el) => ({
      dir: getComputedStyle(el).direction,
      t: getComputedStyle(el).transform,
    }));
    expect(glyph.dir).toBe('ltr');
    expect(glyph.t).toMatch(/^matrix\(-1,/);
    await sales.click();
    await expect(kiosk.getByRole('button', { name: 'هاتف جديد', exact: true })).toBeVisible();
    await expectTouchFriendly(kiosk, 'sales menu');
    await saveScreenshot(kiosk, 'ar-kiosk-2-menu');

    await kiosk.getByRole('button', { name: 'هاتف جديد', exact: true }).click();
    await kiosk.getByRole('radio', { name: t('AR', 'kiosk.byName') }).click();
    for (const key of ['س', 'ا', 'ر', 'ة']) {
      await kiosk.getByRole('button', { name: key, exact: true }).first().click();
    }
    await expect(kiosk.locator('#contact-name')).toHaveValue('سارة');
    await expectTouchFriendly(kiosk, 'contact, by name');
    await expectAboveFooter(kiosk, 'get-ticket');
    await saveScreenshot(kiosk, 'ar-kiosk-3-contact-name');
    // The name keyboard of every language leaves the buttons clear of the footer.
    for (const [picker, lang] of [
      ['Français', 'FR'],
      ['Svenska', 'SV'],
      ['English', 'EN'],
    ] as const) {
      await kiosk.getByRole('button', { name: picker }).click();
      await expect(kiosk.getByRole('radio', { name: t(lang, 'kiosk.byName') })).toBeChecked();
      await expectAboveFooter(kiosk, 'get-ticket');
    }
    await kiosk.getByRole('button', { name: 'العربية' }).click();
    await expect(kiosk.locator('#contact-name')).toHaveValue('سارة');
    await expectAccessible(kiosk, 'kiosk contact in Arabic');

    await kiosk.getByTestId('get-ticket').click();
    await expect(kiosk.getByTestId('ticket-number')).toHaveText(/^A\d+$/);
    ticket = (await kiosk.getByTestId('ticket-number').textContent()) ?? '';
    await expect(kiosk.getByRole('heading', { name: t('AR', 'ticket.yourNumber') })).toBeVisible();
    await expectTouchFriendly(kiosk, 'ticket');
    await saveScreenshot(kiosk, 'ar-kiosk-4-ticket');
    await expectAccessible(kiosk, 'kiosk ticket in Arabic');

    // Back to the start (still in Arabic until the idle timeout), then an appointment.
    await kiosk.getByRole('button', { name: new RegExp(t('AR', 'kiosk.done')) }).click();
    await kiosk.getByRole('button', { name: 'العربية' }).click();
    await kiosk.getByRole('button', { name: 'الدعم', exact: true }).click();
    await kiosk.getByRole('button', { name: 'موعد', exact: true }).click();
    // No scanner on the demo kiosk: the booking code is typed, on the on-screen keyboard.
    await expect(kiosk.getByText(t('AR', 'kiosk.appointmentTypeOnly'))).toBeVisible();
    await expect(kiosk.locator('.keyboard')).toBeVisible();
    await expectTouchFriendly(kiosk, 'appointment');
    await saveScreenshot(kiosk, 'ar-kiosk-5-appointment');

    await kiosk.goto(`${state.kiosk}#technician`);
    await kiosk.getByRole('button', { name: 'العربية' }).click();
    const tech = kiosk.locator('.technician');
    await expect(tech).toHaveAttribute('dir', 'rtl');
    await expect(kiosk.getByRole('heading', { name: t('AR', 'tech.identity') })).toBeVisible();
    await expect(kiosk.getByTestId('tech-mac')).toContainText('02:00:00:00:00:01');
    await expect(kiosk.getByTestId('tech-qr')).toBeVisible();
    await expectTouchFriendly(kiosk, 'technician');
    await saveScreenshot(kiosk, 'ar-technician');
    await expectAccessible(kiosk, 'technician in Arabic');
  } finally {
    await kiosk.context().close();
    if (ticket !== '') await dismissTickets(state, [ticket]);
  }
});
