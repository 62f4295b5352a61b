// The kiosk goes back to its start screen (and its default language) when nobody touches it:
// from a step half-way and from the ticket. `?idle=SECONDS` shortens the timeout for the test.
import { expect, test } from '@playwright/test';
import { t } from '../../shared/i18n/index.js';
import {
  KIOSK_VIEWPORT,
  demoState,
  dismissTickets,
  openAllDesks,
  openView,
  pickService,
  type DemoState,
} from './support.js';

let state: DemoState;

test.beforeAll(async () => {
  state = demoState();
  await openAllDesks(state);
});

test('an idle kiosk returns to the start, in its default language', async ({ browser }) => {
  const kiosk = await openView(browser, `${state.kiosk}?idle=3`, KIOSK_VIEWPORT);
  let ticket = '';
  try {
    const start = kiosk.getByRole('heading', { name: t('EN', 'kiosk.chooseService') });
    await expect(start).toBeVisible();

    // Half-way, in French: the countdown shows, then the start screen comes back in English.
    await kiosk.getByRole('button', { name: 'Français' }).click();
    await pickService(kiosk, ['Vente', 'Accessoires']);
    await expect(kiosk.getByRole('heading', { name: t('FR', 'kiosk.howToNotify') })).toBeVisible();
    await expect(kiosk.locator('.idle-hint')).toBeVisible();
    await expect(start).toBeVisible({ timeout: 10_000 });
    await expect(kiosk.locator('.kiosk')).toHaveAttribute('data-lang', 'EN');
    await expect(kiosk.getByRole('button', { name: 'Sales', exact: true })).toBeVisible();

    // Touches keep it where it is: tapping every second for longer than the timeout.
    await pickService(kiosk, ['Support']);
    const repair = kiosk.getByRole('button', { name: 'Repair', exact: true });
    for (let i = 0; i < 5; i++) {
      await expect(repair).toBeVisible();
      await kiosk.mouse.click(5, 600);
      await kiosk.waitForTimeout(1000);
    }
    await expect(repair).toBeVisible();
    await expect(start).toBeVisible({ timeout: 10_000 });

    // From the ticket too.
    await pickService(kiosk, ['Sales', 'New phone']);
    await kiosk.getByRole('radio', { name: t('EN', 'kiosk.anonymous') }).click();
    await kiosk.getByTestId('get-ticket').click();
    await expect(kiosk.getByTestId('ticket-number')).toHaveText(/^A\d+$/);
    ticket = (await kiosk.getByTestId('ticket-number').textContent()) ?? '';
    await expect(kiosk.getByTestId('ticket-number')).toHaveCount(0, { timeout: 10_000 });
    await expect(start).toBeVisible();
  } finally {
    await kiosk.context().close();
    if (ticket !== '') await dismissTickets(state, [ticket]);
  }
});
