// The customer's phone against the demo store: join from the hub's /q page at phone size, watch
// the desk's list grow, get "your turn" the moment the desk calls, and leave the queue from the
// phone (gone from the desk's list). The Arabic page reads right to left at 360 px.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { t } from '../../shared/i18n/index.js';
import {
  DEMO_SERVICES,
  WIDE_VIEWPORT,
  demoState,
  dismissTickets,
  openAllDesks,
  openView,
  saveScreenshot,
  type DemoState,
  openPhone,
} from './support.js';

let state: DemoState;

test.beforeAll(() => {
  state = demoState();
});

const phone = (browser: Browser, path: string): Promise<Page> =>
  openPhone(browser, state.hub, path);

async function join(page: Page, service: string): Promise<string> {
  await page.getByRole('button', { name: new RegExp(`^${service}`) }).click();
  await page.waitForURL(/\/t\//);
  await expect(page.locator('#status')).not.toBeEmpty();
  const ticket = (await page.locator('#ticket').textContent()) ?? '';
  expect(ticket).toMatch(/^[A-Z]+\d+$/);
  return ticket;
}

test('join from the phone, called by a desk, "your turn" at once; leave from the phone', async ({
  browser,
}) => {
  const accessories = DEMO_SERVICES.accessories;
  const desk1 = await openView(browser, state.desk1, WIDE_VIEWPORT);
  const mine: string[] = [];
  try {
    await openAllDesks(state);
    const count = desk1.getByTestId(`count-${accessories.id}`);
    await expect(count).toBeVisible();
    const before = Number(await count.textContent());

    const first = await phone(browser, '/q/demo-store');
    await saveScreenshot(first, 'phone-join');
    const ticket = await join(first, 'Accessories');
    mine.push(ticket);
    await expect(first.locator('#service')).toHaveText('Accessories');
    await saveScreenshot(first, 'phone-ticket');

    // The desk sees it arrive: one more Accessories ticket, in its list.
    const row = desk1.locator(`.queue-list [data-ticket="${ticket}"]`);
    await expect(row).toBeVisible();
    await expect(count).toHaveText(String(before + 1));

    // The desk calls it: the phone says so within a second.
    await desk1.getByRole('button', { name: t('EN', 'desk.callTicket', { ticket }) }).click();
    await expect(desk1.getByTestId('current-card')).toHaveAttribute('data-ticket', ticket);
    await expect(first.locator('#status')).toHaveText(
      t('EN', 'phone.yourTurn', { desk: 'Desk 1' }),
      { timeout: 1_000 },
    );
    await expect(first.locator('body')).toHaveAttribute('data-state', 'called');
    await expect(first.locator('#actions')).toBeHidden();
    await saveScreenshot(first, 'phone-your-turn');

    // Another phone joins, then leaves: gone from the desk's list.
    const second = await phone(browser, '/q/demo-store');
    const other = await join(second, 'Accessories');
    mine.push(other);
    const otherRow = desk1.locator(`.queue-list [data-ticket="${other}"]`);
    await expect(otherRow).toBeVisible();
    second.once('dialog', (dialog) => void dialog.accept());
    await second.getByRole('button', { name: t('EN', 'phone.leave') }).click();
    await expect(second.locator('#status')).toHaveText(t('EN', 'phone.left'));
    await expect(otherRow).toHaveCount(0);
  } finally {
    await dismissTickets(state, mine);
  }
});

test('the phone pages in Arabic read right to left and fit 360 px', async ({ browser }) => {
  const page = await phone(browser, '/q/demo-store?lang=AR');
  await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
  await expect(page.getByText(t('AR', 'phone.chooseService'))).toBeVisible();
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
  const ticket = await join(page, 'الإكسسوارات|Accessories');
  await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
  await saveScreenshot(page, 'phone-ticket-ar');
  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByRole('button', { name: t('AR', 'phone.leave') }).click();
  await expect(page.locator('#status')).toHaveText(t('AR', 'phone.left'));
  await dismissTickets(state, [ticket]);
});
